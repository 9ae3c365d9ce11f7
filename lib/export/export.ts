import { z } from "zod";
import { scanEventLines, scanEventRecords } from "@/lib/db/scan";
import { eventFilterSchema } from "@/lib/events/filter";
import { eventSnapshot, parseSearchParams, QueryError, rejectionFilterSchema, rejectionSnapshot, type Snapshot } from "@/lib/events/query";
import { maskEventRecord, maskRejection } from "@/lib/export/mask";
import {
  CONTENT_TYPES,
  EVENT_LINE_SERIALIZERS,
  EVENT_SERIALIZERS,
  EXPORT_FORMATS,
  exportFileName,
  REJECTION_SERIALIZERS,
  type ExportFormat,
  type Serializer,
} from "@/lib/export/formats";
import { exportStream } from "@/lib/export/stream";
import { webhooksInProgress } from "@/lib/http/admission";
import { RETRY_LATER } from "@/lib/http/headers";

/**
 * GET /api/events/export and /api/rejections/export: the same filters as the read API, a
 * format, and an optional phone-number mask. Everything is validated before the first byte;
 * then the rows stream out page by page.
 */

const exportOptions = {
  format: z.enum(EXPORT_FORMATS, { message: `must be one of ${EXPORT_FORMATS.join(", ")}` }).default("ndjson"),
  mask: z
    .enum(["0", "1", "true", "false"], { message: "must be 1 or 0" })
    .optional()
    .transform((v) => v === "1" || v === "true"),
};

const eventExportSchema = eventFilterSchema.extend(exportOptions).strict();
const rejectionExportSchema = rejectionFilterSchema.extend(exportOptions).strict();

export async function exportEvents(request: Request): Promise<Response> {
  const query = parseQuery(request, eventExportSchema);
  if (query instanceof Response) return query;
  if (query.format !== "csv" && !query.mask) {
    // Written from JSON lines that SQLite builds itself: about twice the speed (lib/db/scan.ts).
    return respond(request, "events", query, () => eventSnapshot(query, scanEventLines), EVENT_LINE_SERIALIZERS[query.format]);
  }
  const serializer = EVENT_SERIALIZERS[query.format];
  return respond(
    request,
    "events",
    query,
    () => eventSnapshot(query, scanEventRecords),
    query.mask ? masked(serializer, maskEventRecord) : serializer,
  );
}

export async function exportRejections(request: Request): Promise<Response> {
  const query = parseQuery(request, rejectionExportSchema);
  if (query instanceof Response) return query;
  const serializer = REJECTION_SERIALIZERS[query.format];
  return respond(request, "rejections", query, () => rejectionSnapshot(query), query.mask ? masked(serializer, maskRejection) : serializer);
}

function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> | Response {
  try {
    return parseSearchParams(schema, new URL(request.url).searchParams);
  } catch (error) {
    if (error instanceof QueryError) return Response.json({ error: "bad_request", detail: error.message }, { status: 400 });
    throw error;
  }
}

function masked<T>(serializer: Serializer<T>, mask: (value: T) => T): Serializer<T> {
  return { ...serializer, item: (value, index) => serializer.item(mask(value), index) };
}

async function respond<T>(
  request: Request,
  what: "events" | "rejections",
  { format, mask }: { format: ExportFormat; mask: boolean },
  snapshotOf: () => Promise<Snapshot<T>>,
  serializer: Serializer<T>,
): Promise<Response> {
  let snapshot: Snapshot<T>;
  try {
    snapshot = await snapshotOf();
  } catch (error) {
    console.error("[export] could not start:", (error as Error).message);
    return Response.json(
      { error: "storage_unavailable", detail: "the database could not answer; retry later" },
      { status: 503, headers: [RETRY_LATER] },
    );
  }

  const started = Date.now();
  const body = exportStream<T>({
    firstPage: snapshot.firstCursor,
    readPage: snapshot.readPage,
    header: serializer.header,
    item: serializer.item,
    footer: serializer.footer,
    signal: request.signal,
    defer: () => webhooksInProgress() > 0,
    onEnd: (rows, cancelled, error) => {
      const how = error ? `failed (${(error as Error).message})` : cancelled ? "cancelled by the client" : "done";
      console.log(
        `[export] ${what} ${format}${mask ? " masked" : ""}: ${how} after ${rows} of ${snapshot.total} rows in ${Date.now() - started} ms`,
      );
    },
  });
  const fileName = exportFileName(what, format, mask);
  return new Response(body, {
    headers: {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
      "x-export-rows": String(snapshot.total),
      "x-export-masked": mask ? "1" : "0",
      "access-control-expose-headers": "x-export-rows, x-export-masked, content-disposition",
    },
  });
}
