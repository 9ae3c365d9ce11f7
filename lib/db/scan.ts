import Database from "better-sqlite3";
import pg from "pg";
import { getConfig } from "@/lib/config";
import { getPostgresPool } from "@/lib/db/client";
import { sqliteDate } from "@/lib/db/sqlite-date";
import { recordFromRow, type EventRecord } from "@/lib/events/columns";
import { eventLineOfJsonRow, eventLineOfRecord, type EventLine } from "@/lib/events/records";
import { EVENT_JSON_SELECT, EVENT_SELECT } from "@/lib/events/sql";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { remember } from "@/lib/remember";

/**
 * The bulk read path for exports: the same SQL as the Prisma queries, run by the driver
 * itself. Prisma's row mapping costs ~10–40 µs a row, which caps an export far below 100,000
 * rows/s (measured in docs/performance-log.md); the driver returns plain rows at a few µs each.
 * On SQLite this is a second, read-only connection (WAL: it never blocks the writer); on
 * PostgreSQL, a connection from the pool. One of the driver uses decision 034 keeps.
 */

function readConnection(): Database.Database {
  return remember("scan-connection", () => {
    const path = getConfig().sqlitePath;
    if (!path) throw new Error("the bulk read path needs the SQLite store");
    const db = new Database(path, { readonly: true, fileMustExist: true });
    // A small page cache: an export reads each page once, and memory must stay flat.
    db.pragma("cache_size = -2000");
    return db;
  });
}

const statements = new Map<string, Database.Statement>();

function prepared(sql: string): Database.Statement {
  let statement = statements.get(sql);
  if (!statement) {
    statement = readConnection().prepare(sql).raw(true);
    if (statements.size > 100) statements.clear();
    statements.set(sql, statement);
  }
  return statement;
}

/** Binds values the way the Prisma SQLite adapter stores them (dates as ISO text with +00:00). */
export function bindable(value: unknown): unknown {
  if (value instanceof Date) return sqliteDate(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/**
 * Times as text, the way SQLite keeps them: node-postgres would read TIMESTAMP (without time
 * zone, which is what Prisma creates) as local time.
 */
const POSTGRES_TYPES: pg.CustomTypesConfig = {
  getTypeParser(oid, format): unknown {
    if (oid === pg.types.builtins.TIMESTAMP) return (value: string) => `${value.replace(" ", "T")}Z`;
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * Event records of `SELECT <every column> ${from}`, where `from` is the rest of the statement
 * (FROM, WHERE, ORDER BY, LIMIT), read as arrays (a third of the cost of objects here).
 * On SQLite they are read one at a time as the caller iterates: a record is garbage once it is
 * written out, instead of the whole page living until the last one is (a page held at once
 * outlives young-generation collections, and V8 then grows its old generation by hundreds of
 * MB over a million-row export). Iterate to the end in one go: the connection is busy until then.
 */
export async function scanEventRecords(from: Prisma.Sql): Promise<Iterable<EventRecord>> {
  const query = Prisma.sql`SELECT ${EVENT_SELECT} ${from}`;
  if (getConfig().databaseKind === "postgresql") {
    // Dates as UTC text without a zone, as Prisma writes TIMESTAMP columns.
    const values = query.values.map((v) => (v instanceof Date ? v.toISOString().replace("T", " ").replace("Z", "") : v));
    const result = await getPostgresPool().query({ text: query.text, values, rowMode: "array", types: POSTGRES_TYPES });
    return (result.rows as unknown[][]).map(recordFromRow);
  }
  return iterateSqlite(query, recordFromRow);
}

/**
 * The same events as lines of JSON text (eventRecordToJsonText). On SQLite, the database builds
 * each line's fields itself (EVENT_JSON_SELECT), which makes a million-row export about twice
 * as fast; on PostgreSQL they are built from records.
 */
export async function scanEventLines(from: Prisma.Sql): Promise<Iterable<EventLine>> {
  if (getConfig().databaseKind === "postgresql") return Array.from(await scanEventRecords(from), eventLineOfRecord);
  return iterateSqlite(Prisma.sql`SELECT ${EVENT_JSON_SELECT} ${from}`, eventLineOfJsonRow);
}

function* iterateSqlite<T>(query: Prisma.Sql, map: (row: unknown[]) => T): Generator<T> {
  for (const row of prepared(query.sql).iterate(...query.values.map(bindable)) as IterableIterator<unknown[]>) yield map(row);
}
