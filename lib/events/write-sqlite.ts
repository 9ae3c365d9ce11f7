import type BetterSqlite3 from "better-sqlite3";
import { columnList, EVENT_COLUMNS, eventValues, planBatch, REJECTION_COLUMNS, rejectionValues, type WriteOutcome } from "@/lib/events/batch";
import type { NewEvent, NewRejection } from "@/lib/events/store";

/**
 * The SQLite write path: each batch is one synchronous IMMEDIATE transaction on the write
 * connection (lib/db/client.ts), with statements prepared once. busy_timeout is 0, so a lock
 * held by another process fails at BEGIN with SQLITE_BUSY at once, and the batch writer waits
 * for it asynchronously (lib/events/writer.ts); the event loop never blocks on a lock.
 */

/** Dates as Prisma's SQLite adapter stores them (iso8601 with an explicit offset), so both read alike. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

interface Statements {
  known: BetterSqlite3.Statement<[string], { dedupe_key: string; id: number }>;
  maxId: BetterSqlite3.Statement<[], { max: number | null }>;
  insertEvent: BetterSqlite3.Statement<unknown[]>;
  countRepeat: BetterSqlite3.Statement<[number, string, string]>;
  insertRejection: BetterSqlite3.Statement<unknown[]>;
}

const prepared = new WeakMap<BetterSqlite3.Database, Statements>();

function statements(db: BetterSqlite3.Database): Statements {
  let s = prepared.get(db);
  if (!s) {
    const params = (n: number) => Array(n).fill("?").join(", ");
    s = {
      // One statement for any batch size: the keys travel as one JSON array.
      known: db.prepare(`SELECT "dedupe_key", "id" FROM "events" WHERE "dedupe_key" IN (SELECT "value" FROM json_each(?))`),
      maxId: db.prepare(`SELECT MAX("id") AS "max" FROM "events"`),
      insertEvent: db.prepare(`INSERT INTO "events" (${columnList(EVENT_COLUMNS)}) VALUES (${params(EVENT_COLUMNS.length)})`),
      countRepeat: db.prepare(`UPDATE "events" SET "duplicates" = "duplicates" + ?, "last_duplicate_at" = ? WHERE "dedupe_key" = ?`),
      insertRejection: db.prepare(`INSERT INTO "rejections" (${columnList(REJECTION_COLUMNS)}) VALUES (${params(REJECTION_COLUMNS.length)})`),
    };
    prepared.set(db, s);
  }
  return s;
}

/** Commits one batch of events; returns one outcome per event, in order. */
export function writeEventsSqlite(db: BetterSqlite3.Database, events: NewEvent[], keys: string[]): WriteOutcome[] {
  const s = statements(db);
  const write = db.transaction(() => {
    const known = new Map(s.known.all(JSON.stringify([...new Set(keys)])).map((row) => [row.dedupe_key, row.id]));
    const plan = planBatch(events, keys, known, s.maxId.get()?.max ?? 0);
    for (const row of plan.fresh) s.insertEvent.run(eventValues(row.id, row.key, row.event, sqliteDate));
    for (const [key, repeat] of plan.repeats) s.countRepeat.run(repeat.count, sqliteDate(repeat.at), key);
    return plan.outcomes;
  });
  return write.immediate();
}

/** Commits one batch of rejections. */
export function writeRejectionsSqlite(db: BetterSqlite3.Database, rejections: NewRejection[]): void {
  const s = statements(db);
  db.transaction(() => {
    for (const r of rejections) s.insertRejection.run(rejectionValues(r, sqliteDate, (b) => (b ? 1 : 0)));
  }).immediate();
}
