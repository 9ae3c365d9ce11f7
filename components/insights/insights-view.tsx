"use client";

import { useEffect, useId, useState } from "react";
import { fetchInsights } from "@/components/data/api";
import { ChannelTable, CostTable, CountryTable, Empty, formatRate, LatencyTable, TopErrors } from "@/components/insights/insights-tables";
import { SeriesChart } from "@/components/insights/series-chart";
import { boundsOf, useInsightsWindow, type InsightsSelection } from "@/components/insights/use-insights-window";
import { channelName, WindowPicker } from "@/components/insights/window-picker";
import { ConnectionStatus } from "@/components/realtime/connection-status";
import { connectEventSocket } from "@/components/realtime/socket";
import { throttledReload } from "@/components/realtime/throttled-reload";
import type { InsightsJson } from "@/lib/messages/types";

/**
 * Delivery insights for a window: rates, latency, a time series, top errors, cost and
 * countries (GET /api/insights). Read again when events arrive over the socket, at most once
 * a second, and after each reconnect; a fixed window ("last 24 hours") slides with each read.
 */

/** A burst of webhooks reads the insights once a second, not once per flush. */
const RELOAD_EVERY_MS = 1000;

const windowFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });

export function InsightsView() {
  const [selection, select] = useInsightsWindow();
  const key = JSON.stringify(selection);
  const [insights, setInsights] = useState<InsightsJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [attempt, setAttempt] = useState(0);
  // Another window empties the view at once, during render rather than in the effect (which would render twice).
  const [shownKey, setShownKey] = useState(key);
  if (shownKey !== key) {
    setShownKey(key);
    setInsights(null);
    setError(null);
  }

  useEffect(() => {
    const current = JSON.parse(key) as InsightsSelection;
    let stopped = false;
    let asked = 0;
    const load = () => {
      // Only the latest read is shown: an earlier, slower answer would undo a newer one.
      const ask = ++asked;
      fetchInsights(boundsOf(current)).then(
        (answer) => {
          if (stopped || ask !== asked) return;
          setInsights(answer);
          setError(null);
          setUpdatedAt(new Date());
        },
        (e: unknown) => !stopped && ask === asked && setError(e instanceof Error ? e.message : String(e)),
      );
    };
    load();
    const { reload, cancel } = throttledReload(load, RELOAD_EVERY_MS);
    // Live events only (no `after`: no catch-up); the first connection counts too, as an event may
    // be stored between the first read and the join.
    const filter: Record<string, string> = current.channel ? { channel: current.channel } : {};
    const socket = connectEventSocket(() => ({ streams: ["events"], filter }));
    socket.on("connect", () => {
      setConnected(true);
      reload();
    });
    socket.on("disconnect", () => setConnected(false));
    socket.on("events", reload);
    return () => {
      stopped = true;
      cancel();
      socket.off();
      socket.disconnect();
    };
  }, [key, attempt]);

  return (
    <main className="min-h-0 flex-1 overflow-x-hidden overflow-y-auto">
      <div className="mx-auto max-w-6xl space-y-5 p-4 sm:p-6">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div className="min-w-0">
            <h1 className="text-lg font-semibold">Insights</h1>
            <p className="text-sm text-slate-600 dark:text-slate-300">
              Outbound messages by the time of their first event, and inbound messages, in the window.
            </p>
          </div>
          <WindowPicker selection={selection} onChange={select} />
        </div>

        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600 dark:text-slate-400">
          <ConnectionStatus connected={connected} />
          {insights && (
            <span>
              <time dateTime={insights.window.since}>{windowFormat.format(new Date(insights.window.since))}</time> –{" "}
              <time dateTime={insights.window.until}>{windowFormat.format(new Date(insights.window.until))}</time>
              {insights.channel ? ` · ${channelName(insights.channel)}` : ""}
            </span>
          )}
          {updatedAt && insights && <span>updated {updatedAt.toLocaleTimeString()}</span>}
        </div>

        {error && (
          <div
            role="alert"
            className="flex flex-wrap items-center gap-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
          >
            <span>
              {insights ? "Could not refresh the insights (showing the last answer)" : "Could not load the insights"}: {error}
            </span>
            <button
              type="button"
              onClick={() => setAttempt((n) => n + 1)}
              className="rounded-md border border-red-300 px-2.5 py-1 text-sm font-medium hover:bg-red-100 dark:border-red-800 dark:hover:bg-red-900"
            >
              Try again
            </button>
          </div>
        )}
        {!insights && !error && <p className="text-sm text-slate-500">Loading insights…</p>}
        {insights && <Insights insights={insights} custom={selection.window === "custom"} />}
      </div>
    </main>
  );
}

function Insights({ insights, custom }: { insights: InsightsJson; custom: boolean }) {
  const { messages, inbound } = insights;
  // Events stored before message states were kept are folded in after start-up (README, GET /api/insights).
  const backfill = insights.backfillRemaining > 0 && (
    <p className="rounded-md bg-sky-50 p-3 text-sm text-sky-900 dark:bg-sky-950 dark:text-sky-100">
      {insights.backfillRemaining.toLocaleString()} events stored before this version are still being counted in: until then these numbers
      may be low.
    </p>
  );
  if (messages.total === 0 && inbound.total === 0) {
    return (
      <>
        {backfill}
        <p className="rounded-md bg-slate-50 p-6 text-center text-sm text-slate-600 dark:bg-slate-900 dark:text-slate-300">
          No messages in this window{insights.channel ? ` on ${channelName(insights.channel)}` : ""}. New ones will show here as they
          arrive.
        </p>
      </>
    );
  }
  const delivered = messages.byState.delivered + messages.byState.read;
  const failed = messages.byState.failed;
  const pending = messages.byState.pending + messages.byState.overdue;
  const rate = delivered + failed > 0 ? delivered / (delivered + failed) : null;

  return (
    <>
      {backfill}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Figure label="Outbound messages" value={messages.total.toLocaleString()} />
        <Figure label="Delivery rate" value={formatRate(rate)} note={rate === null ? "no final status yet" : "delivered of final"} />
        <Figure label="Delivered" value={delivered.toLocaleString()} note={`${messages.byState.read.toLocaleString()} read`} />
        <Figure label="Failed" value={failed.toLocaleString()} tone={failed > 0 ? "bad" : undefined} />
        <Figure
          label="No final status"
          value={pending.toLocaleString()}
          note={`${messages.byState.overdue.toLocaleString()} overdue`}
          tone={messages.byState.overdue > 0 ? "warn" : undefined}
        />
        <Figure label="Inbound" value={inbound.total.toLocaleString()} />
      </dl>

      <div className="grid gap-5 lg:grid-cols-2">
        <Card title="Delivery rate per channel">
          <ChannelTable rows={insights.byChannel} />
        </Card>
        <Card title="Latency" note="By Vonage's timestamps; nearest-rank percentiles.">
          <LatencyTable latency={insights.latency} />
        </Card>
      </div>

      <Card title="Over time">
        <SeriesChart series={insights.series} bucketMs={insights.bucketMs} />
      </Card>

      <Card title="Top errors" note="Trend: against the window of the same length just before this one.">
        <TopErrors
          errors={insights.topErrors}
          since={insights.window.since}
          until={custom ? insights.window.until : undefined}
          channel={insights.channel}
        />
      </Card>

      <div className="grid gap-5 lg:grid-cols-2">
        <Card title="Cost">
          <CostTable rows={insights.cost} />
        </Card>
        <Card title="By country" note="From the recipient's number.">
          <CountryTable rows={insights.byCountry} />
        </Card>
      </div>
      {messages.total === 0 && <Empty>Only inbound messages in this window.</Empty>}
    </>
  );
}

function Figure({ label, value, note, tone }: { label: string; value: string; note?: string; tone?: "bad" | "warn" }) {
  const color =
    tone === "bad"
      ? "text-red-700 dark:text-red-300"
      : tone === "warn"
        ? "text-amber-700 dark:text-amber-300"
        : "text-slate-900 dark:text-slate-100";
  return (
    <div className="min-w-0 rounded-lg border border-slate-200 px-3 py-2 dark:border-slate-700">
      <dt className="truncate text-xs font-medium text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${color}`}>{value}</dd>
      {note && <dd className="truncate text-xs text-slate-500 dark:text-slate-400">{note}</dd>}
    </div>
  );
}

function Card({ title, note, children }: { title: string; note?: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="min-w-0 space-y-2 rounded-lg border border-slate-200 p-3 sm:p-4 dark:border-slate-700">
      <div>
        <h2 id={id} className="text-base font-semibold">
          {title}
        </h2>
        {note && <p className="text-xs text-slate-500 dark:text-slate-400">{note}</p>}
      </div>
      {children}
    </section>
  );
}
