import { createHash } from "node:crypto";
import { getConfig } from "@/lib/config";
import { getWriteDatabase, type Database } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { publishEvents } from "@/lib/events/bus";
import type { EventJson, EventKind, RejectionJson, Verification } from "@/lib/events/types";
import { BatchWriter } from "@/lib/events/writer";
import type { Rejection as RejectionRow } from "@/lib/generated/sqlite/client.ts";
import type { JsonObject } from "@/lib/vonage/content";
import type { NormalizedEvent } from "@/lib/vonage/payload";

/**
 * The write side: idempotent, durable storage of events and rejections. A caller's
 * promise resolves only after the event is committed; committed events are then
 * published on the bus.
 */

export interface NewEvent extends NormalizedEvent {
  kind: EventKind;
  concat: { ref: string; part: number; total: number } | null;
  wireForm: string | null;
  receivedAt: Date;
  verification: Verification;
  hashForm: string | null;
  apiKey: string | null;
  applicationId: string | null;
  rawBody: string;
  payload: JsonObject;
  headers: Record<string, string>;
  /** What identifies a retry of this delivery; defaults to the raw body. */
  dedupeContent?: string;
}

export interface RecordResult {
  id: number;
  duplicate: boolean;
}

export interface NewRejection {
  receivedAt: Date;
  endpoint: string;
  method: string;
  reason: string;
  detail: string;
  httpStatus: number;
  sourceIp: string | null;
  headers: Record<string, string>;
  tokenClaims: Record<string, unknown> | null;
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
}

/**
 * A retried delivery repeats its content; endpoint + content identify an event. For the
 * Messages API that is the raw body byte for byte; SMS API callers pass their parameters
 * without the signing fields (lib/webhooks/receive-sms.ts).
 */
export function dedupeKeyOf(kind: EventKind, content: string): string {
  return createHash("sha256").update(kind).update("\n").update(content).digest("hex");
}

interface WriteOutcome extends RecordResult {
  event: NewEvent;
}

/** Serialises event writes across instances on PostgreSQL (any fixed number). */
const WRITE_LOCK = 7_340_212;

/**
 * Commits one batch of events in one transaction, handing out ids that are contiguous and in
 * commit order: every writer (every instance, on PostgreSQL) takes the same transaction-level
 * lock first, then numbers its new rows from MAX(id) + 1. So when a reader sees id N, every
 * id below N is committed, and a client resuming "after N" can never miss a row that commits
 * late (docs/decisions/010-scale-out.md). SQLite has one writer at a time by design.
 * Duplicates (known dedupe keys, also twice in one batch) only bump their row's count.
 */
async function insertBatch(db: Database, events: NewEvent[], postgres: boolean): Promise<WriteOutcome[]> {
  const keys = events.map((e) => dedupeKeyOf(e.kind, e.dedupeContent ?? e.rawBody));
  return db.$transaction(
    async (tx) => {
      if (postgres) await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`;
      const known = await tx.$queryRaw<{ dedupe_key: string; id: number | bigint }[]>`
        SELECT "dedupe_key", "id" FROM "events" WHERE "dedupe_key" IN (${Prisma.join([...new Set(keys)])})`;
      const idByKey = new Map(known.map((row) => [row.dedupe_key, Number(row.id)]));
      const [{ max } = { max: 0 }] = await tx.$queryRaw<{ max: number | bigint | null }[]>`SELECT MAX("id") AS "max" FROM "events"`;
      let next = Number(max ?? 0);

      const fresh: Prisma.Sql[] = [];
      const repeats = new Map<string, { count: number; at: Date }>();
      const outcomes = events.map((e, i): WriteOutcome => {
        const key = keys[i]!;
        const existing = idByKey.get(key);
        if (existing !== undefined) {
          const repeat = repeats.get(key);
          repeats.set(key, { count: (repeat?.count ?? 0) + 1, at: e.receivedAt });
          return { id: existing, duplicate: true, event: e };
        }
        const id = ++next;
        idByKey.set(key, id);
        fresh.push(Prisma.sql`(${id}, ${e.kind}, ${key}, ${e.messageUuid}, ${e.status}, ${e.channel}, ${e.messageType}, ${e.from},
          ${e.to}, ${e.clientRef}, ${e.errorCode}, ${e.errorTitle}, ${e.errorDetail}, ${e.price}, ${e.currency}, ${e.timestamp},
          ${e.receivedAt}, ${e.verification}, ${e.hashForm}, ${e.apiKey}, ${e.applicationId}, ${e.text}, ${e.networkCode},
          ${e.concat?.ref ?? null}, ${e.concat?.part ?? null}, ${e.concat?.total ?? null}, ${e.wireForm}, ${e.rawBody},
          ${JSON.stringify(e.headers)}, 0)`);
        return { id, duplicate: false, event: e };
      });

      if (fresh.length > 0) {
        await tx.$executeRaw`
          INSERT INTO "events" ("id", "kind", "dedupe_key", "message_uuid", "status", "channel", "message_type", "from_number",
            "to_number", "client_ref", "error_code", "error_title", "error_detail", "price", "currency", "timestamp",
            "received_at", "verification", "hash_form", "api_key", "application_id", "text", "network_code",
            "concat_ref", "concat_part", "concat_total", "wire_form", "raw_body", "headers", "duplicates")
          VALUES ${Prisma.join(fresh)}`;
      }
      for (const [key, repeat] of repeats) {
        await tx.$executeRaw`
          UPDATE "events" SET "duplicates" = "duplicates" + ${repeat.count}, "last_duplicate_at" = ${repeat.at} WHERE "dedupe_key" = ${key}`;
      }
      return outcomes;
    },
    // Under load a batch may wait for the lock behind other instances' batches.
    { maxWait: 10_000, timeout: 20_000 },
  );
}

/** SQLite reports a held lock as SQLITE_BUSY; Prisma surfaces it as a socket timeout. */
export function isDatabaseBusy(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${String((error as Error)?.message ?? error)}`;
  return /SQLITE_BUSY|SocketTimeout|database is locked|P1008|Socket timeout/i.test(text);
}

const WRITER_KEY = Symbol.for("vonage-console.event-writer");
type WithWriter = typeof globalThis & { [WRITER_KEY]?: BatchWriter<NewEvent, WriteOutcome> };

function eventWriter(): BatchWriter<NewEvent, WriteOutcome> {
  const store = globalThis as WithWriter;
  store[WRITER_KEY] ??= new BatchWriter<NewEvent, WriteOutcome>({
    writeBatch: (events) => insertBatch(getWriteDatabase(), events, getConfig().databaseKind === "postgresql"),
    isRetryable: isDatabaseBusy,
    retryForMs: getConfig().databaseBusyTimeoutMs,
    afterCommit: (outcomes) =>
      publishEvents(
        outcomes.filter((o) => !o.duplicate).map((o) => newEventToJson(o.id, o.event)),
      ),
  });
  return store[WRITER_KEY];
}

/** Stores one event (or counts a duplicate); resolves after commit. */
export async function recordEvent(event: NewEvent): Promise<RecordResult> {
  const { id, duplicate } = await eventWriter().write(event);
  return { id, duplicate };
}

const REJECTION_WRITER_KEY = Symbol.for("vonage-console.rejection-writer");
type WithRejectionWriter = typeof globalThis & { [REJECTION_WRITER_KEY]?: BatchWriter<NewRejection, void> };

function rejectionWriter(): BatchWriter<NewRejection, void> {
  const store = globalThis as WithRejectionWriter;
  store[REJECTION_WRITER_KEY] ??= new BatchWriter<NewRejection, void>({
    writeBatch: async (rejections) => {
      const db = getWriteDatabase();
      await db.$transaction(
        rejections.map((r) =>
          db.rejection.create({
            data: { ...r, headers: JSON.stringify(r.headers), tokenClaims: r.tokenClaims ? JSON.stringify(r.tokenClaims) : null },
          }),
        ),
      );
      return rejections.map(() => undefined);
    },
    isRetryable: isDatabaseBusy,
    retryForMs: getConfig().databaseBusyTimeoutMs,
  });
  return store[REJECTION_WRITER_KEY];
}

/** Records a refused delivery; resolves after commit. */
export function recordRejection(rejection: NewRejection): Promise<void> {
  return rejectionWriter().write(rejection);
}

function newEventToJson(id: number, e: NewEvent): EventJson {
  return {
    id,
    kind: e.kind,
    messageUuid: e.messageUuid,
    status: e.status,
    channel: e.channel,
    messageType: e.messageType,
    from: e.from,
    to: e.to,
    clientRef: e.clientRef,
    error: errorOf(e.errorCode, e.errorTitle, e.errorDetail),
    price: e.price,
    currency: e.currency,
    timestamp: e.timestamp?.toISOString() ?? null,
    receivedAt: e.receivedAt.toISOString(),
    verification: e.verification,
    hashForm: e.hashForm,
    apiKey: e.apiKey,
    applicationId: e.applicationId,
    text: e.text,
    networkCode: e.networkCode,
    concat: e.concat,
    wireForm: e.wireForm,
    duplicates: 0,
    lastDuplicateAt: null,
    payload: e.payload,
    headers: e.headers,
  };
}

function errorOf(code: string | null, title: string | null, detail: string | null) {
  return code === null && title === null && detail === null ? null : { code, title, detail };
}

export function rejectionRowToJson(row: RejectionRow): RejectionJson {
  return {
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    endpoint: row.endpoint,
    method: row.method,
    reason: row.reason,
    detail: row.detail,
    httpStatus: row.httpStatus,
    sourceIp: row.sourceIp,
    headers: JSON.parse(row.headers) as Record<string, string>,
    tokenClaims: row.tokenClaims ? (JSON.parse(row.tokenClaims) as Record<string, unknown>) : null,
    body: row.body,
    bodyBytes: row.bodyBytes,
    bodyTruncated: row.bodyTruncated,
  };
}
