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

/** A stored time as isoTime (lib/events/records.ts) gives it: "…+00:00" as "…Z", with milliseconds. */
function sqliteIsoTime(column: string): string {
  return `CASE WHEN length(${column}) = 29 AND substr(${column}, 24) = '+00:00' THEN substr(${column}, 1, 23) || 'Z'
    ELSE strftime('%Y-%m-%dT%H:%M:%fZ', ${column}) END`;
}

/**
 * SQLite only: an event row as [id, its fields as JSON, raw_body, headers, whether each of those two
 * is valid JSON (RFC 8259: json_valid's flag 1)], the fields built by
 * SQLite's json_object in eventFields' order and shape (lib/events/records.ts; a test holds the
 * two to the same text). Reading these values is about 1.4× faster than the thirty
 * columns, and the JSON needs no building in JavaScript: exports use it (docs/performance-log.md).
 */
export const EVENT_JSON_COLUMNS = Prisma.raw(
  `"id", json_object('id', "id", 'kind', "kind", 'messageUuid', "message_uuid", 'status', "status", 'channel', "channel",
  'messageType', "message_type", 'from', "from_number", 'to', "to_number", 'clientRef', "client_ref",
  'error', CASE WHEN "error_code" IS NULL AND "error_title" IS NULL AND "error_detail" IS NULL THEN NULL
    ELSE json_object('code', "error_code", 'title', "error_title", 'detail', "error_detail") END,
  'price', "price", 'currency', "currency", 'timestamp', ${sqliteIsoTime(`"timestamp"`)}, 'receivedAt', ${sqliteIsoTime(`"received_at"`)},
  'verification', "verification", 'hashForm', "hash_form", 'apiKey', "api_key", 'applicationId', "application_id", 'text', "text",
  'networkCode', "network_code",
  'concat', CASE WHEN "concat_ref" IS NOT NULL AND "concat_part" IS NOT NULL AND "concat_total" IS NOT NULL
    THEN json_object('ref', "concat_ref", 'part', "concat_part", 'total', "concat_total") END,
  'wireForm', "wire_form", 'duplicates', "duplicates", 'lastDuplicateAt', ${sqliteIsoTime(`"last_duplicate_at"`)}), "raw_body", "headers",
  json_valid("raw_body", 1), json_valid("headers", 1)`,
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
