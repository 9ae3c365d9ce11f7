import { z } from "zod";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { getCounter } from "@/lib/db/count";
import { bindable } from "@/lib/db/scan";
import { eventFilterSchema, type EventFilter } from "@/lib/events/filter";
import { byProviderTime } from "@/lib/events/lifecycle";
import { reassembleConcat } from "@/lib/vonage/sms-payload";
import type { EventRecord } from "@/lib/events/columns";
import { eventRecordToJson, rejectionRowToJson } from "@/lib/events/records";
import { EVENT_SELECT, eventConditions, whereClause } from "@/lib/events/sql";
import type { Page } from "@/lib/export/stream";
import type { ConcatGroup, EventJson, RejectionJson } from "@/lib/events/types";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { REJECTION_REASON_CODES } from "@/lib/vonage/reasons";

/**
 * The read side: the one way to query events and rejections, used by the API routes,
 * the live layer's catch-up and exports.
 */

const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

const cursor = z.coerce.number().int().min(0);
const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  before: cursor.optional(),
  after: cursor.optional(),
});

export const eventQuerySchema = eventFilterSchema
  .extend(pageSchema.shape)
  .strict()
  .refine((q) => q.before === undefined || q.after === undefined, { message: "use either before or after, not both" });

export type EventQuery = z.output<typeof eventQuerySchema>;

const isoDate = eventFilterSchema.shape.since;

export const rejectionFilterSchema = z.object({
  reason: z.enum(REJECTION_REASON_CODES as [string, ...string[]]).optional(),
  endpoint: z.string().trim().min(1).optional(),
  since: isoDate,
  until: isoDate,
});

export type RejectionFilter = z.output<typeof rejectionFilterSchema>;

export const rejectionQuerySchema = rejectionFilterSchema
  .extend(pageSchema.shape)
  .strict()
  .refine((q) => q.before === undefined || q.after === undefined, { message: "use either before or after, not both" });

export type RejectionQuery = z.output<typeof rejectionQuerySchema>;

export class QueryError extends Error {}

/** Parses URL search params with a schema; a repeated key or unknown key is a QueryError. */
export function parseSearchParams<T extends z.ZodType>(schema: T, params: URLSearchParams): z.output<T> {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in raw) throw new QueryError(`${key}: given more than once`);
    raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new QueryError(
      result.error.issues
        .map((issue) =>
          issue.code === "unrecognized_keys"
            ? `unknown parameter${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`
            : `${issue.path.join(".") || "query"}: ${issue.message}`,
        )
        .join("; "),
    );
  }
  return result.data;
}

export interface EventPage {
  events: EventJson[];
  /** Pass as `before` (newest-first pages) or `after` (`after` pages) for the next page; null at the end. */
  nextCursor: number | null;
}

function selectEvents(conditions: Prisma.Sql[], order: "ASC" | "DESC", limit: number): Promise<EventRecord[]> {
  return getDatabase().$queryRaw<EventRecord[]>`
    SELECT ${EVENT_SELECT} FROM "events" ${whereClause(conditions)}
    ORDER BY "id" ${Prisma.raw(order)} LIMIT ${limit}`;
}

/**
 * Newest first; or, with `after`, oldest first from that id on, so a client can page
 * forward through everything it missed.
 */
export async function listEvents(query: EventQuery): Promise<EventPage> {
  const conditions = eventConditions(query);
  if (query.before !== undefined) conditions.push(Prisma.sql`"id" < ${query.before}`);
  if (query.after !== undefined) conditions.push(Prisma.sql`"id" > ${query.after}`);
  const rows = await selectEvents(conditions, query.after !== undefined ? "ASC" : "DESC", query.limit + 1);
  const more = rows.length > query.limit;
  const page = (more ? rows.slice(0, query.limit) : rows).map(eventRecordToJson);
  return { events: page, nextCursor: more ? page[page.length - 1]!.id : null };
}

/** The newest committed event id (0 when there is none). */
export async function newestEventId(): Promise<number> {
  const [row] = await getDatabase().$queryRaw<{ id: number | bigint | null }[]>`SELECT MAX("id") AS "id" FROM "events"`;
  return Number(row?.id ?? 0);
}

/** Every event of one message, in the provider's time order (arrival order breaks ties). */
export async function listMessageEvents(messageUuid: string): Promise<EventJson[]> {
  const rows = await selectEvents(eventConditions({ message_id: messageUuid }), "ASC", 10_000);
  return rows.map(eventRecordToJson).sort(byProviderTime);
}

/**
 * The other parts of a multi-part inbound SMS: same concat-ref from the same sender.
 * Carriers deliver them in any order, and some never.
 */
export async function concatGroupOf(event: EventJson): Promise<ConcatGroup | null> {
  if (event.kind !== "sms-inbound" || !event.concat) return null;
  const conditions = [Prisma.sql`"kind" = 'sms-inbound'`, Prisma.sql`"concat_ref" = ${event.concat.ref}`];
  conditions.push(event.from === null ? Prisma.sql`"from_number" IS NULL` : Prisma.sql`"from_number" = ${event.from}`);
  const parts = (await selectEvents(conditions, "ASC", 1000)).map(eventRecordToJson);
  const assembled = reassembleConcat(parts.map((p) => ({ part: p.concat!.part, total: p.concat!.total, text: p.text })));
  const seen = new Set<number>();
  return {
    ref: event.concat.ref,
    from: event.from,
    total: Math.max(...parts.map((p) => p.concat!.total)),
    parts: parts.filter((p) => !seen.has(p.concat!.part) && seen.add(p.concat!.part)).sort((a, b) => a.concat!.part - b.concat!.part),
    missing: assembled.missing,
    complete: assembled.complete,
    text: assembled.text,
    firstReceivedAt: parts[0]!.receivedAt,
  };
}

export interface RejectionPage {
  rejections: RejectionJson[];
  nextCursor: number | null;
}

function rejectionWhere(filter: RejectionFilter): Prisma.RejectionWhereInput {
  const where: Prisma.RejectionWhereInput = {};
  if (filter.reason !== undefined) where.reason = filter.reason;
  if (filter.endpoint !== undefined) where.endpoint = filter.endpoint;
  if (filter.since !== undefined || filter.until !== undefined) {
    where.receivedAt = { gte: filter.since, lte: filter.until };
  }
  return where;
}

export async function listRejections(query: RejectionQuery): Promise<RejectionPage> {
  const ascending = query.after !== undefined;
  const where = rejectionWhere(query);
  if (query.before !== undefined) where.id = { lt: query.before };
  if (query.after !== undefined) where.id = { gt: query.after };
  const rows = await getDatabase().rejection.findMany({
    where,
    orderBy: { id: ascending ? "asc" : "desc" },
    take: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return { rejections: page.map(rejectionRowToJson), nextCursor: more ? page[page.length - 1]!.id : null };
}

/** A fixed snapshot of what a filter selects, read newest first in pages (for exports). */
export interface Snapshot<T> {
  total: number;
  /** The newest id in the snapshot; rows stored later are not part of it. */
  firstCursor: number | null;
  /** A page's items are read as they are iterated; `next` is known once they all have been. */
  readPage: (cursor: number | null) => Promise<Page<T>>;
}

/**
 * Rows per export page: big enough to amortise the query, small enough to keep memory flat
 * (node-postgres holds a whole result in memory, so its pages are smaller).
 */
function exportPageSize(): number {
  return getConfig().databaseKind === "postgresql" ? 250 : 500;
}

/**
 * A page of at most `pageSize` items, read as they are iterated: once it has been read through,
 * `next` says where the following page starts (below its last id), or null if it was not full.
 */
function pageOf<T>(items: Iterable<T>, pageSize: number, idOf: (item: T) => number): Page<T> {
  let count = 0;
  let last: T | undefined;
  return {
    items: (function* counted() {
      for (const item of items) {
        count++;
        last = item;
        yield item;
      }
    })(),
    get next() {
      return count === pageSize && last !== undefined ? idOf(last) - 1 : null;
    },
  };
}

/** On SQLite, the count worker when server.ts started one (lib/db/count.ts). */
function sqliteCounter() {
  return getConfig().databaseKind === "sqlite" ? getCounter() : undefined;
}

/**
 * Events for an export: counted and bounded by the newest id when it starts, then read in
 * pages through the driver's own fast path (lib/db/scan.ts: `scan` is scanEventRecords or
 * scanEventLines), as raw records or JSON lines the export writes without a round trip
 * through objects.
 */
export async function eventSnapshot<T extends { id: number | bigint }>(
  filter: EventFilter,
  scan: (from: Prisma.Sql) => Promise<Iterable<T>>,
): Promise<Snapshot<T>> {
  const db = getDatabase();
  const conditions = eventConditions(filter);
  const [newest] = await db.$queryRaw<{ id: number }[]>`SELECT MAX("id") AS "id" FROM "events" ${whereClause(conditions)}`;
  const first = newest?.id === null || newest?.id === undefined ? null : Number(newest.id);
  if (first === null) return { total: 0, firstCursor: null, readPage: async () => ({ items: [], next: null }) };
  const upTo = (id: number) => whereClause([...conditions, Prisma.sql`"id" <= ${id}`]);
  // All that match, less those stored since: one statement, so one snapshot. Counting
  // `"id" <= first` directly makes SQLite walk the whole table (a range on the rowid) where a
  // count of everything uses the smallest index: 260 ms against 20 at 1M rows, all of it with
  // the event loop stopped (docs/performance-log.md). On SQLite it runs on the count worker when
  // there is one (lib/db/count.ts): from a cold cache it takes over a second.
  const since = whereClause([...conditions, Prisma.sql`"id" > ${first}`]);
  const countQuery = Prisma.sql`SELECT (SELECT COUNT(*) FROM "events" ${whereClause(conditions)}) - (SELECT COUNT(*) FROM "events" ${since}) AS "n"`;
  const counter = sqliteCounter();
  const total = counter
    ? await counter.count(countQuery.sql, countQuery.values.map(bindable))
    : Number((await db.$queryRaw<{ n: number | bigint }[]>(countQuery))[0]?.n ?? 0);
  return {
    total,
    firstCursor: first,
    async readPage(cursor) {
      if (cursor === null) return { items: [], next: null };
      const pageSize = exportPageSize();
      const items = await scan(Prisma.sql`FROM "events" ${upTo(cursor)} ORDER BY "id" DESC LIMIT ${pageSize}`);
      return pageOf(items, pageSize, (item) => Number(item.id));
    },
  };
}

export async function rejectionSnapshot(filter: RejectionFilter): Promise<Snapshot<RejectionJson>> {
  const db = getDatabase();
  const where = rejectionWhere(filter);
  const newest = await db.rejection.findFirst({ where, orderBy: { id: "desc" }, select: { id: true } });
  if (!newest) return { total: 0, firstCursor: null, readPage: async () => ({ items: [], next: null }) };
  const upTo = (id: number): Prisma.RejectionWhereInput => ({ AND: [where, { id: { lte: id } }] });
  return {
    total: await db.rejection.count({ where: upTo(newest.id) }),
    firstCursor: newest.id,
    async readPage(cursor) {
      if (cursor === null) return { items: [], next: null };
      const pageSize = exportPageSize();
      const rows = await db.rejection.findMany({ where: upTo(cursor), orderBy: { id: "desc" }, take: pageSize });
      return pageOf(rows.map(rejectionRowToJson), pageSize, (r) => r.id);
    },
  };
}

export interface StorageStats {
  events: number;
  rejections: number;
  lastEventAt: Record<"status" | "inbound", string | null>;
}

export async function storageStats(): Promise<StorageStats> {
  const db = getDatabase();
  // Counting every row reads a whole index: off the HTTP thread on SQLite, as for exports.
  const counter = sqliteCounter();
  const [events, rejections, lastStatus, lastInbound] = await Promise.all([
    counter ? counter.count(`SELECT COUNT(*) FROM "events"`, []) : db.event.count(),
    counter ? counter.count(`SELECT COUNT(*) FROM "rejections"`, []) : db.rejection.count(),
    db.event.findFirst({ where: { kind: "status" }, orderBy: { id: "desc" }, select: { receivedAt: true } }),
    db.event.findFirst({ where: { kind: "inbound" }, orderBy: { id: "desc" }, select: { receivedAt: true } }),
  ]);
  return {
    events,
    rejections,
    lastEventAt: {
      status: lastStatus?.receivedAt.toISOString() ?? null,
      inbound: lastInbound?.receivedAt.toISOString() ?? null,
    },
  };
}
