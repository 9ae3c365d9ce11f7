import { describe, expect, it } from "vitest";
import {
  costUnitsOf,
  countryOf,
  formatCostUnits,
  latenciesOf,
  latencyBucket,
  planMessages,
  type MessageFact,
  type MessageRow,
} from "@/lib/messages/state";

const T0 = Date.UTC(2026, 11, 3, 10, 0, 0);

function fact(status: string | null, seconds: number | null, extra: Partial<MessageFact> = {}): MessageFact {
  return {
    kind: "status",
    messageUuid: "m1",
    status,
    channel: "sms",
    from: "Vonage",
    to: "447700900001",
    clientRef: null,
    errorCode: null,
    price: null,
    currency: null,
    timestampMs: seconds === null ? null : T0 + seconds * 1000,
    receivedMs: T0 + 3_600_000,
    workflowId: null,
    ...extra,
  };
}

/** Folds the facts one batch at a time, as the write path does, carrying the rows between batches. */
function fold(batches: MessageFact[][]): { row: MessageRow; plans: ReturnType<typeof planMessages>[] } {
  const known = new Map<string, MessageRow>();
  const plans = batches.map((facts) => {
    const plan = planMessages(known, facts);
    for (const row of plan.rows) known.set(row.messageUuid, row);
    return plan;
  });
  return { row: known.get("m1")!, plans };
}

describe("a message's state", () => {
  it("keeps the furthest success whatever the arrival order, and a late submitted never downgrades it", () => {
    const { row } = fold([[fact("delivered", 5)], [fact("read", 60)], [fact("submitted", 1)]]);
    expect(row).toMatchObject({ outcome: "read", finalStatus: "read", conflict: false, events: 3, firstEventAt: T0 + 1000 });
    expect(row).toMatchObject({ submittedAt: T0 + 1000, deliveredAt: T0 + 5000, readAt: T0 + 60_000 });
  });

  it("is failed with no success, and a conflict when both were reported", () => {
    expect(fold([[fact("submitted", 0), fact("rejected", 2, { errorCode: "1340" })]]).row).toMatchObject({
      outcome: "failed",
      finalStatus: "rejected",
      errorCode: "1340",
      conflict: false,
    });
    expect(fold([[fact("undeliverable", 3)], [fact("delivered", 2)]]).row).toMatchObject({
      outcome: "delivered",
      finalStatus: "delivered",
      conflict: true,
    });
  });

  it("is open until a final status, with the latest status by provider time", () => {
    expect(fold([[fact("submitted", 2), fact("accepted", 1)]]).row).toMatchObject({ outcome: "open", finalStatus: "submitted" });
  });

  it("takes the latest Messages API price, and adds up SMS API receipts' parts", () => {
    const messages = fold([
      [fact("delivered", 5, { price: "0.0147", currency: "EUR" })],
      [fact("submitted", 1, { price: "0.0100", currency: "EUR" })],
    ]);
    expect(messages.row).toMatchObject({ costUnits: 1_470_000, currency: "EUR" });
    const sms = fold([
      [fact("delivered", 5, { kind: "sms-dlr", price: "0.00845000", currency: "EUR" })],
      [fact("delivered", 6, { kind: "sms-dlr", price: "0.00845000", currency: "EUR" })],
    ]);
    expect(formatCostUnits(sms.row.costUnits!)).toBe("0.0169");
  });

  it("keeps the summaries equal to the rows: an old contribution is taken away when the state moves", () => {
    const { plans } = fold([[fact("submitted", 0)], [fact("delivered", 4)]]);
    // First batch: one open message. Second: open −1, delivered +1, in the same hour and day rows.
    expect(plans[0]!.counts).toEqual([
      expect.objectContaining({ grain: "hour", total: 1, open: 1 }),
      expect.objectContaining({ grain: "day", total: 1, open: 1 }),
    ]);
    expect(plans[1]!.counts).toEqual([
      expect.objectContaining({ grain: "hour", total: 0, open: -1, delivered: 1 }),
      expect.objectContaining({ grain: "day", total: 0, open: -1, delivered: 1 }),
    ]);
    expect(plans[1]!.latencies.map((l) => [l.grain, l.channel, l.metric, l.bucket, l.count])).toEqual([
      ["hour", "sms", "sd", 4000, 1],
      ["hour", "*", "sd", 4000, 1],
      ["day", "sms", "sd", 4000, 1],
      ["day", "*", "sd", 4000, 1],
    ]);
  });

  it("moves a message to the hour of an earlier first event that arrives late", () => {
    const { plans } = fold([[fact("delivered", 7200)], [fact("submitted", 0)]]);
    const moved = plans[1]!.counts.filter((c) => c.grain === "hour").map((c) => [c.start - T0, c.total]);
    expect(moved).toEqual(
      expect.arrayContaining([
        [7_200_000, -1],
        [0, 1],
      ]),
    );
  });

  it("counts inbound events by hour and channel, with no message row", () => {
    const plan = planMessages(new Map(), [fact(null, 30, { kind: "inbound", channel: "whatsapp" })]);
    expect(plan.rows).toEqual([]);
    expect(plan.counts).toEqual([
      expect.objectContaining({ grain: "hour", channel: "whatsapp", inbound: 1, total: 0 }),
      expect.objectContaining({ grain: "day", channel: "whatsapp", inbound: 1, total: 0 }),
    ]);
  });
});

describe("helpers", () => {
  it("keeps latencies to two significant figures", () => {
    expect([0, 42, 99, 100, 4370, 10_000, 125_999, -5].map(latencyBucket)).toEqual([0, 42, 99, 100, 4300, 10_000, 120_000, 0]);
  });

  it("reads prices exactly, and refuses what is not a decimal", () => {
    expect(costUnitsOf("0.00845000")).toBe(845_000);
    expect(costUnitsOf("12")).toBe(1_200_000_000);
    expect(costUnitsOf("0.000000015")).toBe(2);
    expect(costUnitsOf("-1")).toBeNull();
    expect(costUnitsOf("1e3")).toBeNull();
    expect(formatCostUnits(1_200_000_000)).toBe("12");
  });

  it("finds the recipient's country from the number", () => {
    expect(countryOf("447700900001")).toBe("GB");
    expect(countryOf("14155550100")).toBe("US");
    expect(countryOf("a-psid-1234")).toBeNull();
  });
});

describe("the summaries", () => {
  it("always equal what the final rows add up to, whatever the order and batching of events", () => {
    // A small deterministic generator: many messages, statuses in any order, across hours.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const facts: MessageFact[] = [];
    for (let i = 0; i < 2000; i++) {
      facts.push(
        fact(pick(["submitted", "delivered", "read", "rejected", "undeliverable", "accepted"]), Math.floor(random() * 20_000), {
          messageUuid: `m${Math.floor(random() * 300)}`,
          channel: pick(["sms", "whatsapp", "rcs"]),
          errorCode: random() < 0.2 ? pick(["1340", "1250"]) : null,
          price: random() < 0.3 ? pick(["0.01", "0.0147"]) : null,
          currency: pick(["EUR", "USD"]),
          to: pick(["447700900001", "33612345678", "14155550100"]),
        }),
      );
    }
    const known = new Map<string, MessageRow>();
    const hours = new Map<string, number>();
    const latencies = new Map<string, number>();
    const add = (map: Map<string, number>, key: string, value: number) => map.set(key, (map.get(key) ?? 0) + value);
    for (let start = 0; start < facts.length;) {
      const size = 1 + Math.floor(random() * 50);
      const plan = planMessages(known, facts.slice(start, start + size));
      start += size;
      for (const row of plan.rows) known.set(row.messageUuid, row);
      for (const h of plan.counts) {
        const key = [h.grain, h.start, h.channel, h.country, h.currency, h.errorCode].join("|");
        for (const field of ["total", "delivered", "read", "failed", "open", "priced", "costUnits"] as const)
          add(hours, `${key}|${field}`, h[field]);
      }
      for (const l of plan.latencies) add(latencies, [l.grain, l.start, l.channel, l.metric, l.bucket].join("|"), l.count);
    }
    // What the final rows say, worked out from scratch.
    const expectedHours = new Map<string, number>();
    const expectedLatencies = new Map<string, number>();
    for (const row of known.values()) {
      for (const [grain, span] of [
        ["hour", 3_600_000],
        ["day", 86_400_000],
      ] as const) {
        const start = Math.floor(row.firstEventAt / span) * span;
        const currency = row.costUnits !== null ? (row.currency ?? "") : "";
        const key = [grain, start, row.channel ?? "", row.country ?? "", currency, row.errorCode ?? ""].join("|");
        add(expectedHours, `${key}|total`, 1);
        add(expectedHours, `${key}|${row.outcome}`, 1);
        if (row.costUnits !== null) {
          add(expectedHours, `${key}|priced`, 1);
          add(expectedHours, `${key}|costUnits`, row.costUnits);
        }
        for (const { metric, ms } of latenciesOf(row)) {
          for (const channel of [row.channel ?? "", "*"])
            add(expectedLatencies, [grain, start, channel, metric, latencyBucket(ms)].join("|"), 1);
        }
      }
    }
    const nonZero = (map: Map<string, number>) => new Map([...map].filter(([, v]) => v !== 0));
    expect(nonZero(hours)).toEqual(nonZero(expectedHours));
    expect(nonZero(latencies)).toEqual(nonZero(expectedLatencies));
    expect([...known.values()].reduce((sum, r) => sum + r.events, 0)).toBe(facts.length);
  });
});
