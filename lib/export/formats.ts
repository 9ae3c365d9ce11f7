import { csvField, csvRow } from "@/lib/export/csv";
import { eventFields, eventRecordToJsonText, payloadText, type EventLine, type EventRecord } from "@/lib/events/records";
import type { RejectionJson } from "@/lib/events/types";

/**
 * The three export formats. NDJSON and JSON carry the same objects as the read API; CSV has
 * a documented, stable column set (README, "Export").
 */

export const EXPORT_FORMATS = ["ndjson", "csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: "application/x-ndjson; charset=utf-8",
  csv: "text/csv; charset=utf-8; header=present",
  json: "application/json; charset=utf-8",
};

export interface Serializer<T> {
  header: string;
  item: (value: T, index: number) => string;
  footer: string;
}

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
] as const;

function eventCells(r: EventRecord): string[] {
  const e = eventFields(r);
  return [
    csvField(e.id),
    csvField(e.receivedAt),
    csvField(e.timestamp),
    csvField(e.kind),
    csvField(e.channel),
    csvField(e.messageUuid),
    csvField(e.status),
    csvField(e.messageType),
    csvField(e.from),
    csvField(e.to),
    csvField(e.clientRef),
    csvField(e.error?.code),
    csvField(e.error?.title),
    csvField(e.price),
    csvField(e.currency),
    csvField(e.verification),
    csvField(e.duplicates),
    csvField(e.text),
    // A JSON object always starts with "{", never with a formula character: kept verbatim.
    csvField(payloadText(r), { raw: true }),
  ];
}

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
] as const;

function rejectionCells(r: RejectionJson): string[] {
  return [
    csvField(r.id),
    csvField(r.receivedAt),
    csvField(r.endpoint),
    csvField(r.method),
    csvField(r.reason),
    csvField(r.detail),
    csvField(r.httpStatus),
    csvField(r.sourceIp),
    csvField(r.bodyBytes),
    csvField(String(r.bodyTruncated)),
    csvField(JSON.stringify(r.headers), { raw: true }),
    csvField(r.tokenClaims === null ? null : JSON.stringify(r.tokenClaims), { raw: true }),
    // The refused body is arbitrary text, so it is neutralised like any other cell.
    csvField(r.body),
    csvField(r.repeats),
  ];
}

function jsonSerializers<T>(json: (value: T) => string): Record<Exclude<ExportFormat, "csv">, Serializer<T>> {
  return {
    ndjson: { header: "", item: (value) => `${json(value)}\n`, footer: "" },
    // One element per line, so a reader (and the progress bar) can count them.
    json: { header: "[", item: (value, index) => `${index === 0 ? "\n" : ",\n"}${json(value)}`, footer: "\n]\n" },
  };
}

function serializers<T>(
  columns: readonly string[],
  cells: (value: T) => string[],
  json: (value: T) => string,
): Record<ExportFormat, Serializer<T>> {
  return { ...jsonSerializers(json), csv: { header: csvRow([...columns]), item: (value) => csvRow(cells(value)), footer: "" } };
}

export const EVENT_SERIALIZERS = serializers<EventRecord>(EVENT_CSV_COLUMNS, eventCells, eventRecordToJsonText);
/** Events read as JSON lines (lib/db/scan.ts, scanEventLines): the unmasked NDJSON and JSON exports. */
export const EVENT_LINE_SERIALIZERS = jsonSerializers<EventLine>((line) => line.json);
export const REJECTION_SERIALIZERS = serializers<RejectionJson>(REJECTION_CSV_COLUMNS, rejectionCells, (r) => JSON.stringify(r));

/** `vonage-events-2026-11-27T1530Z.csv`: what it is and when it was made. */
export function exportFileName(what: "events" | "rejections", format: ExportFormat, masked: boolean, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/:/g, "") + "Z";
  return `vonage-${what}${masked ? "-masked" : ""}-${stamp}.${format}`;
}
