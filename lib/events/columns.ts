import type { StoredRejection } from "@/lib/events/rejection-sampling";
import type { NewEvent } from "@/lib/events/store";
import type { Event, Rejection } from "@/lib/generated/sqlite/client.ts";

/**
 * The column manifests of the `events` and `rejections` tables: each column once, with its SQL
 * name, its field in prisma/schema.prisma, how it is stored, where it goes in the JSON and how a
 * new row gives its value. The insert and select lists, the row mappers, the JSON, the CSV
 * cells and the copy script's fields are all derived from these lists (lib/events/records.ts,
 * lib/events/sql.ts, lib/export/formats.ts, scripts/copy-database.ts).
 *
 * Adding a column:
 * 1. the field in prisma/schema.prisma (PostgreSQL's schema is derived from it: `npm run db:generate`);
 * 2. a migration for each database: prisma/migrations/ and prisma/postgres/migrations/;
 * 3. one entry here, at the place its field takes in the JSON (the order of these lists is the
 *    order of the JSON's fields), and the field in EventJson or RejectionJson (lib/events/types.ts);
 *    its header at the end of EVENT_CSV_COLUMNS if the CSV shows it.
 * The types follow: EventRecord is derived from this list, and a field missing from it, or
 * from EventJson (lib/events/types.ts), fails `npm run typecheck` (lib/events/columns.test.ts).
 */

/**
 * How a column is stored, and so how it is bound and read back. `time` is a DateTime: a Date
 * through Prisma and node-postgres, "…+00:00" text through the SQLite driver. `json` is text
 * holding a JSON object (a payload, headers), which readers parse totally (lib/events/records.ts).
 */
export type ColumnType = "text" | "integer" | "time" | "boolean" | "json";

/** A column's value as a new row gives it, before the driver's conversion of dates and booleans. */
interface InsertValue {
  text: string;
  integer: number;
  time: Date;
  boolean: boolean;
  json: string;
}

/** A column's value as a raw query reads it: Prisma gives bigint and Date, the drivers number and text. */
export interface ReadValue {
  text: string;
  integer: number | bigint;
  time: Date | string;
  boolean: boolean | number;
  json: string;
}

/**
 * Nested objects of the event's JSON, and when each is there at all: `error` when any of its
 * parts is set, `concat` only when all three are (a part without its total means nothing).
 */
export const EVENT_JSON_GROUPS = { error: "any", concat: "all" } as const;
export type EventJsonGroup = keyof typeof EVENT_JSON_GROUPS;

type EventColumnOf<T extends ColumnType> = {
  readonly sql: string;
  readonly field: keyof Event;
  readonly type: T;
  /** Its place in the event's JSON: a field, or a field of a nested object; none: written, never read back. */
  readonly json?: string | readonly [EventJsonGroup, string];
  /** Its value in a new row (`row`: the id and dedupe key the write plan gives); none: the column's default. */
  readonly insert?: (e: NewEvent, row: { id: number; key: string }) => InsertValue[T] | null;
};
/** No boolean column yet: the SQLite JSON (lib/events/sql.ts) would need a case for one. */
export type EventColumn = { [T in Exclude<ColumnType, "boolean">]: EventColumnOf<T> }[Exclude<ColumnType, "boolean">];

export const EVENT_COLUMNS = [
  { sql: "id", field: "id", type: "integer", json: "id", insert: (_, row) => row.id },
  { sql: "kind", field: "kind", type: "text", json: "kind", insert: (e) => e.kind },
  { sql: "dedupe_key", field: "dedupeKey", type: "text", insert: (_, row) => row.key },
  { sql: "message_uuid", field: "messageUuid", type: "text", json: "messageUuid", insert: (e) => e.messageUuid },
  { sql: "status", field: "status", type: "text", json: "status", insert: (e) => e.status },
  { sql: "channel", field: "channel", type: "text", json: "channel", insert: (e) => e.channel },
  { sql: "message_type", field: "messageType", type: "text", json: "messageType", insert: (e) => e.messageType },
  { sql: "from_number", field: "from", type: "text", json: "from", insert: (e) => e.from },
  { sql: "to_number", field: "to", type: "text", json: "to", insert: (e) => e.to },
  { sql: "client_ref", field: "clientRef", type: "text", json: "clientRef", insert: (e) => e.clientRef },
  { sql: "error_code", field: "errorCode", type: "text", json: ["error", "code"], insert: (e) => e.errorCode },
  { sql: "error_title", field: "errorTitle", type: "text", json: ["error", "title"], insert: (e) => e.errorTitle },
  { sql: "error_detail", field: "errorDetail", type: "text", json: ["error", "detail"], insert: (e) => e.errorDetail },
  { sql: "price", field: "price", type: "text", json: "price", insert: (e) => e.price },
  { sql: "currency", field: "currency", type: "text", json: "currency", insert: (e) => e.currency },
  { sql: "timestamp", field: "timestamp", type: "time", json: "timestamp", insert: (e) => e.timestamp },
  { sql: "received_at", field: "receivedAt", type: "time", json: "receivedAt", insert: (e) => e.receivedAt },
  { sql: "verification", field: "verification", type: "text", json: "verification", insert: (e) => e.verification },
  { sql: "hash_form", field: "hashForm", type: "text", json: "hashForm", insert: (e) => e.hashForm },
  { sql: "api_key", field: "apiKey", type: "text", json: "apiKey", insert: (e) => e.apiKey },
  { sql: "application_id", field: "applicationId", type: "text", json: "applicationId", insert: (e) => e.applicationId },
  { sql: "text", field: "text", type: "text", json: "text", insert: (e) => e.text },
  { sql: "network_code", field: "networkCode", type: "text", json: "networkCode", insert: (e) => e.networkCode },
  { sql: "concat_ref", field: "concatRef", type: "text", json: ["concat", "ref"], insert: (e) => e.concat?.ref ?? null },
  { sql: "concat_part", field: "concatPart", type: "integer", json: ["concat", "part"], insert: (e) => e.concat?.part ?? null },
  { sql: "concat_total", field: "concatTotal", type: "integer", json: ["concat", "total"], insert: (e) => e.concat?.total ?? null },
  { sql: "wire_form", field: "wireForm", type: "text", json: "wireForm", insert: (e) => e.wireForm },
  { sql: "duplicates", field: "duplicates", type: "integer", json: "duplicates", insert: () => 0 },
  // Set when a repeat is counted (lib/events/batch.ts).
  { sql: "last_duplicate_at", field: "lastDuplicateAt", type: "time", json: "lastDuplicateAt" },
  // The stored JSON objects come last in the JSON, whatever their place here: exports splice them in as text.
  { sql: "raw_body", field: "rawBody", type: "json", json: "payload", insert: (e) => e.rawBody },
  { sql: "headers", field: "headers", type: "json", json: "headers", insert: (e) => JSON.stringify(e.headers) },
  { sql: "token_id", field: "tokenId", type: "text", insert: (e) => e.tokenId },
] as const satisfies readonly EventColumn[];

type EventColumns = (typeof EVENT_COLUMNS)[number];
/** The columns read back: those with a place in the JSON. */
export type ReadEventColumn = Extract<EventColumns, { json: unknown }>;

/** A column's name in the CSV header: its JSON field, or the nested object's name and the field's (`errorCode`). */
type FlatName<J> = J extends string
  ? J
  : J extends readonly [infer G extends string, infer K extends string]
    ? `${G}${Capitalize<K>}`
    : never;
export type EventFlatName = FlatName<ReadEventColumn["json"]>;

/**
 * The event CSV's columns, in their documented order (README, "Export"), each a column of the
 * manifest (a nested field by its flat name). A stable contract: a new column goes at the end.
 */
export const EVENT_CSV_COLUMNS = [
  "id",
  "receivedAt",
  "timestamp",
  "kind",
  "channel",
  "messageUuid",
  "status",
  "messageType",
  "from",
  "to",
  "clientRef",
  "errorCode",
  "errorTitle",
  "price",
  "currency",
  "verification",
  "duplicates",
  "text",
  "payload",
] as const satisfies readonly EventFlatName[];

/** Nullable in the schema: the Prisma model's field admits null. */
type NullOf<Model, F extends keyof Model> = null extends Model[F] ? null : never;

/** An event row as the raw queries read it: the read columns by SQL name. */
export type EventRecord = { [C in ReadEventColumn as C["sql"]]: ReadValue[C["type"]] | NullOf<Event, C["field"]> };

const INSERTED_EVENT_COLUMNS = EVENT_COLUMNS.filter((c): c is Extract<EventColumns, { insert: unknown }> => "insert" in c);
/** The columns a new event row is written with, in the order eventValues gives them. */
export const EVENT_INSERT: readonly string[] = INSERTED_EVENT_COLUMNS.map((c) => c.sql);

/** The columns a query reads, in the order recordFromRow takes them. */
export const READ_EVENT_COLUMNS: readonly ReadEventColumn[] = EVENT_COLUMNS.filter((c): c is ReadEventColumn => "json" in c);

/** Every column, for a copy of the whole table. */
export const EVENT_ALL: readonly string[] = EVENT_COLUMNS.map((c) => c.sql);

export function flatNameOf(c: ReadEventColumn): EventFlatName {
  const json: ReadEventColumn["json"] = c.json;
  return (typeof json === "string" ? json : `${json[0]}${json[1].charAt(0).toUpperCase()}${json[1].slice(1)}`) as EventFlatName;
}

/** A field of the event's JSON: one column's value, or a nested object of several. */
export type EventJsonPart =
  | { name: string; column: ReadEventColumn }
  | { name: EventJsonGroup; when: "any" | "all"; members: { key: string; column: ReadEventColumn }[] };

/** The event's JSON fields in order, but for the stored JSON objects, which follow them (EVENT_STORED_JSON). */
export const EVENT_JSON_SHAPE: readonly EventJsonPart[] = (() => {
  const parts: EventJsonPart[] = [];
  for (const column of READ_EVENT_COLUMNS) {
    if (column.type === "json") continue;
    const json: ReadEventColumn["json"] = column.json;
    if (typeof json === "string") {
      parts.push({ name: json, column });
      continue;
    }
    const [group, key] = json;
    let part = parts.find((p) => p.name === group && "members" in p);
    if (!part) {
      part = { name: group, when: EVENT_JSON_GROUPS[group], members: [] };
      parts.push(part);
    }
    if ("members" in part) part.members.push({ key, column });
  }
  return parts;
})();

/** The stored JSON objects (payload, headers), the last fields of the event's JSON. */
export const EVENT_STORED_JSON: readonly { name: string; column: ReadEventColumn }[] = READ_EVENT_COLUMNS.flatMap((column) =>
  column.type === "json" && typeof column.json === "string" ? [{ name: column.json, column }] : [],
);

/** Dates and booleans as the driver binds them; everything else as it is. */
interface DriverConvention {
  date: (d: Date) => unknown;
  bool?: (b: boolean) => unknown;
}

function bound(type: ColumnType, value: unknown, driver: DriverConvention): unknown {
  if (value === null) return null;
  if (type === "time") return driver.date(value as Date);
  if (type === "boolean" && driver.bool) return driver.bool(value as boolean);
  return value;
}

/** One new row's values, in EVENT_INSERT's order, dates converted by the caller's driver convention. */
export function eventValues(id: number, key: string, e: NewEvent, date: (d: Date) => unknown): unknown[] {
  const row = { id, key };
  return INSERTED_EVENT_COLUMNS.map((c) => bound(c.type, c.insert(e, row), { date }));
}

/** A new event as a query would read its row back (dates as Date), before it is written. */
export function newEventRecord(id: number, e: NewEvent): EventRecord {
  const row = { id, key: "" };
  const record: Record<string, unknown> = {};
  // Not the stored JSON (payload, headers): the caller has them as objects, and eventFields leaves them out.
  for (const c of READ_EVENT_COLUMNS) record[c.sql] = "insert" in c && c.type !== "json" ? c.insert(e, row) : null;
  return record as EventRecord;
}

const READ_NAMES = READ_EVENT_COLUMNS.map((c) => c.sql);
/**
 * Copied for each row, so that every record starts with all its properties in one order: filling
 * it took a third of the time of adding the properties one by one (a rough timing; an export maps
 * every row it writes).
 */
const EMPTY_RECORD: Record<string, unknown> = Object.fromEntries(READ_NAMES.map((name) => [name, null]));

/** A row read as an array, in READ_EVENT_COLUMNS' order (the drivers' raw mode). */
export function recordFromRow(row: unknown[]): EventRecord {
  const record = { ...EMPTY_RECORD };
  for (let i = 0; i < READ_NAMES.length; i++) record[READ_NAMES[i]!] = row[i];
  return record as EventRecord;
}

type RejectionColumnOf<T extends ColumnType> = {
  readonly sql: string;
  /** The Prisma field, which is also its name in the JSON and the CSV. */
  readonly field: keyof Rejection;
  readonly type: T;
  /** Its value in a new row; none: the column's default. */
  readonly insert?: (r: StoredRejection) => InsertValue[T] | null;
};
export type RejectionColumn = { [T in ColumnType]: RejectionColumnOf<T> }[ColumnType];

/** In the order of the rejection's JSON. Read through Prisma's model (by field), never by hand. */
export const REJECTION_COLUMNS = [
  { sql: "id", field: "id", type: "integer" },
  { sql: "received_at", field: "receivedAt", type: "time", insert: (r) => r.receivedAt },
  { sql: "endpoint", field: "endpoint", type: "text", insert: (r) => r.endpoint },
  { sql: "method", field: "method", type: "text", insert: (r) => r.method },
  { sql: "reason", field: "reason", type: "text", insert: (r) => r.reason },
  { sql: "detail", field: "detail", type: "text", insert: (r) => r.detail },
  { sql: "http_status", field: "httpStatus", type: "integer", insert: (r) => r.httpStatus },
  { sql: "source_ip", field: "sourceIp", type: "text", insert: (r) => r.sourceIp },
  { sql: "headers", field: "headers", type: "json", insert: (r) => JSON.stringify(r.headers) },
  { sql: "token_claims", field: "tokenClaims", type: "json", insert: (r) => (r.tokenClaims ? JSON.stringify(r.tokenClaims) : null) },
  { sql: "body", field: "body", type: "text", insert: (r) => r.body },
  { sql: "body_bytes", field: "bodyBytes", type: "integer", insert: (r) => r.bodyBytes },
  { sql: "body_truncated", field: "bodyTruncated", type: "boolean", insert: (r) => r.bodyTruncated },
  { sql: "repeats", field: "repeats", type: "integer", insert: (r) => r.repeats },
] as const satisfies readonly RejectionColumn[];

export type RejectionField = (typeof REJECTION_COLUMNS)[number]["field"];

/** The rejection CSV's columns, in their documented order; a new column goes at the end. */
export const REJECTION_CSV_COLUMNS = [
  "id",
  "receivedAt",
  "endpoint",
  "method",
  "reason",
  "detail",
  "httpStatus",
  "sourceIp",
  "bodyBytes",
  "bodyTruncated",
  "headers",
  "tokenClaims",
  "body",
  "repeats",
] as const satisfies readonly RejectionField[];

const INSERTED_REJECTION_COLUMNS = REJECTION_COLUMNS.filter(
  (c): c is Extract<(typeof REJECTION_COLUMNS)[number], { insert: unknown }> => "insert" in c,
);
/** The columns a new rejection row is written with (its id comes from the table), in rejectionValues' order. */
export const REJECTION_INSERT: readonly string[] = INSERTED_REJECTION_COLUMNS.map((c) => c.sql);
export const REJECTION_ALL: readonly string[] = REJECTION_COLUMNS.map((c) => c.sql);

/** A new rejection as Prisma would read its row back, before it is written; `id` from the insert. */
export function newRejectionRow(id: number, r: StoredRejection): Rejection {
  const row: Record<string, unknown> = {};
  for (const c of REJECTION_COLUMNS) row[c.field] = "insert" in c ? c.insert(r) : id;
  return row as unknown as Rejection;
}

export function rejectionValues(r: StoredRejection, date: (d: Date) => unknown, bool: (b: boolean) => unknown): unknown[] {
  return INSERTED_REJECTION_COLUMNS.map((c) => bound(c.type, c.insert(r), { date, bool }));
}
