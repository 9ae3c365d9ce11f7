import { z } from "zod";
import { getDatabase } from "@/lib/db/client";
import { eventFilterSchema } from "@/lib/events/filter";
import { QueryError } from "@/lib/events/query";
import { Prisma } from "@/lib/generated/sqlite/client.ts";
import { getConfig } from "@/lib/config";
import { openAgeCondition } from "@/lib/messages/query";
import { overdueThresholds } from "@/lib/messages/thresholds";
import {
  ALL_CHANNELS,
  type CountRow,
  DAY_MS,
  formatCostUnits,
  HOUR_MS,
  latencyBucket,
  type Grain,
  type LatencyMetric,
  type Outcome,
} from "@/lib/messages/state";
import type { InsightsJson, Percentiles } from "@/lib/messages/types";
import { errorActionOf, errorTitleOf } from "@/lib/vonage/error-actions";

/**
 * `GET /api/insights`: what the messages of a window add up to. A message belongs to the window
 * by its first event's provider time. The whole days and hours inside the window are read from
 * the summary rows (`message_counts`, `message_latencies`, by day and by hour), kept in the same
 * transaction as the messages; the two partial hours at its ends from the `messages` rows
 * themselves (and inbound events from `events`), so any window is exact. A 30-day window reads
 * 28 or 29 days and up to 46 hours of summary rows, and two partial hours of rows (planWindow).
 * Latency percentiles are nearest-rank over latencies kept to two significant figures
 * (lib/messages/state.ts, latencyBucket).
 */

const MAX_WINDOW_MS = 400 * DAY_MS;
const DEFAULT_WINDOW_MS = DAY_MS;
const TOP_ERRORS = 10;
/** Windows up to this long get minute buckets, read straight from the messages rows. */
const MINUTE_SERIES_UP_TO = 6 * HOUR_MS;
const HOURLY_SERIES_UP_TO = 7 * DAY_MS;

export const insightsQuerySchema = z
  .object({
    since: eventFilterSchema.shape.since,
    until: eventFilterSchema.shape.until,
    channel: eventFilterSchema.shape.channel,
  })
  .strict();

export type InsightsQuery = z.output<typeof insightsQuerySchema>;

/** One cell of counts: messages of a channel, country, currency and error code ('' for none), summed over the window. */
type Cell = Omit<CountRow, "grain" | "start">;

interface Span {
  from: number;
  to: number;
}

const floorTo = (ms: number, grain: number) => Math.floor(ms / grain) * grain;
const ceilTo = (ms: number, grain: number) => Math.ceil(ms / grain) * grain;

/** [from, to) as its whole `grain`s and the parts at either end (each possibly empty). */
function split(span: Span, grain: number): { whole: Span | null; ends: Span[] } {
  const a = ceilTo(span.from, grain);
  const b = floorTo(span.to, grain);
  if (a >= b) return { whole: null, ends: [span] };
  return {
    whole: { from: a, to: b },
    ends: [
      { from: span.from, to: a },
      { from: b, to: span.to },
    ].filter((s) => s.from < s.to),
  };
}

const channelIs = (channel: string | undefined) => (channel === undefined ? Prisma.empty : Prisma.sql`AND "channel" = ${channel}`);
const n = (v: unknown) => Number(v ?? 0);

/** A message row of a partial hour, with what the counts, latencies and series take from it. */
interface EdgeMessage {
  channel: string | null;
  country: string | null;
  currency: string | null;
  cost_units: number | bigint | null;
  error_code: string | null;
  outcome: Outcome;
  first_event_at: number | bigint;
  submitted_at: number | bigint | null;
  delivered_at: number | bigint | null;
  read_at: number | bigint | null;
}

/** The statements of one window, each read once; exported for the benchmark's query plans (bench/parts/insights.ts). */
export const INSIGHTS_SQL = {
  counts: (grain: Grain, span: Span, channel?: string) => Prisma.sql`
    SELECT "channel", "country", "currency", "error_code", SUM("total") AS "total", SUM("delivered") AS "delivered",
      SUM("read") AS "read", SUM("failed") AS "failed", SUM("open") AS "open", SUM("priced") AS "priced",
      SUM("cost_units") AS "cost_units", SUM("inbound") AS "inbound"
    FROM "message_counts" WHERE "grain" = ${grain} AND "start" >= ${span.from} AND "start" < ${span.to} ${channelIs(channel)}
    GROUP BY "channel", "country", "currency", "error_code"`,
  series: (grain: Grain, span: Span, channel?: string) => Prisma.sql`
    SELECT "start", SUM("total") AS "total", SUM("delivered") + SUM("read") AS "delivered", SUM("failed") AS "failed",
      SUM("inbound") AS "inbound"
    FROM "message_counts" WHERE "grain" = ${grain} AND "start" >= ${span.from} AND "start" < ${span.to} ${channelIs(channel)}
    GROUP BY "start"`,
  /** Without a channel, the all-channel histograms: a fifth or less of the rows. */
  latencies: (grain: Grain, span: Span, channel?: string) => Prisma.sql`
    SELECT "metric", "bucket", SUM("count") AS "count" FROM "message_latencies"
    WHERE "grain" = ${grain} AND "start" >= ${span.from} AND "start" < ${span.to} AND "channel" = ${channel ?? ALL_CHANNELS}
    GROUP BY "metric", "bucket"`,
  /**
   * The rows of a partial hour, all channels: a channel condition here let SQLite pick the
   * channel's index and read all of that channel's rows (348 ms for 30 days of WhatsApp in bench
   * part 7), so the caller filters by channel.
   */
  messages: (span: Span) => Prisma.sql`
    SELECT "channel", "country", "currency", "cost_units", "error_code", "outcome", "first_event_at", "submitted_at",
      "delivered_at", "read_at"
    FROM "messages" WHERE "first_event_at" >= ${span.from} AND "first_event_at" < ${span.to}`,
  /** The same expression and condition as the partial index events_inbound_time_idx; all channels, as above. */
  inbound: (span: Span) => Prisma.sql`
    SELECT "channel", COALESCE("timestamp", "received_at") AS "at" FROM "events"
    WHERE "kind" IN ('inbound', 'sms-inbound') AND COALESCE("timestamp", "received_at") >= ${new Date(span.from)}
      AND COALESCE("timestamp", "received_at") < ${new Date(span.to)}`,
  /**
   * The open messages young enough to be pending, by channel (the caller picks one: a channel
   * condition could draw the planner to the channel's index); none is older than the longest threshold.
   */
  pending: (span: Span, now: number) => Prisma.sql`
    SELECT "channel", COUNT(*) AS "count" FROM "messages"
    WHERE "first_event_at" >= ${Math.max(span.from, now - longestOverdueMs())} AND "first_event_at" < ${span.to}
      AND ${openAgeCondition("pending", now)}
    GROUP BY "channel"`,
};

/** What to read for a window: summary rows of whole days and hours, and the rows of the rest. */
export interface WindowPlan {
  counts: { grain: Grain; span: Span }[];
  latencies: { grain: Grain; span: Span }[];
  /** Read from the messages and events rows themselves: the partial hours, or a short window whole. */
  rows: Span[];
}

/**
 * The pieces of [from, to): the partial hours at its ends from the rows, the whole hours from
 * the hour summaries, or, where the series' buckets allow, the whole days from the day summaries
 * and only the hours around them. A window of up to 6 hours with a series is read from the rows
 * alone (its buckets are minutes).
 */
export function planWindow(span: Span, bucketMs: number | null): WindowPlan {
  if (bucketMs !== null && bucketMs < HOUR_MS) return { counts: [], latencies: [], rows: [span] };
  const { whole: hours, ends } = split(span, HOUR_MS);
  const plan: WindowPlan = { counts: [], latencies: [], rows: ends };
  if (!hours) return plan;
  const { whole: days, ends: hourEnds } = split(hours, DAY_MS);
  const byDay = [...(days ? [{ grain: "day" as const, span: days }] : []), ...hourEnds.map((s) => ({ grain: "hour" as const, span: s }))];
  plan.latencies = byDay;
  // Hourly series buckets need the hour rows throughout.
  plan.counts = bucketMs === null || bucketMs >= DAY_MS ? byDay : [{ grain: "hour", span: hours }];
  return plan;
}

class Window {
  readonly cells = new Map<string, Cell>();
  readonly latencies: Record<LatencyMetric, Map<number, number>> = { sd: new Map(), dr: new Map() };
  readonly series = new Map<number, { submitted: number; delivered: number; failed: number; inbound: number }>();

  constructor(
    readonly span: Span,
    readonly channel: string | undefined,
    /** The series' bucket; null: no series (the previous window, read for its error counts). */
    readonly bucketMs: number | null,
  ) {}

  cell(channel: string, country: string, currency: string, errorCode: string): Cell {
    const key = `${channel}\u0000${country}\u0000${currency}\u0000${errorCode}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {
        channel,
        country,
        currency,
        errorCode,
        total: 0,
        delivered: 0,
        read: 0,
        failed: 0,
        open: 0,
        priced: 0,
        costUnits: 0,
        inbound: 0,
      };
      this.cells.set(key, cell);
    }
    return cell;
  }

  point(at: number) {
    const start = floorTo(at, this.bucketMs ?? DAY_MS);
    let point = this.series.get(start);
    if (!point) this.series.set(start, (point = { submitted: 0, delivered: 0, failed: 0, inbound: 0 }));
    return point;
  }

  addLatency(metric: LatencyMetric, bucket: number, count: number) {
    const map = this.latencies[metric];
    map.set(bucket, (map.get(bucket) ?? 0) + count);
  }

  async read(withLatencies: boolean): Promise<void> {
    const plan = planWindow(this.span, this.bucketMs);
    for (const { grain, span } of plan.counts) await this.readCounts(grain, span);
    if (withLatencies) for (const { grain, span } of plan.latencies) await this.readLatencies(grain, span);
    for (const span of plan.rows) await this.readRows(span);
  }

  private async readCounts(grain: Grain, span: Span): Promise<void> {
    const db = getDatabase();
    for (const r of await db.$queryRaw<Record<string, unknown>[]>(INSIGHTS_SQL.counts(grain, span, this.channel))) {
      const cell = this.cell(String(r.channel), String(r.country), String(r.currency), String(r.error_code));
      cell.total += n(r.total);
      cell.delivered += n(r.delivered);
      cell.read += n(r.read);
      cell.failed += n(r.failed);
      cell.open += n(r.open);
      cell.priced += n(r.priced);
      cell.costUnits += n(r.cost_units);
      cell.inbound += n(r.inbound);
    }
    if (this.bucketMs === null) return;
    for (const r of await db.$queryRaw<Record<string, unknown>[]>(INSIGHTS_SQL.series(grain, span, this.channel))) {
      const point = this.point(n(r.start));
      point.submitted += n(r.total);
      point.delivered += n(r.delivered);
      point.failed += n(r.failed);
      point.inbound += n(r.inbound);
    }
  }

  private async readLatencies(grain: Grain, span: Span): Promise<void> {
    const rows = await getDatabase().$queryRaw<{ metric: LatencyMetric; bucket: number | bigint; count: number | bigint }[]>(
      INSIGHTS_SQL.latencies(grain, span, this.channel),
    );
    for (const r of rows) this.addLatency(r.metric, n(r.bucket), n(r.count));
  }

  /** A partial hour (or a short window) from the rows themselves: messages, then inbound events. */
  private async readRows(span: Span): Promise<void> {
    const db = getDatabase();
    const mine = (channel: string | null) => this.channel === undefined || channel === this.channel;
    for (const m of await db.$queryRaw<EdgeMessage[]>(INSIGHTS_SQL.messages(span))) {
      if (!mine(m.channel)) continue;
      const priced = m.cost_units !== null;
      const cell = this.cell(m.channel ?? "", m.country ?? "", priced ? (m.currency ?? "") : "", m.error_code ?? "");
      cell.total += 1;
      cell[m.outcome] += 1;
      if (priced) {
        cell.priced += 1;
        cell.costUnits += n(m.cost_units);
      }
      const point = this.point(n(m.first_event_at));
      point.submitted += 1;
      if (m.outcome === "delivered" || m.outcome === "read") point.delivered += 1;
      if (m.outcome === "failed") point.failed += 1;
      if (m.delivered_at !== null && m.submitted_at !== null)
        this.addLatency("sd", latencyBucket(n(m.delivered_at) - n(m.submitted_at)), 1);
      if (m.delivered_at !== null && m.read_at !== null) this.addLatency("dr", latencyBucket(n(m.read_at) - n(m.delivered_at)), 1);
    }
    for (const e of await db.$queryRaw<{ channel: string | null; at: string | Date }[]>(INSIGHTS_SQL.inbound(span))) {
      if (!mine(e.channel)) continue;
      this.cell(e.channel ?? "", "", "", "").inbound += 1;
      this.point(new Date(e.at).getTime()).inbound += 1;
    }
  }
}

function longestOverdueMs(): number {
  const { byChannel, fallback } = overdueThresholds(getConfig().messageOverdueMinutes);
  return Math.max(fallback, ...byChannel.values());
}

/** Nearest rank: the value at position ceil(p × n) of the sorted list. */
function percentiles(histogram: Map<number, number>): Percentiles {
  const buckets = [...histogram].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const count = buckets.reduce((sum, [, c]) => sum + c, 0);
  const at = (p: number): number | null => {
    if (count === 0) return null;
    const rank = Math.ceil(p * count);
    let seen = 0;
    for (const [value, c] of buckets) {
      seen += c;
      if (seen >= rank) return value;
    }
    return buckets[buckets.length - 1]![0];
  };
  return { count, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99) };
}

const rate = (delivered: number, failed: number) =>
  delivered + failed === 0 ? null : Math.round((delivered / (delivered + failed)) * 1000) / 1000;

export function bucketFor(length: number): number {
  if (length <= MINUTE_SERIES_UP_TO) return 60_000;
  if (length <= HOURLY_SERIES_UP_TO) return HOUR_MS;
  return DAY_MS;
}

export async function insights(query: InsightsQuery, now = Date.now()): Promise<InsightsJson> {
  const until = query.until?.getTime() ?? now;
  const since = query.since?.getTime() ?? until - DEFAULT_WINDOW_MS;
  if (since >= until) throw new QueryError("since: must be before until");
  if (until - since > MAX_WINDOW_MS) throw new QueryError("since: the window may be at most 400 days");
  const bucketMs = bucketFor(until - since);
  const current = new Window({ from: since, to: until }, query.channel, bucketMs);
  const previous = new Window({ from: since - (until - since), to: since }, query.channel, null);
  await current.read(true);
  await previous.read(false);
  // Pending or overdue is a matter of age, so it is counted from the open messages at `now`.
  const young = await getDatabase().$queryRaw<{ channel: string | null; count: number | bigint }[]>(
    INSIGHTS_SQL.pending({ from: since, to: until }, now),
  );

  const [backfill] = await getDatabase().$queryRaw<{ remaining: number | bigint }[]>`
    SELECT "until_id" - "done_id" AS "remaining" FROM "message_backfill" WHERE "id" = 1`;

  const cells = [...current.cells.values()];
  const sum = (pick: (c: Cell) => number, of: Cell[] = cells) => of.reduce((total, c) => total + pick(c), 0);
  const open = sum((c) => c.open);
  const pending = Math.min(
    open,
    young.filter((r) => query.channel === undefined || r.channel === query.channel).reduce((total, r) => total + n(r.count), 0),
  );

  const groupBy = (key: (c: Cell) => string, of: Cell[] = cells) => {
    const groups = new Map<string, Cell[]>();
    for (const c of of) {
      const group = groups.get(key(c));
      if (group) group.push(c);
      else groups.set(key(c), [c]);
    }
    return groups;
  };
  const withMessages = cells.filter((c) => c.total > 0);
  const byChannel = [...groupBy((c) => c.channel || "unknown", withMessages)].map(([channel, of]) => {
    const delivered = sum((c) => c.delivered + c.read, of);
    const failed = sum((c) => c.failed, of);
    return {
      channel,
      total: sum((c) => c.total, of),
      delivered,
      failed,
      pending: sum((c) => c.open, of),
      deliveryRate: rate(delivered, failed),
    };
  });
  const byCountry = [...groupBy((c) => c.country || "unknown", withMessages)].map(([country, of]) => {
    const delivered = sum((c) => c.delivered + c.read, of);
    const failed = sum((c) => c.failed, of);
    return { country, total: sum((c) => c.total, of), delivered, failed, deliveryRate: rate(delivered, failed) };
  });
  const previousErrors = groupBy(
    (c) => c.errorCode,
    [...previous.cells.values()].filter((c) => c.errorCode !== ""),
  );
  const topErrors = [
    ...groupBy(
      (c) => c.errorCode,
      withMessages.filter((c) => c.errorCode !== ""),
    ),
  ]
    .map(([code, of]) => ({
      code,
      title: errorTitleOf(code),
      count: sum((c) => c.total, of),
      previousCount: sum((c) => c.total, previousErrors.get(code) ?? []),
      action: errorActionOf(code).text,
    }))
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
    .slice(0, TOP_ERRORS);
  const cost = [
    ...groupBy(
      (c) => `${c.channel}\u0000${c.currency}`,
      withMessages.filter((c) => c.priced > 0),
    ),
  ].map(([, of]) => ({
    channel: of[0]!.channel || "unknown",
    currency: of[0]!.currency,
    amount: formatCostUnits(sum((c) => c.costUnits, of)),
    messages: sum((c) => c.priced, of),
  }));

  const series = [];
  for (let start = floorTo(since, bucketMs); start < until; start += bucketMs) {
    const point = current.series.get(start) ?? { submitted: 0, delivered: 0, failed: 0, inbound: 0 };
    series.push({ start: new Date(start).toISOString(), ...point });
  }

  return {
    window: { since: new Date(since).toISOString(), until: new Date(until).toISOString() },
    channel: query.channel ?? null,
    messages: {
      total: sum((c) => c.total),
      byState: {
        pending,
        overdue: open - pending,
        delivered: sum((c) => c.delivered),
        read: sum((c) => c.read),
        failed: sum((c) => c.failed),
      },
    },
    inbound: { total: sum((c) => c.inbound) },
    byChannel: byChannel.sort((a, b) => b.total - a.total || a.channel.localeCompare(b.channel)),
    latency: { submittedToDelivered: percentiles(current.latencies.sd), deliveredToRead: percentiles(current.latencies.dr) },
    topErrors,
    cost: cost.sort((a, b) => a.channel.localeCompare(b.channel) || a.currency.localeCompare(b.currency)),
    byCountry: byCountry.sort((a, b) => b.total - a.total || a.country.localeCompare(b.country)),
    bucketMs,
    series,
    backfillRemaining: Math.max(0, n(backfill?.remaining)),
  };
}
