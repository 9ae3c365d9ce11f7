import { hash } from "node:crypto";
import { getConfig } from "@/lib/config";
import { getDatabase, getSqliteWriteConnection } from "@/lib/db/client";
import type { WriteOutcome } from "@/lib/events/batch";
import { publishEvents } from "@/lib/events/bus";
import { storedObject } from "@/lib/events/records";
import type { EventJson, EventKind, RejectionJson, Verification } from "@/lib/events/types";
import { writeEventsPostgres, writeRejectionsPostgres } from "@/lib/events/write-postgres";
import { writeEventsSqlite, writeRejectionsSqlite } from "@/lib/events/write-sqlite";
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
  return hash("sha256", `${kind}\n${content}`, "hex");
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
    writeBatch: async (events) => {
      const keys = events.map((e) => dedupeKeyOf(e.kind, e.dedupeContent ?? e.rawBody));
      return getConfig().databaseKind === "postgresql"
        ? writeEventsPostgres(getDatabase(), events, keys)
        : writeEventsSqlite(getSqliteWriteConnection(), events, keys);
    },
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
      if (getConfig().databaseKind === "postgresql") await writeRejectionsPostgres(getDatabase(), rejections);
      else writeRejectionsSqlite(getSqliteWriteConnection(), rejections);
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
    headers: storedObject(row.headers) as Record<string, string>,
    tokenClaims: row.tokenClaims ? storedObject(row.tokenClaims) : null,
    body: row.body,
    bodyBytes: row.bodyBytes,
    bodyTruncated: row.bodyTruncated,
  };
}
