import type { EventJson, EventKind, Verification } from "@/lib/events/types";
import type { JsonObject } from "@/lib/vonage/content";

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
  return { ...eventFields(r), payload: JSON.parse(r.raw_body) as JsonObject, headers: JSON.parse(r.headers) as Record<string, string> };
}

/**
 * The same JSON as JSON.stringify(eventRecordToJson(r)), without parsing and re-encoding the
 * payload: the stored body is spliced in as it is when it is already on one line (Vonage
 * sends compact JSON); a body with line breaks is re-encoded so each event stays on one line.
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

/** A row of EVENT_JSON_COLUMNS (lib/events/sql.ts): the fields' JSON comes from SQLite. */
export function eventLineOfJsonRow(row: unknown[]): EventLine {
  return { id: row[0] as number, json: withPayload(row[1] as string, row[2] as string, row[3] as string) };
}

function withPayload(fieldsJson: string, rawBody: string, headers: string): string {
  return `${fieldsJson.slice(0, -1)},"payload":${oneLine(rawBody)},"headers":${headers}}`;
}

/** The payload as one line of JSON: the stored body itself unless it spans several lines. */
export function payloadText(r: EventRecord): string {
  return oneLine(r.raw_body);
}

function oneLine(json: string): string {
  return /[\r\n]/.test(json) ? JSON.stringify(JSON.parse(json)) : json;
}
