import type { NewEvent } from "@/lib/events/store";

/**
 * What a batch of new events does to the table, decided before any row is written. The write
 * path (lib/events/write.ts) reads the known dedupe keys, the known token ids and MAX(id) inside
 * its transaction, hands them here, and executes the plan:
 * - a known key, or a known token id (the same signed token replayed, at any endpoint), or one
 *   seen earlier in the same batch, is a duplicate: its row's count grows;
 * - every other event gets the next id after MAX(id), so ids are contiguous and in commit order
 *   (docs/decisions/010-scale-out.md).
 */

export interface WriteOutcome {
  id: number;
  duplicate: boolean;
  event: NewEvent;
}

/** Rows already stored that a batch's events may repeat: by dedupe key, and by the token's jti. */
export interface KnownRows {
  byKey: Map<string, number>;
  byToken: Map<string, number>;
}

export interface BatchPlan {
  /** One per input event, in order. */
  outcomes: WriteOutcome[];
  /** Rows to insert, ids ascending. */
  fresh: { id: number; key: string; event: NewEvent }[];
  /** Existing rows (by id) to count a repeat on: how many copies, and when the last arrived. */
  repeats: Map<number, { count: number; at: Date }>;
}

export function planBatch(events: NewEvent[], keys: string[], known: KnownRows, maxId: number): BatchPlan {
  const idByKey = new Map(known.byKey);
  const idByToken = new Map(known.byToken);
  const fresh: BatchPlan["fresh"] = [];
  const repeats: BatchPlan["repeats"] = new Map();
  let next = maxId;
  const outcomes = events.map((event, i): WriteOutcome => {
    const key = keys[i]!;
    const existing = idByKey.get(key) ?? (event.tokenId === null ? undefined : idByToken.get(event.tokenId));
    if (existing !== undefined) {
      repeats.set(existing, { count: (repeats.get(existing)?.count ?? 0) + 1, at: event.receivedAt });
      return { id: existing, duplicate: true, event };
    }
    const id = ++next;
    idByKey.set(key, id);
    if (event.tokenId !== null) idByToken.set(event.tokenId, id);
    fresh.push({ id, key, event });
    return { id, duplicate: false, event };
  });
  return { outcomes, fresh, repeats };
}

/** The distinct token ids of a batch, to look up. */
export function tokenIdsOf(events: NewEvent[]): string[] {
  return [...new Set(events.flatMap((e) => (e.tokenId === null ? [] : [e.tokenId])))];
}

/** `"a", "b", …`: a column list for an INSERT. */
export function columnList(columns: readonly string[]): string {
  return columns.map((c) => `"${c}"`).join(", ");
}
