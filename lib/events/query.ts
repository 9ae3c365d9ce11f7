import { z } from "zod";
import { getDatabase } from "@/lib/db/client";
import { eventFilterSchema, normalizePhone, type EventFilter } from "@/lib/events/filter";
import { byProviderTime } from "@/lib/events/lifecycle";
import { eventRowToJson, rejectionRowToJson } from "@/lib/events/store";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import type { Prisma } from "@/lib/generated/sqlite/client.ts";
import { REJECTION_REASON_CODES } from "@/lib/vonage/reasons";

/**
 * The read side: the one way to query events and rejections, used by the API routes,
 * the live layer's catch-up and exports.
 */

export const DEFAULT_LIMIT = 100;
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

export const rejectionQuerySchema = pageSchema
  .extend({
    reason: z.enum(REJECTION_REASON_CODES as [string, ...string[]]).optional(),
    endpoint: z.string().trim().min(1).optional(),
  })
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

export function eventWhere(filter: EventFilter): Prisma.EventWhereInput {
  const where: Prisma.EventWhereInput = {};
  const and: Prisma.EventWhereInput[] = [];
  if (filter.message_id !== undefined) where.messageUuid = filter.message_id;
  if (filter.kind !== undefined) where.kind = filter.kind;
  if (filter.status !== undefined) where.status = filter.status;
  if (filter.channel !== undefined) where.channel = filter.channel;
  if (filter.client_ref !== undefined) where.clientRef = filter.client_ref;
  if (filter.phone !== undefined) {
    const phone = normalizePhone(filter.phone);
    and.push({ OR: [{ from: phone }, { to: phone }] });
  }
  if (filter.text !== undefined) where.text = { contains: filter.text };
  if (filter.since !== undefined || filter.until !== undefined) {
    where.receivedAt = { gte: filter.since, lte: filter.until };
  }
  if (and.length > 0) where.AND = and;
  return where;
}

export interface EventPage {
  events: EventJson[];
  /** Pass as `before` (newest-first pages) or `after` (`after` pages) for the next page; null at the end. */
  nextCursor: number | null;
}

/**
 * Newest first; or, with `after`, oldest first from that id on, so a client can page
 * forward through everything it missed.
 */
export async function listEvents(query: EventQuery): Promise<EventPage> {
  const ascending = query.after !== undefined;
  const where = eventWhere(query);
  if (query.before !== undefined) where.id = { lt: query.before };
  if (query.after !== undefined) where.id = { gt: query.after };
  const rows = await getDatabase().event.findMany({
    where,
    orderBy: { id: ascending ? "asc" : "desc" },
    take: query.limit + 1,
  });
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  return { events: page.map(eventRowToJson), nextCursor: more ? page[page.length - 1]!.id : null };
}

/** Every event of one message, in the provider's time order (arrival order breaks ties). */
export async function listMessageEvents(messageUuid: string): Promise<EventJson[]> {
  const rows = await getDatabase().event.findMany({
    where: { messageUuid },
    orderBy: { id: "asc" },
    take: 10_000,
  });
  return rows.map(eventRowToJson).sort(byProviderTime);
}

export interface RejectionPage {
  rejections: RejectionJson[];
  nextCursor: number | null;
}

export async function listRejections(query: RejectionQuery): Promise<RejectionPage> {
  const ascending = query.after !== undefined;
  const where: Prisma.RejectionWhereInput = {};
  if (query.reason !== undefined) where.reason = query.reason;
  if (query.endpoint !== undefined) where.endpoint = query.endpoint;
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

export interface StorageStats {
  events: number;
  rejections: number;
  lastEventAt: Record<"status" | "inbound", string | null>;
}

export async function storageStats(): Promise<StorageStats> {
  const db = getDatabase();
  const [events, rejections, lastStatus, lastInbound] = await Promise.all([
    db.event.count(),
    db.rejection.count(),
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
