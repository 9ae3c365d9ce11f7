import { z } from "zod";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { eventFilterSchema, normalizePhone } from "@/lib/events/filter";
import { MAX_LIMIT } from "@/lib/events/query";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { formatCostUnits, type MessageRow } from "@/lib/messages/state";
import { horizonMs, overdueThresholds } from "@/lib/messages/thresholds";
import { MESSAGE_STATES, type MessageJson, type MessagePage, type MessageState } from "@/lib/messages/types";
import { messageRowOf } from "@/lib/messages/write";

/**
 * The read side of message states: `GET /api/messages` and a message's row for its lifecycle.
 * `pending` and `overdue` are decided here, from the time now and the channel's threshold.
 */

const filters = eventFilterSchema.shape;

export const messageQuerySchema = z
  .object({
    state: z.enum(MESSAGE_STATES).optional(),
    channel: filters.channel,
    client_ref: filters.client_ref,
    phone: filters.phone,
    since: filters.since,
    until: filters.until,
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
    before: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export type MessageQuery = z.output<typeof messageQuerySchema>;

/** Open messages at least their channel's threshold old (`overdue`), or younger (`pending`), at `now`. */
export function openAgeCondition(state: "pending" | "overdue", now: number): Prisma.Sql {
  const { byChannel, fallback } = overdueThresholds(getConfig().messageOverdueMinutes);
  const compare = (cutoff: number) =>
    state === "overdue" ? Prisma.sql`"first_event_at" < ${cutoff}` : Prisma.sql`"first_event_at" >= ${cutoff}`;
  const channels = [...byChannel.keys()];
  const parts = [...byChannel].map(([channel, ms]) => Prisma.sql`("channel" = ${channel} AND ${compare(now - ms)})`);
  parts.push(Prisma.sql`(("channel" IS NULL OR "channel" NOT IN (${Prisma.join(channels)})) AND ${compare(now - fallback)})`);
  return Prisma.sql`("outcome" = 'open' AND (${Prisma.join(parts, " OR ")}))`;
}

export function stateOf(row: MessageRow, now: number): MessageState {
  if (row.outcome !== "open") return row.outcome;
  const { byChannel, fallback } = overdueThresholds(getConfig().messageOverdueMinutes);
  return now - row.firstEventAt >= (byChannel.get(row.channel ?? "") ?? fallback) ? "overdue" : "pending";
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function messageJsonOf(row: MessageRow, now: number): MessageJson {
  return {
    id: row.id ?? 0,
    messageUuid: row.messageUuid,
    channel: row.channel,
    from: row.from,
    to: row.to,
    clientRef: row.clientRef,
    country: row.country,
    workflowId: row.workflowId,
    state: stateOf(row, now),
    finalStatus: row.finalStatus,
    conflict: row.conflict,
    beyondHorizon: now - row.firstEventAt > horizonMs(row.channel),
    firstEventAt: iso(row.firstEventAt)!,
    submittedAt: iso(row.submittedAt),
    deliveredAt: iso(row.deliveredAt),
    readAt: iso(row.readAt),
    failedAt: iso(row.failedAt),
    errorCode: row.errorCode,
    price: row.costUnits === null ? null : formatCostUnits(row.costUnits),
    currency: row.costUnits === null ? null : row.currency,
    events: row.events,
  };
}

function conditionsOf(query: Omit<MessageQuery, "limit" | "before">, now: number): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (query.state === "pending" || query.state === "overdue") conditions.push(openAgeCondition(query.state, now));
  else if (query.state !== undefined) conditions.push(Prisma.sql`"outcome" = ${query.state}`);
  if (query.channel !== undefined) conditions.push(Prisma.sql`"channel" = ${query.channel}`);
  if (query.client_ref !== undefined) conditions.push(Prisma.sql`"client_ref" = ${query.client_ref}`);
  if (query.phone !== undefined) {
    const phone = normalizePhone(query.phone);
    conditions.push(Prisma.sql`("to_number" = ${phone} OR "from_number" = ${phone})`);
  }
  if (query.since !== undefined) conditions.push(Prisma.sql`"first_event_at" >= ${query.since.getTime()}`);
  if (query.until !== undefined) conditions.push(Prisma.sql`"first_event_at" <= ${query.until.getTime()}`);
  return conditions;
}

/** A page of message rows; exported for the benchmark's query plans (bench/parts/insights.ts). */
export function messagesSql(conditions: Prisma.Sql[], limit: number, order: "ASC" | "DESC" = "DESC"): Prisma.Sql {
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  return Prisma.sql`SELECT * FROM "messages" ${where} ORDER BY "id" ${Prisma.raw(order)} LIMIT ${limit}`;
}

/** The SQL of a `GET /api/messages` page at `now`. */
export function messagePageSql(query: MessageQuery, now: number): Prisma.Sql {
  const conditions = conditionsOf(query, now);
  if (query.before !== undefined) conditions.push(Prisma.sql`"id" < ${query.before}`);
  // One row more than the page, to know whether there is a next one.
  return messagesSql(conditions, query.limit + 1);
}

async function selectMessages(sql: Prisma.Sql): Promise<MessageRow[]> {
  return (await getDatabase().$queryRaw<Record<string, unknown>[]>(sql)).map(messageRowOf);
}

/** A page of messages, newest first (by id: the order they were first seen). */
export async function listMessages(query: MessageQuery): Promise<MessagePage> {
  const now = Date.now();
  const rows = await selectMessages(messagePageSql(query, now));
  const more = rows.length > query.limit;
  const page = (more ? rows.slice(0, query.limit) : rows).map((row) => messageJsonOf(row, now));
  return { messages: page, nextCursor: more ? page[page.length - 1]!.id : null };
}

/** One message's state row, and the other messages of its failover workflow (oldest first). */
export async function messageWithWorkflow(messageUuid: string): Promise<{ message: MessageJson | null; workflow: MessageJson[] }> {
  const now = Date.now();
  const [row] = await selectMessages(messagesSql([Prisma.sql`"message_uuid" = ${messageUuid}`], 1));
  if (!row) return { message: null, workflow: [] };
  const others =
    row.workflowId === null
      ? []
      : await selectMessages(
          messagesSql([Prisma.sql`"workflow_id" = ${row.workflowId}`, Prisma.sql`"message_uuid" <> ${messageUuid}`], 100, "ASC"),
        );
  return { message: messageJsonOf(row, now), workflow: others.map((r) => messageJsonOf(r, now)) };
}
