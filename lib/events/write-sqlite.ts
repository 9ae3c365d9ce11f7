import type BetterSqlite3 from "better-sqlite3";
import { sqliteDate } from "@/lib/db/sqlite-date";
import {
  columnList,
  EVENT_COLUMNS,
  eventValues,
  planBatch,
  REJECTION_COLUMNS,
  rejectionValues,
  tokenIdsOf,
  TRIM_REJECTIONS,
  type WriteOutcome,
} from "@/lib/events/batch";
import type { StoredRejection } from "@/lib/events/rejection-sampling";
import type { NewEvent } from "@/lib/events/store";

/**
 * The SQLite write path: each batch is one synchronous IMMEDIATE transaction on the write
 * connection (lib/db/client.ts), with statements prepared once. busy_timeout is 0, so a lock
 * held by another process fails at BEGIN with SQLITE_BUSY at once, and the batch writer waits
 * for it asynchronously (lib/events/writer.ts); the event loop never blocks on a lock.
 */

interface Writes {
  events: BetterSqlite3.Transaction<(events: NewEvent[], keys: string[]) => WriteOutcome[]>;
  rejections: BetterSqlite3.Transaction<(rejections: StoredRejection[], maxRows: number) => number[]>;
}

const prepared = new WeakMap<BetterSqlite3.Database, Writes>();

/** The statements and transactions of one connection, prepared once. */
function writes(db: BetterSqlite3.Database): Writes {
  let w = prepared.get(db);
  if (!w) {
    const params = (n: number) => Array(n).fill("?").join(", ");
    const s = {
      // One statement for any batch size: the keys travel as one JSON array.
      known: db.prepare<[string], { dedupe_key: string; id: number }>(
        `SELECT "dedupe_key", "id" FROM "events" WHERE "dedupe_key" IN (SELECT "value" FROM json_each(?))`,
      ),
      knownTokens: db.prepare<[string], { token_id: string; id: number }>(
        `SELECT "token_id", "id" FROM "events" WHERE "token_id" IN (SELECT "value" FROM json_each(?))`,
      ),
      maxId: db.prepare<[], { max: number | null }>(`SELECT MAX("id") AS "max" FROM "events"`),
      insertEvent: db.prepare<unknown[]>(`INSERT INTO "events" (${columnList(EVENT_COLUMNS)}) VALUES (${params(EVENT_COLUMNS.length)})`),
      countRepeat: db.prepare<[number, string, number]>(
        `UPDATE "events" SET "duplicates" = "duplicates" + ?, "last_duplicate_at" = ? WHERE "id" = ?`,
      ),
      insertRejection: db.prepare<unknown[]>(
        `INSERT INTO "rejections" (${columnList(REJECTION_COLUMNS)}) VALUES (${params(REJECTION_COLUMNS.length)})`,
      ),
      trimRejections: db.prepare<[number]>(TRIM_REJECTIONS),
    };
    w = {
      events: db.transaction((events: NewEvent[], keys: string[]) => {
        const byKey = new Map(s.known.all(JSON.stringify([...new Set(keys)])).map((row) => [row.dedupe_key, row.id]));
        const tokens = tokenIdsOf(events);
        const byToken = new Map(tokens.length === 0 ? [] : s.knownTokens.all(JSON.stringify(tokens)).map((row) => [row.token_id, row.id]));
        const plan = planBatch(events, keys, { byKey, byToken }, s.maxId.get()?.max ?? 0);
        for (const row of plan.fresh) s.insertEvent.run(eventValues(row.id, row.key, row.event, sqliteDate));
        for (const [id, repeat] of plan.repeats) s.countRepeat.run(repeat.count, sqliteDate(repeat.at), id);
        return plan.outcomes;
      }),
      rejections: db.transaction((rejections: StoredRejection[], maxRows: number) => {
        const ids = rejections.map((r) =>
          Number(s.insertRejection.run(rejectionValues(r, sqliteDate, (b) => (b ? 1 : 0))).lastInsertRowid),
        );
        if (maxRows > 0) s.trimRejections.run(maxRows);
        return ids;
      }),
    };
    prepared.set(db, w);
  }
  return w;
}

/** Commits one batch of events; returns one outcome per event, in order. */
export function writeEventsSqlite(db: BetterSqlite3.Database, events: NewEvent[], keys: string[]): WriteOutcome[] {
  return writes(db).events.immediate(events, keys);
}

/**
 * Commits one batch of rejections, and drops the oldest beyond `maxRows` (0: no cap) in the same
 * transaction; returns their ids, in order.
 */
export function writeRejectionsSqlite(db: BetterSqlite3.Database, rejections: StoredRejection[], maxRows: number): number[] {
  return writes(db).rejections.immediate(rejections, maxRows);
}
