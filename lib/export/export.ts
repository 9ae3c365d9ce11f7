import { z } from "zod";
import { eventFilterSchema } from "@/lib/events/filter";
import { eventSnapshot, parseSearchParams, QueryError, rejectionFilterSchema, rejectionSnapshot, type Snapshot } from "@/lib/events/query";
import type { EventRecord } from "@/lib/events/records";
import type { RejectionJson } from "@/lib/events/types";
import { maskEventRecord, maskRejection } from "@/lib/export/mask";
import { CONTENT_TYPES, EVENT_SERIALIZERS, EXPORT_FORMATS, exportFileName, REJECTION_SERIALIZERS, type Serializer } from "@/lib/export/formats";
import { exportStream } from "@/lib/export/stream";
import { webhooksInProgress } from "@/lib/http/admission";

/**
 * GET /api/events/export and /api/rejections/export: the same filters as the read API, a
 * format, and an optional phone-number mask. Everything is validated before the first byte;
 * then the rows stream out page by page.
 */

const exportOptions = {
  format: z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(", ")}` }).default("ndjson"),
  mask: z.enum(["0", "1", "true", "false"], { message: "must be 1 or 0" }).optional().transform((v) => v === "1" || v === "true"),
};

const eventExportSchema = eventFilterSchema.extend(exportOptions).strict();
const rejectionExportSchema = rejectionFilterSchema.extend(exportOptions).strict();

export function exportEvents(request: Request): Promise<Response> {
  return respond(request, "events", eventExportSchema, (q) => eventSnapshot(q), EVENT_SERIALIZERS, maskEventRecord);
}

export function exportRejections(request: Request): Promise<Response> {
  return respond(request, "rejections", rejectionExportSchema, (q) => rejectionSnapshot(q), REJECTION_SERIALIZERS, maskRejection);
}

async function respond<S extends z.ZodType<{ format: (typeof EXPORT_FORMATS)[number]; mask: boolean }>, T extends EventRecord | RejectionJson>(
  request: Request,
  what: "events" | "rejections",
  schema: S,
  snapshotFor: (query: z.output<S>) => Promise<Snapshot<T>>,
  serializers: Record<(typeof EXPORT_FORMATS)[number], Serializer<T>>,
  mask: (value: T) => T,
): Promise<Response> {
  let query: z.output<S>;
  try {
    query = parseSearchParams(schema, new URL(request.url).searchParams);
  } catch (error) {
    if (error instanceof QueryError) return Response.json({ error: "bad_request", detail: error.message }, { status: 400 });
    throw error;
  }
  let snapshot: Snapshot<T>;
  try {
    snapshot = await snapshotFor(query);
  } catch (error) {
    console.error("[export] could not start:", (error as Error).message);
    return Response.json({ error: "storage_unavailable", detail: "the database could not answer; retry later" }, { status: 503, headers: { "retry-after": "5" } });
  }

  const { format, mask: masked } = query;
  const serializer = serializers[format];
  const started = Date.now();
  const body = exportStream<T>({
    firstPage: snapshot.firstCursor,
    readPage: snapshot.readPage,
    header: serializer.header,
    item: masked ? (value, i) => serializer.item(mask(value), i) : serializer.item,
    footer: serializer.footer,
    signal: request.signal,
    defer: () => webhooksInProgress() > 0,
    onEnd: (rows, cancelled, error) => {
      const how = error ? `failed (${(error as Error).message})` : cancelled ? "cancelled by the client" : "done";
      console.log(`[export] ${what} ${format}${masked ? " masked" : ""}: ${how} after ${rows} of ${snapshot.total} rows in ${Date.now() - started} ms`);
    },
  });
  const fileName = exportFileName(what, format, masked);
  return new Response(body, {
    headers: {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
      "x-export-rows": String(snapshot.total),
      "x-export-masked": masked ? "1" : "0",
      "access-control-expose-headers": "x-export-rows, x-export-masked, content-disposition",
    },
  });
}
