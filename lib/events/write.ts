import type BetterSqlite3 from "better-sqlite3";
import { getConfig } from "@/lib/config";
import { getDatabase, getSqliteWriteConnection } from "@/lib/db/client";
import { sqliteDate } from "@/lib/db/sqlite-date";
import { columnList, planBatch, tokenIdsOf, type BatchPlan, type KnownRows, type WriteOutcome } from "@/lib/events/batch";
import { EVENT_INSERT, eventValues, REJECTION_INSERT, rejectionValues } from "@/lib/events/columns";
import type { StoredRejection } from "@/lib/events/rejection-sampling";
import type { NewEvent } from "@/lib/events/store";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { messageFactOf, writeMessagesPostgres, writeMessagesSqlite } from "@/lib/messages/write";

/**
 * The write path: one transaction per batch, executing the plan of lib/events/batch.ts. The
 * write lock is taken first, so MAX(id) and the known keys are read under it and ids are handed
 * out in commit order. The new events' message states and the insights' summaries are written
 * in the same transaction (lib/messages/write.ts).
 * - PostgreSQL, through Prisma: every instance's writer takes the same transaction-level advisory
 *   lock, so ids have no gaps across instances (docs/decisions/010-scale-out.md).
 * - SQLite, through the driver's write connection (lib/db/client.ts), the one write Prisma does not
 *   make (docs/decisions/037-sqlite-writes-stay-on-the-driver.md): a synchronous IMMEDIATE
 *   transaction with statements prepared once. Through Prisma's interactive transaction the ingest
 *   worker spent about twice the CPU per webhook, and ingestion fell from 0.85 to 0.57 of the
 *   empty route. busy_timeout is 0, so a lock held by another process fails at BEGIN with
 *   SQLITE_BUSY at once, and the batch writer waits asynchronously (lib/events/writer.ts).
 */

/** Serialises event writes across PostgreSQL instances (any fixed number). */
export const WRITE_LOCK = 7_340_212;

/** Under load a batch may wait for the lock behind other instances' batches. */
const TRANSACTION_LIMITS = { maxWait: 10_000, timeout: 20_000 };

type Plan = (known: KnownRows, maxId: number) => BatchPlan;

/** Commits one batch of events; returns one outcome per event, in order. */
export async function writeEvents(events: NewEvent[], keys: string[]): Promise<WriteOutcome[]> {
  const plan: Plan = (known, maxId) => planBatch(events, keys, known, maxId);
  const distinctKeys = [...new Set(keys)];
  const tokens = tokenIdsOf(events);
  if (getConfig().databaseKind === "postgresql") return writeEventsPostgres(plan, distinctKeys, tokens);
  return sqliteWrites(getSqliteWriteConnection()).events.immediate(plan, distinctKeys, tokens);
}

/**
 * Commits one batch of rejections, and drops the oldest beyond `maxRows` (0: no cap) in the same
 * transaction; returns their ids, in order (the live rejections view gets them with the rows).
 */
export async function writeRejections(rejections: StoredRejection[], maxRows: number): Promise<number[]> {
  if (getConfig().databaseKind === "postgresql") return writeRejectionsPostgres(rejections, maxRows);
  return sqliteWrites(getSqliteWriteConnection()).rejections.immediate(rejections, maxRows);
}

function writeEventsPostgres(plan: Plan, keys: string[], tokens: string[]): Promise<WriteOutcome[]> {
  return getDatabase().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`;
    const known = await tx.$queryRaw<{ dedupe_key: string; id: number | bigint }[]>`
      SELECT "dedupe_key", "id" FROM "events" WHERE "dedupe_key" = ANY(${keys}::text[])`;
    const knownTokens =
      tokens.length === 0
        ? []
        : await tx.$queryRaw<{ token_id: string; id: number | bigint }[]>`
            SELECT "token_id", "id" FROM "events" WHERE "token_id" = ANY(${tokens}::text[])`;
    const [{ max } = { max: 0 }] = await tx.$queryRaw<{ max: number | bigint | null }[]>`SELECT MAX("id") AS "max" FROM "events"`;
    const { fresh, repeats, outcomes } = plan(
      {
        byKey: new Map(known.map((row) => [row.dedupe_key, Number(row.id)])),
        byToken: new Map(knownTokens.map((row) => [row.token_id, Number(row.id)])),
      },
      Number(max ?? 0),
    );
    if (fresh.length > 0) {
      await tx.$executeRaw(
        postgresInsert(
          "events",
          EVENT_INSERT,
          fresh.map((row) => eventValues(row.id, row.key, row.event, (d) => d)),
        ),
      );
    }
    for (const [id, repeat] of repeats) {
      await tx.$executeRaw`UPDATE "events" SET "duplicates" = "duplicates" + ${repeat.count}, "last_duplicate_at" = ${repeat.at}
        WHERE "id" = ${id}`;
    }
    await writeMessagesPostgres(
      tx,
      fresh.map((row) => messageFactOf(row.event)),
    );
    return outcomes;
  }, TRANSACTION_LIMITS);
}

async function writeRejectionsPostgres(rejections: StoredRejection[], maxRows: number): Promise<number[]> {
  const db = getDatabase();
  const rows = rejections.map((r) =>
    rejectionValues(
      r,
      (d) => d,
      (b) => b,
    ),
  );
  const [inserted] = await db.$transaction([
    db.$queryRaw<{ id: number | bigint }[]>`${postgresInsert("rejections", REJECTION_INSERT, rows)} RETURNING "id"`,
    ...(maxRows > 0 ? [db.$executeRaw`${Prisma.raw(TRIM_REJECTIONS)} ${maxRows}`] : []),
  ]);
  // One statement's rows take their ids in the order they are given; RETURNING's order is not promised.
  return inserted.map((row) => Number(row.id)).sort((a, b) => a - b);
}

function postgresInsert(table: string, columns: readonly string[], rows: unknown[][]): Prisma.Sql {
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(columnList(columns))})
    VALUES ${Prisma.join(rows.map((row) => Prisma.sql`(${Prisma.join(row)})`))}`;
}

/**
 * REJECTIONS_MAX_ROWS: the oldest rows beyond the cap, by id (ids only grow, and rows only go
 * from the old end): MAX(id) is one index lookup, where a count(*) would read the whole index.
 * The cap follows as the statement's one parameter.
 */
const TRIM_REJECTIONS = `DELETE FROM "rejections" WHERE "id" <= (SELECT MAX("id") FROM "rejections") -`;

interface SqliteWrites {
  events: BetterSqlite3.Transaction<(plan: Plan, keys: string[], tokens: string[]) => WriteOutcome[]>;
  rejections: BetterSqlite3.Transaction<(rejections: StoredRejection[], maxRows: number) => number[]>;
}

const prepared = new WeakMap<BetterSqlite3.Database, SqliteWrites>();

/** The statements and transactions of one SQLite connection, prepared once. */
function sqliteWrites(db: BetterSqlite3.Database): SqliteWrites {
  let w = prepared.get(db);
  if (w) return w;
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
    insertEvent: db.prepare<unknown[]>(`INSERT INTO "events" (${columnList(EVENT_INSERT)}) VALUES (${params(EVENT_INSERT.length)})`),
    countRepeat: db.prepare<[number, string, number]>(
      `UPDATE "events" SET "duplicates" = "duplicates" + ?, "last_duplicate_at" = ? WHERE "id" = ?`,
    ),
    insertRejection: db.prepare<unknown[]>(
      `INSERT INTO "rejections" (${columnList(REJECTION_INSERT)}) VALUES (${params(REJECTION_INSERT.length)})`,
    ),
    trimRejections: db.prepare<[number]>(`${TRIM_REJECTIONS} ?`),
  };
  w = {
    events: db.transaction((plan: Plan, keys: string[], tokens: string[]) => {
      const byKey = new Map(s.known.all(JSON.stringify(keys)).map((row) => [row.dedupe_key, row.id]));
      const byToken = new Map(tokens.length === 0 ? [] : s.knownTokens.all(JSON.stringify(tokens)).map((row) => [row.token_id, row.id]));
      const { fresh, repeats, outcomes } = plan({ byKey, byToken }, s.maxId.get()?.max ?? 0);
      for (const row of fresh) s.insertEvent.run(eventValues(row.id, row.key, row.event, sqliteDate));
      for (const [id, repeat] of repeats) s.countRepeat.run(repeat.count, sqliteDate(repeat.at), id);
      writeMessagesSqlite(
        db,
        fresh.map((row) => messageFactOf(row.event)),
      );
      return outcomes;
    }),
    rejections: db.transaction((rejections: StoredRejection[], maxRows: number) => {
      const ids = rejections.map((r) => Number(s.insertRejection.run(rejectionValues(r, sqliteDate, (b) => (b ? 1 : 0))).lastInsertRowid));
      if (maxRows > 0) s.trimRejections.run(maxRows);
      return ids;
    }),
  };
  prepared.set(db, w);
  return w;
}
