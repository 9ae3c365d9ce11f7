import type { Prisma } from "@/lib/generated/sqlite/client.ts";
import { bucketFor, INSIGHTS_SQL, planWindow } from "@/lib/messages/insights";
import { messagePageSql, messageQuerySchema } from "@/lib/messages/query";

/**
 * The SQL behind GET /api/insights and GET /api/messages, for part 7's query plans: the
 * console's own statements (lib/messages/insights.ts, INSIGHTS_SQL and planWindow;
 * lib/messages/query.ts, messagePageSql), named.
 */

export interface NamedSql {
  name: string;
  query: Prisma.Sql;
  /** The index a statement of a narrow range is written for: a plan without it reads far more rows. */
  index?: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** The statements of one insights window [since, until) at `now`, as the console plans them. */
export function insightsSql(since: number, until: number, now: number, channel?: string): NamedSql[] {
  const plan = planWindow({ from: since, to: until }, bucketFor(until - since));
  const statements: NamedSql[] = [];
  for (const { grain, span } of plan.counts) {
    statements.push({
      name: `message_counts by ${grain}, ${day(span.from)}…${day(span.to)}`,
      query: INSIGHTS_SQL.counts(grain, span, channel),
    });
    statements.push({ name: `series by ${grain}, ${day(span.from)}…${day(span.to)}`, query: INSIGHTS_SQL.series(grain, span, channel) });
  }
  for (const { grain, span } of plan.latencies) {
    statements.push({
      name: `message_latencies by ${grain}, ${day(span.from)}…${day(span.to)}`,
      query: INSIGHTS_SQL.latencies(grain, span, channel),
    });
  }
  for (const span of plan.rows) {
    statements.push({
      name: `rows: messages ${day(span.from)}…${day(span.to)}`,
      index: "messages_first_event_at_idx",
      query: INSIGHTS_SQL.messages(span),
    });
    statements.push({
      name: `rows: inbound events ${day(span.from)}…${day(span.to)}`,
      index: "events_inbound_time_idx",
      query: INSIGHTS_SQL.inbound(span),
    });
  }
  statements.push({ name: "pending count", query: INSIGHTS_SQL.pending({ from: since, to: until }, now) });
  return statements;
}

const page = (query: Record<string, string>, now: number) => messagePageSql(messageQuerySchema.parse(query), now);

export const overdueSql = (now: number) => page({ state: "overdue" }, now);
export const pendingSql = (now: number) => page({ state: "pending" }, now);
export const failedSmsSql = (now: number) => page({ state: "failed", channel: "sms" }, now);
