import { getConfig } from "@/lib/config";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { normalizePhone, type EventFilter } from "@/lib/events/filter";

/**
 * The event filters as SQL: the one translation of lib/events/filter.ts to the database,
 * used by the read API, the live catch-up and exports (its JS twin, matchesFilter, must
 * agree; a test checks that they do). Parameterised through Prisma.sql, so the same
 * fragment runs on SQLite and PostgreSQL.
 */

/** Every column of an event row, in one order, for the raw queries (recordFromRow relies on it). */
export const EVENT_COLUMNS = Prisma.raw(
  `"id", "kind", "message_uuid", "status", "channel", "message_type", "from_number", "to_number", "client_ref", "error_code",
  "error_title", "error_detail", "price", "currency", "timestamp", "received_at", "verification", "hash_form", "api_key",
  "application_id", "text", "raw_body", "headers", "duplicates", "last_duplicate_at", "network_code", "concat_ref",
  "concat_part", "concat_total", "wire_form"`,
);

/** LIKE with the user's text taken literally. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function eventConditions(filter: EventFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filter.message_id !== undefined) conditions.push(Prisma.sql`"message_uuid" = ${filter.message_id}`);
  if (filter.kind !== undefined) conditions.push(Prisma.sql`"kind" = ${filter.kind}`);
  if (filter.status !== undefined) conditions.push(Prisma.sql`"status" = ${filter.status}`);
  if (filter.channel !== undefined) conditions.push(Prisma.sql`"channel" = ${filter.channel}`);
  if (filter.client_ref !== undefined) conditions.push(Prisma.sql`"client_ref" = ${filter.client_ref}`);
  if (filter.phone !== undefined) {
    const phone = normalizePhone(filter.phone);
    conditions.push(Prisma.sql`("from_number" = ${phone} OR "to_number" = ${phone})`);
  }
  if (filter.text !== undefined) conditions.push(textContains(filter.text));
  if (filter.since !== undefined) conditions.push(Prisma.sql`"received_at" >= ${filter.since}`);
  if (filter.until !== undefined) conditions.push(Prisma.sql`"received_at" <= ${filter.until}`);
  return conditions;
}

/**
 * Case-insensitive for A–Z only, on both stores, like matchesFilter: that is what SQLite's
 * LIKE does; PostgreSQL's LIKE is case-sensitive, so both sides are folded there.
 */
function textContains(text: string): Prisma.Sql {
  const pattern = likeContains(text);
  if (getConfig().databaseKind === "postgresql") {
    return Prisma.sql`translate("text", ${UPPER}, ${LOWER}) LIKE translate(${pattern}, ${UPPER}, ${LOWER}) ESCAPE '\\'`;
  }
  return Prisma.sql`"text" LIKE ${pattern} ESCAPE '\\'`;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

export function whereClause(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`;
}
