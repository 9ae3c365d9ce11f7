"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

/**
 * The insights' window and channel live in the URL, so a view can be shared and reloaded:
 * `?window=7d&channel=sms` for the last 7 days, `?since=…&until=…` for a custom window
 * (ISO 8601, as the timeline's filters). Without either, the last 24 hours.
 */

export const WINDOWS = [
  ["1h", "Last hour", 3_600_000],
  ["24h", "Last 24 hours", 86_400_000],
  ["7d", "Last 7 days", 7 * 86_400_000],
  ["30d", "Last 30 days", 30 * 86_400_000],
] as const;

export type WindowName = (typeof WINDOWS)[number][0] | "custom";

export interface InsightsSelection {
  window: WindowName;
  /** Only for a custom window; an absent `until` means now. */
  since?: string;
  until?: string;
  channel?: string;
}

/** The API query for a selection: a fixed window ends now, so each read slides it forward. */
export function boundsOf(selection: InsightsSelection, now = Date.now()): { since?: string; until?: string; channel?: string } {
  const fixed = WINDOWS.find(([name]) => name === selection.window);
  const bounds = fixed
    ? { since: new Date(now - fixed[2]).toISOString(), until: new Date(now).toISOString() }
    : { since: selection.since, until: selection.until };
  return selection.channel ? { ...bounds, channel: selection.channel } : bounds;
}

export function useInsightsWindow(): [InsightsSelection, (next: InsightsSelection) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const key = params.toString();

  const selection = useMemo((): InsightsSelection => {
    const current = new URLSearchParams(key);
    const since = current.get("since")?.trim() || undefined;
    const until = current.get("until")?.trim() || undefined;
    const channel = current.get("channel")?.trim() || undefined;
    const named = WINDOWS.find(([name]) => name === current.get("window"))?.[0];
    if (since || until) return { window: "custom", since, until, channel };
    return { window: named ?? "24h", channel };
  }, [key]);

  const select = useCallback(
    (next: InsightsSelection) => {
      const query = new URLSearchParams();
      if (next.window === "custom") {
        if (next.since) query.set("since", next.since);
        if (next.until) query.set("until", next.until);
      } else {
        query.set("window", next.window);
      }
      if (next.channel) query.set("channel", next.channel);
      if (query.toString() !== key) router.replace(`${pathname}?${query}`, { scroll: false });
    },
    [key, pathname, router],
  );

  return [selection, select];
}
