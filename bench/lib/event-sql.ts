import { EVENT_SELECT, eventConditions, whereClause } from "@/lib/events/sql";
import type { EventFilter } from "@/lib/events/filter";
import { Prisma } from "@/lib/generated/sqlite/client.ts";

/**
 * The SQL the server runs for the read API and exports, built with the console's own
 * fragments (lib/events/sql.ts), so query plans and the raw-read baseline use the same
 * statements. The SELECT/ORDER/LIMIT shell repeats lib/events/query.ts (selectEvents and
 * eventSnapshot's page query are not exported).
 */

export interface BoundSql {
  sql: string;
  values: unknown[];
}

function bound(query: Prisma.Sql): BoundSql {
  return { sql: query.sql, values: query.values };
}

/** listEvents: newest first (or oldest first with `after`), one row more than the page. */
export function listEventsSql(filter: EventFilter, page: { limit: number; before?: number; after?: number }): BoundSql {
  const conditions = eventConditions(filter);
  if (page.before !== undefined) conditions.push(Prisma.sql`"id" < ${page.before}`);
  if (page.after !== undefined) conditions.push(Prisma.sql`"id" > ${page.after}`);
  const order = page.after !== undefined ? "ASC" : "DESC";
  return bound(
    Prisma.sql`SELECT ${EVENT_SELECT} FROM "events" ${whereClause(conditions)} ORDER BY "id" ${Prisma.raw(order)} LIMIT ${page.limit + 1}`,
  );
}

/** listMessageEvents: every event of one message (sorted by provider time in JS afterwards). */
export function messageEventsSql(messageUuid: string): BoundSql {
  return bound(
    Prisma.sql`SELECT ${EVENT_SELECT} FROM "events" ${whereClause(eventConditions({ message_id: messageUuid }))} ORDER BY "id" ASC LIMIT ${10_000}`,
  );
}

/** Every event, newest first, in one statement: the raw-read baseline of the export. */
export function allEventsSql(): BoundSql {
  return bound(Prisma.sql`SELECT ${EVENT_SELECT} FROM "events" ORDER BY "id" DESC`);
}

/** One page of an unfiltered export (eventSnapshot.readPage), for its query plan. */
export function exportPageSql(cursor: number, pageSize = 500): BoundSql {
  return bound(
    Prisma.sql`SELECT ${EVENT_SELECT} FROM "events" ${whereClause([Prisma.sql`"id" <= ${cursor}`])} ORDER BY "id" DESC LIMIT ${pageSize}`,
  );
}
