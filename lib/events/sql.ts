import { getConfig } from "@/lib/config";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { EVENT_JSON_SHAPE, EVENT_STORED_JSON, READ_EVENT_COLUMNS, type EventJsonPart, type ReadEventColumn } from "@/lib/events/columns";
import { normalizePhone, type EventFilter } from "@/lib/events/filter";

/**
 * The event filters as SQL: the one translation of lib/events/filter.ts to the database,
 * used by the read API, the live catch-up and exports (its JS twin, matchesFilter, must
 * agree; a test checks that they do). Parameterised through Prisma.sql, so the same
 * fragment runs on SQLite and PostgreSQL.
 */

/** The read columns of an event row (lib/events/columns.ts), in the order recordFromRow takes them. */
export const EVENT_SELECT = Prisma.raw(READ_EVENT_COLUMNS.map((c) => `"${c.sql}"`).join(", "));

/** A stored time as isoTime (lib/events/records.ts) gives it: "…+00:00" as "…Z", with milliseconds. */
function sqliteIsoTime(column: string): string {
  return `CASE WHEN length(${column}) = 29 AND substr(${column}, 24) = '+00:00' THEN substr(${column}, 1, 23) || 'Z'
    ELSE strftime('%Y-%m-%dT%H:%M:%fZ', ${column}) END`;
}

function sqliteJsonValue(column: ReadEventColumn): string {
  return column.type === "time" ? sqliteIsoTime(`"${column.sql}"`) : `"${column.sql}"`;
}

/** One field of json_object's arguments: a column, or a nested object present as its group's rule says. */
function sqliteJsonField(part: EventJsonPart): string {
  if (!("members" in part)) return `'${part.name}', ${sqliteJsonValue(part.column)}`;
  const object = `json_object(${part.members.map((m) => `'${m.key}', ${sqliteJsonValue(m.column)}`).join(", ")})`;
  const nulls = part.members.map((m) => `"${m.column.sql}" IS NULL`);
  const present = part.when === "any" ? `NOT (${nulls.join(" AND ")})` : `NOT (${nulls.join(" OR ")})`;
  return `'${part.name}', CASE WHEN ${present} THEN ${object} END`;
}

/**
 * SQLite only: an event row as [id, its fields as JSON, each stored JSON object (raw_body,
 * headers), whether each is valid JSON (RFC 8259: json_valid's flag 1)], the fields built by
 * SQLite's json_object in the shape and order eventFields gives them (lib/events/records.ts;
 * both derive it from lib/events/columns.ts, and a test holds the two to the same text). Reading
 * these values is about 1.4× faster than the thirty columns, and the JSON needs no building in
 * JavaScript: exports use it (docs/decisions/026-export-json-built-by-sqlite.md).
 */
export const EVENT_JSON_SELECT = Prisma.raw(
  [
    `"id"`,
    `json_object(${EVENT_JSON_SHAPE.map(sqliteJsonField).join(", ")})`,
    ...EVENT_STORED_JSON.map(({ column }) => `"${column.sql}"`),
    ...EVENT_STORED_JSON.map(({ column }) => `json_valid("${column.sql}", 1)`),
  ].join(", "),
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
  if (filter.error_code !== undefined) conditions.push(Prisma.sql`"error_code" = ${filter.error_code}`);
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
