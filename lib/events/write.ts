import { getConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { sqliteDate } from "@/lib/db/sqlite-date";
import { columnList, planBatch, tokenIdsOf, type WriteOutcome } from "@/lib/events/batch";
import { EVENT_INSERT, eventValues, REJECTION_INSERT, rejectionValues } from "@/lib/events/columns";
import type { StoredRejection } from "@/lib/events/rejection-sampling";
import type { NewEvent } from "@/lib/events/store";
import { Prisma } from "@/lib/generated/sqlite/client.ts";

/**
 * The write path on both databases: one Prisma transaction per batch, executing the plan of
 * lib/events/batch.ts. Its first statement takes the write lock, so MAX(id) and the known keys
 * are read under it and ids are handed out in commit order:
 * - SQLite: Prisma's better-sqlite3 adapter (6.19) begins with a plain, deferred BEGIN and has no
 *   option for IMMEDIATE, so the first statement is a write that changes no row, which takes the
 *   lock as BEGIN IMMEDIATE would. busy_timeout is 0: a lock held by another process fails it at
 *   once with SQLITE_BUSY, and the batch writer waits asynchronously (lib/events/writer.ts).
 * - PostgreSQL: every instance's writer takes the same transaction-level advisory lock, so ids
 *   have no gaps across instances (docs/decisions/010-scale-out.md).
 */

/** Serialises event writes across PostgreSQL instances (any fixed number). */
const WRITE_LOCK = 7_340_212;

/** Under load a batch may wait for the lock behind other instances' (or processes') batches. */
const TRANSACTION_LIMITS = { maxWait: 10_000, timeout: 20_000 };

interface Dialect {
  takeWriteLock: Prisma.Sql;
  /** `<column> IN <values>`, one parameter for any number of values. */
  oneOf: (values: string[]) => Prisma.Sql;
  /** One INSERT for a batch's rows, each row's values in `columns` order. */
  insert: (table: string, columns: readonly string[], rows: unknown[][]) => Prisma.Sql;
  date: (d: Date) => unknown;
}

/** A write that changes no row: SQLite takes its write lock for it all the same. */
export const SQLITE_WRITE_LOCK = Prisma.sql`UPDATE "events" SET "id" = "id" WHERE 0`;

const SQLITE: Dialect = {
  takeWriteLock: SQLITE_WRITE_LOCK,
  oneOf: (values) => Prisma.sql`IN (SELECT "value" FROM json_each(${JSON.stringify(values)}))`,
  // The rows travel as one JSON parameter: Prisma handles each bound value one by one (31 a
  // row), and a 200-row batch took about a fifth more CPU as VALUES (decision 034). `->>`
  // gives SQLite the same text, integer or null that binding the value would.
  insert: (table, columns, rows) =>
    Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(columnList(columns))})
      SELECT ${Prisma.raw(columns.map((_, i) => `"value" ->> ${i}`).join(", "))} FROM json_each(${JSON.stringify(rows)})`,
  // As Prisma's adapter writes a DateTime; JSON would give "Z" where it gives "+00:00".
  date: sqliteDate,
};

const POSTGRES: Dialect = {
  takeWriteLock: Prisma.raw(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`),
  oneOf: (values) => Prisma.sql`= ANY(${values}::text[])`,
  insert: (table, columns, rows) =>
    Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} (${Prisma.raw(columnList(columns))})
      VALUES ${Prisma.join(rows.map((row) => Prisma.sql`(${Prisma.join(row)})`))}`,
  date: (d) => d,
};

/** Booleans are bound as they are: true and false are stored as Prisma's own writes store them. */
const same = <T>(value: T) => value;

const dialect = (): Dialect => (getConfig().databaseKind === "postgresql" ? POSTGRES : SQLITE);

/** Commits one batch of events; returns one outcome per event, in order. */
export function writeEvents(db: Database, events: NewEvent[], keys: string[]): Promise<WriteOutcome[]> {
  const d = dialect();
  return db.$transaction(async (tx) => {
    await tx.$executeRaw(d.takeWriteLock);
    const known = await tx.$queryRaw<{ dedupe_key: string; id: number | bigint }[]>`
      SELECT "dedupe_key", "id" FROM "events" WHERE "dedupe_key" ${d.oneOf([...new Set(keys)])}`;
    const tokens = tokenIdsOf(events);
    const knownTokens =
      tokens.length === 0
        ? []
        : await tx.$queryRaw<{ token_id: string; id: number | bigint }[]>`
            SELECT "token_id", "id" FROM "events" WHERE "token_id" ${d.oneOf(tokens)}`;
    const [{ max } = { max: 0 }] = await tx.$queryRaw<{ max: number | bigint | null }[]>`SELECT MAX("id") AS "max" FROM "events"`;
    const plan = planBatch(
      events,
      keys,
      {
        byKey: new Map(known.map((row) => [row.dedupe_key, Number(row.id)])),
        byToken: new Map(knownTokens.map((row) => [row.token_id, Number(row.id)])),
      },
      Number(max ?? 0),
    );
    if (plan.fresh.length > 0) {
      await tx.$executeRaw(
        d.insert(
          "events",
          EVENT_INSERT,
          plan.fresh.map((row) => eventValues(row.id, row.key, row.event, d.date)),
        ),
      );
    }
    for (const [id, repeat] of plan.repeats) {
      await tx.$executeRaw`UPDATE "events" SET "duplicates" = "duplicates" + ${repeat.count}, "last_duplicate_at" = ${repeat.at}
        WHERE "id" = ${id}`;
    }
    return plan.outcomes;
  }, TRANSACTION_LIMITS);
}

/**
 * REJECTIONS_MAX_ROWS: the oldest rows beyond the cap, by id (ids only grow, and rows only go
 * from the old end): MAX(id) is one index lookup, where a count(*) would read the whole index.
 */
function trimRejections(db: Database, maxRows: number) {
  return db.$executeRaw`DELETE FROM "rejections" WHERE "id" <= (SELECT MAX("id") FROM "rejections") - ${maxRows}`;
}

/**
 * Commits one batch of rejections, and drops the oldest beyond `maxRows` (0: no cap) in the same
 * transaction; returns their ids, in order (the live rejections view gets them with the rows).
 */
export async function writeRejections(db: Database, rejections: StoredRejection[], maxRows: number): Promise<number[]> {
  const d = dialect();
  const insert = Prisma.sql`${d.insert(
    "rejections",
    REJECTION_INSERT,
    rejections.map((r) => rejectionValues(r, d.date, same)),
  )} RETURNING "id"`;
  const [inserted] = await db.$transaction([
    db.$queryRaw<{ id: number | bigint }[]>(insert),
    ...(maxRows > 0 ? [trimRejections(db, maxRows)] : []),
  ]);
  // One statement's rows take their ids in the order they are given; RETURNING's order is not promised.
  return inserted.map((row) => Number(row.id)).sort((a, b) => a - b);
}
