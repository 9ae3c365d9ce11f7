import { describe, expect, it } from "vitest";
import { planBatch } from "@/lib/events/batch";
import type { NewEvent } from "@/lib/events/store";

const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 12, 0, s));
const event = (s: number, tokenId: string | null = null) =>
  ({ kind: "status", receivedAt: at(s), headers: {}, tokenId }) as unknown as NewEvent;
const known = (byKey: [string, number][] = [], byToken: [string, number][] = []) => ({ byKey: new Map(byKey), byToken: new Map(byToken) });

describe("planBatch", () => {
  it("numbers new events from MAX(id) + 1 in order, and counts known keys as duplicates", () => {
    const events = [event(1), event(2), event(3)];
    const plan = planBatch(events, ["a", "known", "b"], known([["known", 7]]), 41);
    expect(plan.outcomes.map(({ id, duplicate }) => ({ id, duplicate }))).toEqual([
      { id: 42, duplicate: false },
      { id: 7, duplicate: true },
      { id: 43, duplicate: false },
    ]);
    expect(plan.fresh.map((row) => [row.id, row.key])).toEqual([
      [42, "a"],
      [43, "b"],
    ]);
    expect([...plan.repeats]).toEqual([[7, { count: 1, at: at(2) }]]);
  });

  it("stores a key that appears twice in one batch once, and counts the copy", () => {
    const plan = planBatch([event(1), event(2), event(3)], ["x", "x", "x"], known(), 0);
    expect(plan.outcomes.map((o) => o.id)).toEqual([1, 1, 1]);
    expect(plan.outcomes.map((o) => o.duplicate)).toEqual([false, true, true]);
    expect(plan.fresh).toHaveLength(1);
    expect(plan.repeats.get(1)).toEqual({ count: 2, at: at(3) });
  });

  it("counts a token id seen before as a duplicate of its event, whatever the key", () => {
    const plan = planBatch(
      [event(1, "jti-old"), event(2, "jti-new"), event(3, "jti-new"), event(4)],
      ["a", "b", "c", "d"],
      known([], [["jti-old", 5]]),
      9,
    );
    expect(plan.outcomes.map(({ id, duplicate }) => [id, duplicate])).toEqual([
      [5, true],
      [10, false],
      [10, true],
      [11, false],
    ]);
    expect([...plan.repeats]).toEqual([
      [5, { count: 1, at: at(1) }],
      [10, { count: 1, at: at(3) }],
    ]);
  });
});
