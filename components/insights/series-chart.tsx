"use client";

import { useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { InsightsJson } from "@/lib/messages/types";

/**
 * Submitted, delivered, failed and inbound per bucket, drawn by uPlot on a canvas
 * (docs/decisions/039-chart-library.md), with the same numbers in a table under "Show numbers".
 * A canvas has no CSS `dark:` variant: the chart is drawn again when the colour scheme changes.
 */

type Series = InsightsJson["series"];
type SeriesKey = "submitted" | "delivered" | "failed" | "inbound";

/** Tailwind's 600 shades on white, 400 on slate-950. */
const LINES: { key: SeriesKey; label: string; light: string; dark: string; dash?: number[] }[] = [
  { key: "submitted", label: "Submitted", light: "#0284c7", dark: "#38bdf8" },
  { key: "delivered", label: "Delivered", light: "#059669", dark: "#34d399" },
  { key: "failed", label: "Failed", light: "#dc2626", dark: "#f87171" },
  { key: "inbound", label: "Inbound", light: "#7c3aed", dark: "#a78bfa", dash: [6, 4] },
];
const AXIS = { light: "#475569", dark: "#94a3b8" };
const GRID = { light: "#e2e8f0", dark: "#1e293b" };
/** Counts are whole numbers: no tick at 0.5. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1e6];
const HEIGHT = 240;

const darkQuery = "(prefers-color-scheme: dark)";
function subscribeToScheme(onChange: () => void): () => void {
  const query = window.matchMedia(darkQuery);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}
function usePrefersDark(): boolean {
  return useSyncExternalStore(
    subscribeToScheme,
    () => window.matchMedia(darkQuery).matches,
    () => false,
  );
}

/** A bucket's start as a person reads it: the time for minutes and hours, the date for days. */
export function bucketLabel(iso: string, bucketMs: number): string {
  const date = new Date(iso);
  if (bucketMs >= 86_400_000) return date.toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric" });
  return date.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function alignedData(series: Series): uPlot.AlignedData {
  return [series.map((bucket) => Date.parse(bucket.start) / 1000), ...LINES.map(({ key }) => series.map((bucket) => bucket[key]))];
}

export function SeriesChart({ series, bucketMs }: { series: Series; bucketMs: number }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  /** Each line's sum over the window, for the legend. */
  const totals = useRef<number[]>([]);
  const dark = usePrefersDark();
  const data = useMemo(() => alignedData(series), [series]);

  // One chart per colour scheme; new numbers are handed to it below, without drawing it anew.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const mode = dark ? "dark" : "light";
    const axis: uPlot.Axis = { stroke: AXIS[mode], grid: { stroke: GRID[mode], width: 1 }, ticks: { stroke: GRID[mode], width: 1 } };
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: HEIGHT,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [axis, { ...axis, incrs: COUNT_STEPS, size: 44 }],
        series: [
          // Away from the chart the legend shows the window's totals, not "--".
          {
            label: "Time",
            value: (_u, seconds) => (seconds === null ? "whole window" : bucketLabel(new Date(seconds * 1000).toISOString(), bucketMs)),
          },
          ...LINES.map((line) => ({
            label: line.label,
            stroke: line[mode],
            width: 2,
            dash: line.dash,
            points: { size: 5, fill: line[mode] },
            value: (_u: uPlot, count: number | null, seriesIndex: number) =>
              (count ?? totals.current[seriesIndex - 1] ?? 0).toLocaleString(),
          })),
        ],
        legend: { live: true },
      },
      [[], [], [], [], []],
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [dark, bucketMs]);

  useEffect(() => {
    totals.current = LINES.map(({ key }) => series.reduce((sum, bucket) => sum + bucket[key], 0));
    chart.current?.setData(data);
  }, [data, series, dark]);

  return (
    <div className="min-w-0 space-y-2">
      {/* The canvas says nothing to a screen reader: the table below holds the same numbers. */}
      <div ref={host} aria-hidden className="w-full min-w-0 text-slate-700 dark:text-slate-300" data-testid="series-chart" />
      <details>
        <summary className="cursor-pointer text-sm font-medium text-slate-600 dark:text-slate-300">Show numbers</summary>
        <div className="relative mt-2 max-h-80 overflow-auto">
          <table className="w-full text-sm tabular-nums">
            <caption className="sr-only">Messages per {bucketMs >= 86_400_000 ? "day" : bucketMs >= 3_600_000 ? "hour" : "minute"}</caption>
            <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  From
                </th>
                {LINES.map((line) => (
                  <th key={line.key} scope="col" className="py-1 pr-3 text-right font-medium">
                    {line.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {series.map((bucket) => (
                <tr key={bucket.start}>
                  <th scope="row" className="py-1 pr-3 text-left font-normal whitespace-nowrap">
                    <time dateTime={bucket.start}>{bucketLabel(bucket.start, bucketMs)}</time>
                  </th>
                  {LINES.map((line) => (
                    <td key={line.key} className="py-1 pr-3 text-right">
                      {bucket[line.key].toLocaleString()}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
