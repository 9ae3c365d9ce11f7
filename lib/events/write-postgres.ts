import type { Database } from "@/lib/db/client";
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
 * The PostgreSQL write path, through Prisma's interactive transaction on a pooled connection.
 * Every writer on every instance takes the same transaction-level lock first, so ids are
 * handed out in commit order with no gaps across instances (docs/decisions/010-scale-out.md).
 */

/** Serialises event writes across instances (any fixed number). */
const WRITE_LOCK = 7_340_212;

/** `($1, $2, …), ($n+1, …)`: placeholders for rows of `width` values. */
function rowsOf(rows: number, width: number): string {
  return Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(", ")})`).join(
    ", ",
  );
}

export async function writeEventsPostgres(db: Database, events: NewEvent[], keys: string[]): Promise<WriteOutcome[]> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${WRITE_LOCK})`);
      const known = await tx.$queryRawUnsafe<{ dedupe_key: string; id: number | bigint }[]>(
        `SELECT "dedupe_key", "id" FROM "events" WHERE "dedupe_key" = ANY($1::text[])`,
        [...new Set(keys)],
      );
      const tokens = tokenIdsOf(events);
      const knownTokens =
        tokens.length === 0
          ? []
          : await tx.$queryRawUnsafe<{ token_id: string; id: number | bigint }[]>(
              `SELECT "token_id", "id" FROM "events" WHERE "token_id" = ANY($1::text[])`,
              tokens,
            );
      const [{ max } = { max: 0 }] = await tx.$queryRawUnsafe<{ max: number | bigint | null }[]>(`SELECT MAX("id") AS "max" FROM "events"`);
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
        await tx.$executeRawUnsafe(
          `INSERT INTO "events" (${columnList(EVENT_COLUMNS)}) VALUES ${rowsOf(plan.fresh.length, EVENT_COLUMNS.length)}`,
          ...plan.fresh.flatMap((row) => eventValues(row.id, row.key, row.event, (d) => d)),
        );
      }
      for (const [id, repeat] of plan.repeats) {
        await tx.$executeRawUnsafe(
          `UPDATE "events" SET "duplicates" = "duplicates" + $1, "last_duplicate_at" = $2 WHERE "id" = $3`,
          repeat.count,
          repeat.at,
          id,
        );
      }
      return plan.outcomes;
    },
    // Under load a batch may wait for the lock behind other instances' batches.
    { maxWait: 10_000, timeout: 20_000 },
  );
}

/** Inserts one batch of rejections, then drops the oldest beyond `maxRows` (0: no cap); returns their ids, in order. */
export async function writeRejectionsPostgres(db: Database, rejections: StoredRejection[], maxRows: number): Promise<number[]> {
  const inserted = await db.$queryRawUnsafe<{ id: number }[]>(
    `INSERT INTO "rejections" (${columnList(REJECTION_COLUMNS)}) VALUES ${rowsOf(rejections.length, REJECTION_COLUMNS.length)} RETURNING "id"`,
    ...rejections.flatMap((r) =>
      rejectionValues(
        r,
        (d) => d,
        (b) => b,
      ),
    ),
  );
  if (maxRows > 0) await db.$executeRawUnsafe(TRIM_REJECTIONS.replace("?", "$1"), maxRows);
  // One statement's rows take the sequence's values in VALUES order; RETURNING's order is not promised.
  return inserted.map((row) => Number(row.id)).sort((a, b) => a - b);
}
