import type { StoredRejection } from "@/lib/events/rejection-sampling";
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

/** The events table's columns as written, in the order eventValues gives them. */
export const EVENT_COLUMNS = [
  "id",
  "kind",
  "dedupe_key",
  "message_uuid",
  "status",
  "channel",
  "message_type",
  "from_number",
  "to_number",
  "client_ref",
  "error_code",
  "error_title",
  "error_detail",
  "price",
  "currency",
  "timestamp",
  "received_at",
  "verification",
  "hash_form",
  "api_key",
  "application_id",
  "text",
  "network_code",
  "concat_ref",
  "concat_part",
  "concat_total",
  "wire_form",
  "raw_body",
  "headers",
  "duplicates",
  "token_id",
] as const;

/** One new row's values, dates converted by the caller's driver convention. */
export function eventValues<D>(id: number, key: string, e: NewEvent, date: (d: Date) => D): unknown[] {
  return [
    id,
    e.kind,
    key,
    e.messageUuid,
    e.status,
    e.channel,
    e.messageType,
    e.from,
    e.to,
    e.clientRef,
    e.errorCode,
    e.errorTitle,
    e.errorDetail,
    e.price,
    e.currency,
    e.timestamp ? date(e.timestamp) : null,
    date(e.receivedAt),
    e.verification,
    e.hashForm,
    e.apiKey,
    e.applicationId,
    e.text,
    e.networkCode,
    e.concat?.ref ?? null,
    e.concat?.part ?? null,
    e.concat?.total ?? null,
    e.wireForm,
    e.rawBody,
    JSON.stringify(e.headers),
    0,
    e.tokenId,
  ];
}

/** The rejections table's columns as written, in the order rejectionValues gives them. */
export const REJECTION_COLUMNS = [
  "received_at",
  "endpoint",
  "method",
  "reason",
  "detail",
  "http_status",
  "source_ip",
  "headers",
  "token_claims",
  "body",
  "body_bytes",
  "body_truncated",
  "repeats",
] as const;

export function rejectionValues<D>(r: StoredRejection, date: (d: Date) => D, bool: (b: boolean) => unknown): unknown[] {
  return [
    date(r.receivedAt),
    r.endpoint,
    r.method,
    r.reason,
    r.detail,
    r.httpStatus,
    r.sourceIp,
    JSON.stringify(r.headers),
    r.tokenClaims ? JSON.stringify(r.tokenClaims) : null,
    r.body,
    r.bodyBytes,
    bool(r.bodyTruncated),
    r.repeats,
  ];
}

/** `"a", "b", …`: a column list for an INSERT. */
export function columnList(columns: readonly string[]): string {
  return columns.map((c) => `"${c}"`).join(", ");
}
