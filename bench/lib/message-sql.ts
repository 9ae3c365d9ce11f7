import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { openAgeCondition } from "@/lib/messages/query";
import { DAY_MS, HOUR_MS } from "@/lib/messages/state";
import { overdueThresholds } from "@/lib/messages/thresholds";
import { getConfig } from "@/lib/config";

/**
 * The SQL behind GET /api/insights and GET /api/messages, for part 7's query plans. The
 * statements repeat lib/messages/insights.ts (its Window class) and lib/messages/query.ts
 * (selectMessages), which do not export them; the open-age condition is the console's own
 * (openAgeCondition). Keep them in step when those files change.
 */

export interface NamedSql {
  name: string;
  query: Prisma.Sql;
  /** The index a statement of a narrow range is written for: a plan without it reads far more rows. */
  index?: string;
}

const channelIs = (channel: string | undefined) => (channel === undefined ? Prisma.empty : Prisma.sql`AND "channel" = ${channel}`);
const floorTo = (ms: number, grain: number) => Math.floor(ms / grain) * grain;
const ceilTo = (ms: number, grain: number) => Math.ceil(ms / grain) * grain;

/**
 * The statements of one insights window [since, until) at `now` (a window of more than 6
 * hours): the whole hours from the summaries, one of the partial hours from the rows, and the
 * pending count. The previous window runs the first and the two partial-hour ones again.
 */
export function insightsSql(since: number, until: number, now: number, channel?: string): NamedSql[] {
  const hours = { from: ceilTo(since, HOUR_MS), to: floorTo(until, HOUR_MS) };
  const days = { from: ceilTo(hours.from, DAY_MS), to: floorTo(hours.to, DAY_MS) };
  const end = { from: hours.to, to: until };
  const { byChannel, fallback } = overdueThresholds(getConfig().messageOverdueMinutes);
  const youngest = Math.max(since, now - Math.max(fallback, ...byChannel.values()));
  return [
    {
      name: "message_hours: counts of the whole hours",
      query: Prisma.sql`
      SELECT "channel", "country", "currency", "error_code", SUM("total") AS "total", SUM("delivered") AS "delivered",
        SUM("read") AS "read", SUM("failed") AS "failed", SUM("open") AS "open", SUM("priced") AS "priced",
        SUM("cost_units") AS "cost_units", SUM("inbound") AS "inbound"
      FROM "message_hours" WHERE "hour_start" >= ${hours.from} AND "hour_start" < ${hours.to} ${channelIs(channel)}
      GROUP BY "channel", "country", "currency", "error_code"`,
    },
    {
      name: "message_hours: series by hour",
      query: Prisma.sql`
      SELECT "hour_start", SUM("total") AS "total", SUM("delivered") + SUM("read") AS "delivered", SUM("failed") AS "failed",
        SUM("inbound") AS "inbound"
      FROM "message_hours" WHERE "hour_start" >= ${hours.from} AND "hour_start" < ${hours.to} ${channelIs(channel)}
      GROUP BY "hour_start"`,
    },
    {
      name: "message_latencies: whole days",
      query: latencySql("day", days, channel),
    },
    {
      name: "message_latencies: the hours before the first whole day",
      query: latencySql("hour", { from: hours.from, to: days.from }, channel),
    },
    {
      name: "partial hour: messages",
      index: "messages_first_event_at_idx",
      query: Prisma.sql`
      SELECT "channel", "country", "currency", "cost_units", "error_code", "outcome", "first_event_at", "submitted_at",
        "delivered_at", "read_at"
      FROM "messages" WHERE "first_event_at" >= ${end.from} AND "first_event_at" < ${end.to} ${channelIs(channel)}`,
    },
    {
      name: "partial hour: inbound events",
      index: "events_inbound_time_idx",
      query: Prisma.sql`
      SELECT "channel", COALESCE("timestamp", "received_at") AS "at" FROM "events"
      WHERE "kind" IN ('inbound', 'sms-inbound') AND COALESCE("timestamp", "received_at") >= ${new Date(end.from)}
        AND COALESCE("timestamp", "received_at") < ${new Date(end.to)} ${channelIs(channel)}`,
    },
    {
      name: "pending count",
      query: Prisma.sql`
      SELECT COUNT(*) AS "count" FROM "messages"
      WHERE "first_event_at" >= ${youngest} AND "first_event_at" < ${until} AND ${openAgeCondition("pending", now)} ${channelIs(channel)}`,
    },
  ];
}

function latencySql(grain: "hour" | "day", span: { from: number; to: number }, channel: string | undefined): Prisma.Sql {
  return Prisma.sql`
      SELECT "metric", "bucket", SUM("count") AS "count" FROM "message_latencies"
      WHERE "grain" = ${grain} AND "start" >= ${span.from} AND "start" < ${span.to} ${channelIs(channel)}
      GROUP BY "metric", "bucket"`;
}

/** A first page of GET /api/messages (limit 100, one row more to know there is a next page). */
export function messagePageSql(conditions: Prisma.Sql[], limit = 100): Prisma.Sql {
  return Prisma.sql`SELECT * FROM "messages" WHERE ${Prisma.join(conditions, " AND ")} ORDER BY "id" DESC LIMIT ${limit + 1}`;
}

export const overdueSql = (now: number) => messagePageSql([openAgeCondition("overdue", now)]);
export const pendingSql = (now: number) => messagePageSql([openAgeCondition("pending", now)]);
export const failedSmsSql = () => messagePageSql([Prisma.sql`"outcome" = ${"failed"}`, Prisma.sql`"channel" = ${"sms"}`]);
