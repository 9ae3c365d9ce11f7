import {
  EVENT_JSON_SHAPE,
  EVENT_STORED_JSON,
  newEventRecord,
  newRejectionRow,
  REJECTION_COLUMNS,
  type ColumnType,
  type EventJsonPart,
  type EventRecord,
} from "@/lib/events/columns";
import type { StoredRejection } from "@/lib/events/rejection-sampling";
import type { NewEvent } from "@/lib/events/store";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import type { Rejection } from "@/lib/generated/sqlite/client.ts";
import { isObject, type JsonObject } from "@/lib/vonage/content";
import { jsonDepth, MAX_JSON_DEPTH, stripBom } from "@/lib/vonage/json";

/**
 * Rows turned into the API's JSON, as lib/events/columns.ts describes them: event rows as the
 * raw queries return them (snake_case columns; times as Date through Prisma, or as stored text
 * through the driver), rejections as Prisma's model reads them.
 */

/** ISO 8601 in UTC with milliseconds, from a Date or from SQLite's stored "…+00:00" text. */
export function isoTime(value: Date | string): string;
export function isoTime(value: Date | string | null): string | null;
export function isoTime(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === "string" && value.length === 29 && value.endsWith("+00:00")) return `${value.slice(0, 23)}Z`;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A column's value as the JSON gives it (stored JSON objects apart: they are parsed or spliced). */
export function jsonValueOf(type: ColumnType, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (type === "integer") return Number(value);
  if (type === "time") return isoTime(value as Date | string);
  if (type === "boolean") return Boolean(value);
  return value as string;
}

function readerOf(part: EventJsonPart): (r: EventRecord) => unknown {
  if (!("members" in part)) {
    const { sql, type } = part.column;
    return (r) => jsonValueOf(type, r[sql]);
  }
  const { members, when } = part;
  return (r) => {
    let set = 0;
    for (const m of members) if (r[m.column.sql] !== null) set++;
    if (when === "any" ? set === 0 : set < members.length) return null;
    const object: Record<string, unknown> = {};
    for (const m of members) object[m.key] = jsonValueOf(m.column.type, r[m.column.sql]);
    return object;
  };
}

const EVENT_FIELD_READERS = EVENT_JSON_SHAPE.map((part) => ({ name: part.name, read: readerOf(part) }));

/** Everything but the stored JSON objects (payload, headers), which the callers add parsed or verbatim. */
export function eventFields(r: EventRecord): Omit<EventJson, "payload" | "headers"> {
  const fields: Record<string, unknown> = {};
  for (const { name, read } of EVENT_FIELD_READERS) fields[name] = read(r);
  return fields as unknown as Omit<EventJson, "payload" | "headers">;
}

export function eventRecordToJson(r: EventRecord): EventJson {
  const json: Record<string, unknown> = eventFields(r);
  for (const { name, column } of EVENT_STORED_JSON) json[name] = storedObject(r[column.sql] as string);
  return json as unknown as EventJson;
}

/** A new event's JSON, from the row it is written as; its payload and headers as it holds them, parsed. */
export function newEventToJson(id: number, e: NewEvent): EventJson {
  return { ...eventFields(newEventRecord(id, e)), payload: e.payload, headers: e.headers };
}

export function rejectionRowToJson(row: Rejection): RejectionJson {
  const json: Record<string, unknown> = {};
  for (const { field, type } of REJECTION_COLUMNS) {
    const value = row[field];
    json[field] = type !== "json" ? jsonValueOf(type, value) : value === null ? null : storedObject(value as string);
  }
  return json as unknown as RejectionJson;
}

/** A rejection as written, in the JSON the read API serves for its row. */
export function newRejectionToJson(id: number, r: StoredRejection): RejectionJson {
  return rejectionRowToJson(newRejectionRow(id, r));
}

/**
 * Stored JSON text (a payload, headers, token claims) as a reader takes it: every reader is
 * total (docs/decisions/020-stored-payloads.md). A leading byte-order mark is dropped (rows
 * stored before it was stripped on arrival); text that is not a JSON object, or nests more
 * than MAX_JSON_DEPTH levels, is `unreadable`, never an exception. A readable value nests at
 * most MAX_JSON_DEPTH levels, so walking it recursively is bounded.
 */
export type StoredJson = { ok: true; value: JsonObject; text: string } | { ok: false; why: string; text: string };

export function readStoredJson(stored: string): StoredJson {
  const text = stripBom(stored);
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { ok: false, why: `stored JSON nests more than ${MAX_JSON_DEPTH} levels deep`, text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, why: `stored text is not valid JSON: ${(error as Error).message}`, text };
  }
  return isObject(value) ? { ok: true, value, text } : { ok: false, why: "stored JSON is not an object", text };
}

/**
 * The degraded form of stored JSON that cannot be read: why, and the stored text as a string
 * (README, "Event JSON"). A string nests nowhere, so every reader can carry it.
 */
export function unreadableJson(why: string, text: string): JsonObject {
  return { _unreadable: why, _stored: text };
}

/** Stored JSON text as an object: the value, or its degraded form. */
export function storedObject(stored: string): JsonObject {
  const read = readStoredJson(stored);
  return read.ok ? read.value : unreadableJson(read.why, read.text);
}

/**
 * The same JSON as JSON.stringify(eventRecordToJson(r)), without re-encoding the payload: the
 * stored body is spliced in as it is when it is already on one line (Vonage sends compact
 * JSON); a body with line breaks is re-encoded so each event stays on one line.
 */
export function eventRecordToJsonText(r: EventRecord): string {
  let json = JSON.stringify(eventFields(r)).slice(0, -1);
  for (const { name, column } of EVENT_STORED_JSON) json += `,"${name}":${objectLine(r[column.sql] as string)}`;
  return `${json}}`;
}

/** An event as one line of JSON text, and its id. */
export interface EventLine {
  id: number;
  json: string;
}

export function eventLineOfRecord(r: EventRecord): EventLine {
  return { id: Number(r.id), json: eventRecordToJsonText(r) };
}

/**
 * A row of EVENT_JSON_SELECT (lib/events/sql.ts): [id, the fields' JSON, each stored JSON object,
 * whether each is valid JSON]. The fields' JSON comes from SQLite, and so does the validity
 * (json_valid, in C), which saves parsing them here.
 */
export function eventLineOfJsonRow(row: unknown[]): EventLine {
  const stored = EVENT_STORED_JSON.length;
  let json = (row[1] as string).slice(0, -1);
  for (let i = 0; i < stored; i++)
    json += `,"${EVENT_STORED_JSON[i]!.name}":${objectLine(row[2 + i] as string, row[2 + stored + i] === 1)}`;
  return { id: row[0] as number, json: `${json}}` };
}

/**
 * Stored JSON (the payload) for a CSV cell: as stored when it is one object on one line (every
 * body accepted since bodies are parsed before they are stored), else one line of JSON or its
 * degraded form. Parsing every row to check it halved a CSV export (decision 020): a cell is
 * text, so a damaged row that still looks like one object shows as it is, in its own cell only.
 */
export function storedJsonCell(stored: string): string {
  const text = stripBom(stored);
  if (text.charCodeAt(0) === 0x7b && text.charCodeAt(text.length - 1) === 0x7d && !/[\r\n]/.test(text)) return text;
  return objectLine(text);
}

/**
 * Stored JSON text as one line of JSON text for an object: as stored when it already is one.
 * `knownValid` (SQLite's json_valid, in C) spares the parse that checks it; the line is spliced,
 * never walked, so its depth does not matter here (decision 020).
 */
function objectLine(stored: string, knownValid = false): string {
  if (knownValid && stored.charCodeAt(0) === 0x7b && !/[\r\n]/.test(stored)) return stored;
  const read = readStoredJson(stored);
  if (!read.ok) return JSON.stringify(unreadableJson(read.why, read.text));
  return /[\r\n]/.test(read.text) ? JSON.stringify(read.value) : read.text;
}
