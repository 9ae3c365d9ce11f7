import { csvField, csvRow } from "@/lib/export/csv";
import {
  EVENT_CSV_COLUMNS,
  flatNameOf,
  READ_EVENT_COLUMNS,
  REJECTION_COLUMNS,
  REJECTION_CSV_COLUMNS,
  type EventRecord,
} from "@/lib/events/columns";
import { eventRecordToJsonText, jsonValueOf, storedJsonCell, type EventLine } from "@/lib/events/records";
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

/** Each CSV cell from the manifest's column (lib/events/columns.ts) its header names. */
const EVENT_CELLS = EVENT_CSV_COLUMNS.map((header): ((r: EventRecord) => string) => {
  const column = READ_EVENT_COLUMNS.find((c) => flatNameOf(c) === header)!;
  const { sql, type } = column;
  // A JSON object always starts with "{", never with a formula character: kept verbatim.
  if (type === "json") return (r) => csvField(storedJsonCell(r[sql]), { raw: true });
  return (r) => csvField(cellValue(jsonValueOf(type, r[sql])));
});

function eventCells(r: EventRecord): string[] {
  return EVENT_CELLS.map((cell) => cell(r));
}

const REJECTION_CELLS = REJECTION_CSV_COLUMNS.map((field): ((r: RejectionJson) => string) => {
  const { type } = REJECTION_COLUMNS.find((c) => c.field === field)!;
  // Stored JSON is written back with JSON.stringify: an object, so it starts with "{" and is kept verbatim.
  if (type === "json") return (r) => csvField(r[field] === null ? null : JSON.stringify(r[field]), { raw: true });
  // Everything else is neutralised, the refused body (arbitrary text) included.
  return (r) => csvField(cellValue(r[field] as string | number | boolean | null));
});

function rejectionCells(r: RejectionJson): string[] {
  return REJECTION_CELLS.map((cell) => cell(r));
}

function cellValue(value: string | number | boolean | null): string | number | null {
  return typeof value === "boolean" ? String(value) : value;
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
