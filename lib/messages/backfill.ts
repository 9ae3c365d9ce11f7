import type BetterSqlite3 from "better-sqlite3";
import { getConfig } from "@/lib/config";
import { getDatabase, getSqliteWriteConnection, isDatabaseBusy } from "@/lib/db/client";
import { WRITE_LOCK } from "@/lib/events/write";
import type { EventKind } from "@/lib/events/types";
import type { Prisma } from "@/lib/generated/sqlite/client.ts";
import type { MessageFact } from "@/lib/messages/state";
import { workflowIdOf, writeMessagesPostgres, writeMessagesSqlite } from "@/lib/messages/write";

/**
 * Fills in the message rows and summaries from the events stored before they existed. The
 * migration that made the tables noted the newest event id then (`message_backfill.until_id`);
 * events after it were folded in as they were written. Runs in the ingest worker after start-up,
 * in batches of BATCH events, each in its own write transaction with its progress
 * (`done_id`), so a restart resumes where it stopped and several instances never fold an event
 * twice. Between batches the worker takes webhooks as usual.
 */

const BATCH = 2000;
/** A pause between batches, so that a large backfill leaves the writer to the webhooks most of the time. */
const PAUSE_MS = 20;

/** The columns a fact is made of; the body only when it may name a workflow. */
const FACT_COLUMNS = `"kind", "message_uuid", "status", "channel", "from_number", "to_number", "client_ref", "error_code",
  "price", "currency", "timestamp", "received_at",
  CASE WHEN "kind" = 'status' AND "raw_body" LIKE '%"workflow"%' THEN "raw_body" END AS "workflow_body"`;

interface FactRecord {
  kind: EventKind;
  message_uuid: string | null;
  status: string | null;
  channel: string | null;
  from_number: string | null;
  to_number: string | null;
  client_ref: string | null;
  error_code: string | null;
  price: string | null;
  currency: string | null;
  timestamp: string | Date | null;
  received_at: string | Date;
  workflow_body: string | null;
}

function factOf(r: FactRecord): MessageFact {
  let workflowId: string | null = null;
  if (r.workflow_body !== null) {
    try {
      const payload = JSON.parse(r.workflow_body) as unknown;
      if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) workflowId = workflowIdOf(payload as never);
    } catch {
      // A body stored as an event was JSON; nothing to link otherwise.
    }
  }
  return {
    kind: r.kind,
    messageUuid: r.message_uuid,
    status: r.status,
    channel: r.channel,
    from: r.from_number,
    to: r.to_number,
    clientRef: r.client_ref,
    errorCode: r.error_code,
    price: r.price,
    currency: r.currency,
    timestampMs: r.timestamp === null ? null : new Date(r.timestamp).getTime(),
    receivedMs: new Date(r.received_at).getTime(),
    workflowId,
  };
}

export interface BackfillProgress {
  untilId: number;
  doneId: number;
}

/** SQLite: folds the stored events with ids in (afterId, upToId] into the messages, in the caller's transaction. */
export function foldStoredEventsSqlite(db: BetterSqlite3.Database, afterId: number, upToId: number): void {
  const rows = db
    .prepare<[number, number], FactRecord>(`SELECT ${FACT_COLUMNS} FROM "events" WHERE "id" > ? AND "id" <= ? ORDER BY "id"`)
    .all(afterId, upToId);
  writeMessagesSqlite(db, rows.map(factOf));
}

/** One SQLite batch: returns the progress after it, or null when there is nothing left. */
function sqliteBatch(db: BetterSqlite3.Database): BackfillProgress | null {
  return db
    .transaction((): BackfillProgress | null => {
      const row = db
        .prepare<[], { until_id: number; done_id: number }>(`SELECT "until_id", "done_id" FROM "message_backfill" WHERE "id" = 1`)
        .get();
      if (!row || row.done_id >= row.until_id) return null;
      const upTo = Math.min(row.until_id, row.done_id + BATCH);
      foldStoredEventsSqlite(db, row.done_id, upTo);
      db.prepare(`UPDATE "message_backfill" SET "done_id" = ? WHERE "id" = 1`).run(upTo);
      return { untilId: row.until_id, doneId: upTo };
    })
    .immediate();
}

async function postgresBatch(): Promise<BackfillProgress | null> {
  return getDatabase().$transaction(
    async (tx: Prisma.TransactionClient) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`;
      const [row] = await tx.$queryRaw<{ until_id: number; done_id: number }[]>`
        SELECT "until_id", "done_id" FROM "message_backfill" WHERE "id" = 1`;
      if (!row || row.done_id >= row.until_id) return null;
      const upTo = Math.min(row.until_id, row.done_id + BATCH);
      const rows = await tx.$queryRawUnsafe<FactRecord[]>(
        `SELECT ${FACT_COLUMNS} FROM "events" WHERE "id" > $1 AND "id" <= $2 ORDER BY "id"`,
        row.done_id,
        upTo,
      );
      await writeMessagesPostgres(tx, rows.map(factOf));
      await tx.$executeRaw`UPDATE "message_backfill" SET "done_id" = ${upTo} WHERE "id" = 1`;
      return { untilId: row.until_id, doneId: upTo };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}

/** Runs the backfill to its end, batch by batch; logs its start and end when there is anything to do. */
export async function runBackfill(): Promise<void> {
  const sqlite = getConfig().databaseKind === "sqlite";
  const started = Date.now();
  let last: BackfillProgress | null = null;
  for (;;) {
    let progress: BackfillProgress | null;
    try {
      progress = sqlite ? sqliteBatch(getSqliteWriteConnection()) : await postgresBatch();
    } catch (error) {
      if (!isDatabaseBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (progress === null) break;
    if (last === null) console.log(`[messages] filling in message states from the events stored before (ids up to ${progress.untilId})`);
    last = progress;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  if (last)
    console.log(`[messages] message states filled in, up to event ${last.untilId}, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
