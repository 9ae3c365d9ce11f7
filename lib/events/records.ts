import type { EventJson, EventKind, Verification } from "@/lib/events/types";
import { isObject, type JsonObject } from "@/lib/vonage/content";
import { jsonDepth, MAX_JSON_DEPTH, stripBom } from "@/lib/vonage/json";

/**
 * Event rows as the raw queries return them (snake_case columns; times as Date through
 * Prisma, or as stored text through the driver), turned into the API's JSON.
 */

export interface EventRecord {
  id: number | bigint;
  kind: string;
  message_uuid: string | null;
  status: string | null;
  channel: string | null;
  message_type: string | null;
  from_number: string | null;
  to_number: string | null;
  client_ref: string | null;
  error_code: string | null;
  error_title: string | null;
  error_detail: string | null;
  price: string | null;
  currency: string | null;
  timestamp: Date | string | null;
  received_at: Date | string;
  verification: string;
  hash_form: string | null;
  api_key: string | null;
  application_id: string | null;
  text: string | null;
  raw_body: string;
  headers: string;
  duplicates: number | bigint;
  last_duplicate_at: Date | string | null;
  network_code: string | null;
  concat_ref: string | null;
  concat_part: number | bigint | null;
  concat_total: number | bigint | null;
  wire_form: string | null;
}

/** ISO 8601 in UTC with milliseconds, from a Date or from SQLite's stored "…+00:00" text. */
export function isoTime(value: Date | string): string;
export function isoTime(value: Date | string | null): string | null;
export function isoTime(value: Date | string | null): string | null {
  if (value === null) return null;
  if (typeof value === "string" && value.length === 29 && value.endsWith("+00:00")) return `${value.slice(0, 23)}Z`;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The columns of EVENT_COLUMNS (lib/events/sql.ts), in that order, for rows read as arrays. */
export function recordFromRow(row: unknown[]): EventRecord {
  return {
    id: row[0] as number,
    kind: row[1] as string,
    message_uuid: row[2] as string | null,
    status: row[3] as string | null,
    channel: row[4] as string | null,
    message_type: row[5] as string | null,
    from_number: row[6] as string | null,
    to_number: row[7] as string | null,
    client_ref: row[8] as string | null,
    error_code: row[9] as string | null,
    error_title: row[10] as string | null,
    error_detail: row[11] as string | null,
    price: row[12] as string | null,
    currency: row[13] as string | null,
    timestamp: row[14] as string | null,
    received_at: row[15] as string,
    verification: row[16] as string,
    hash_form: row[17] as string | null,
    api_key: row[18] as string | null,
    application_id: row[19] as string | null,
    text: row[20] as string | null,
    raw_body: row[21] as string,
    headers: row[22] as string,
    duplicates: row[23] as number,
    last_duplicate_at: row[24] as string | null,
    network_code: row[25] as string | null,
    concat_ref: row[26] as string | null,
    concat_part: row[27] as number | null,
    concat_total: row[28] as number | null,
    wire_form: row[29] as string | null,
  };
}

/** Everything but the payload and headers, which the callers add parsed or verbatim. */
export function eventFields(r: EventRecord): Omit<EventJson, "payload" | "headers"> {
  return {
    id: Number(r.id),
    kind: r.kind as EventKind,
    messageUuid: r.message_uuid,
    status: r.status,
    channel: r.channel,
    messageType: r.message_type,
    from: r.from_number,
    to: r.to_number,
    clientRef: r.client_ref,
    error:
      r.error_code === null && r.error_title === null && r.error_detail === null
        ? null
        : { code: r.error_code, title: r.error_title, detail: r.error_detail },
    price: r.price,
    currency: r.currency,
    timestamp: isoTime(r.timestamp),
    receivedAt: isoTime(r.received_at),
    verification: r.verification as Verification,
    hashForm: r.hash_form,
    apiKey: r.api_key,
    applicationId: r.application_id,
    text: r.text,
    networkCode: r.network_code,
    concat:
      r.concat_ref !== null && r.concat_part !== null && r.concat_total !== null
        ? { ref: r.concat_ref, part: Number(r.concat_part), total: Number(r.concat_total) }
        : null,
    wireForm: r.wire_form,
    duplicates: Number(r.duplicates),
    lastDuplicateAt: isoTime(r.last_duplicate_at),
  };
}

export function eventRecordToJson(r: EventRecord): EventJson {
  return { ...eventFields(r), payload: storedObject(r.raw_body), headers: storedObject(r.headers) as Record<string, string> };
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
  return withPayload(JSON.stringify(eventFields(r)), r.raw_body, r.headers);
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
 * A row of EVENT_JSON_COLUMNS (lib/events/sql.ts): the fields' JSON comes from SQLite, and so
 * does whether the body and headers are valid JSON (json_valid, in C), which saves parsing them here.
 */
export function eventLineOfJsonRow(row: unknown[]): EventLine {
  const json = `${(row[1] as string).slice(0, -1)},"payload":${objectLine(row[2] as string, row[4] === 1)},"headers":${objectLine(row[3] as string, row[5] === 1)}}`;
  return { id: row[0] as number, json };
}

function withPayload(fieldsJson: string, rawBody: string, headers: string): string {
  return `${fieldsJson.slice(0, -1)},"payload":${objectLine(rawBody)},"headers":${objectLine(headers)}}`;
}

/**
 * The payload for a CSV cell: the stored body as it is when it is one object on one line (every
 * body accepted since bodies are parsed before they are stored), else one line of JSON or its
 * degraded form. Parsing every row to check it halved a CSV export (decision 020): a cell is
 * text, so a damaged row that still looks like one object shows as it is, in its own cell only.
 */
export function payloadText(r: EventRecord): string {
  const text = stripBom(r.raw_body);
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
