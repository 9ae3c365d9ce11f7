import type { EventJson } from "@/lib/events/types";

/**
 * One message's story from its events: the order Vonage says things happened in, the time
 * between steps, the final status and the cost. Pure functions, safe for client components.
 */

/** Provider time first (statuses arrive late and out of order); arrival breaks ties; no time goes last. */
export function byProviderTime(a: EventJson, b: EventJson): number {
  const ta = a.timestamp ? Date.parse(a.timestamp) : Number.POSITIVE_INFINITY;
  const tb = b.timestamp ? Date.parse(b.timestamp) : Number.POSITIVE_INFINITY;
  return ta === tb ? a.id - b.id : ta - tb;
}

/** How far along a successful delivery each status is. */
const PROGRESS: Record<string, number> = { submitted: 1, accepted: 1, buffered: 1, delivered: 2, read: 3 };
const FAILURES = new Set(["rejected", "undeliverable", "failed", "expired"]);

export interface FinalStatus {
  status: string | null;
  /** Success and failure were both reported (e.g. WhatsApp on two devices). */
  conflict: boolean;
}

/**
 * The status a message ended in. Statuses arrive out of order, so it is not simply the last
 * one received: the furthest success wins (read after delivered after submitted), else a
 * failure, else the latest by provider time.
 */
export function finalStatus(events: EventJson[]): FinalStatus {
  const statuses = events.map((e) => e.status).filter((s): s is string => s !== null);
  if (statuses.length === 0) return { status: null, conflict: false };
  const successes = statuses.filter((s) => (PROGRESS[s] ?? 0) >= 2);
  const failures = statuses.filter((s) => FAILURES.has(s));
  const conflict = successes.length > 0 && failures.length > 0;
  if (successes.length > 0) {
    return { status: successes.reduce((a, b) => ((PROGRESS[b] ?? 0) > (PROGRESS[a] ?? 0) ? b : a)), conflict };
  }
  if (failures.length > 0) return { status: failures[failures.length - 1]!, conflict };
  return { status: statuses[statuses.length - 1]!, conflict };
}

/**
 * What the message cost. Vonage charges a Messages API message once, and may repeat its
 * `usage` on later statuses, so the latest reported price is the cost; SMS API delivery
 * receipts report a price per part, so those are added up.
 */
export function messageCost(ordered: EventJson[]): { currency: string; amount: string } | null {
  const priced = ordered.filter((e) => e.price !== null && Number.isFinite(Number(e.price)));
  if (priced.length === 0) return null;
  const perPart = priced.filter((e) => e.kind === "sms-dlr");
  if (perPart.length > 0) {
    const decimals = Math.max(...perPart.map((e) => e.price!.split(".")[1]?.length ?? 0));
    const sum = perPart.reduce((total, e) => total + Number(e.price), 0);
    return { currency: perPart[0]!.currency ?? "", amount: sum.toFixed(decimals) };
  }
  const latest = priced[priced.length - 1]!;
  return { currency: latest.currency ?? "", amount: latest.price! };
}

/** "2.1 s", "3 min", "1 h 5 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "−" : "";
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  const seconds = abs / 1000;
  if (seconds < 60) return `${sign}${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${sign}${minutes} min${seconds % 60 >= 1 && minutes < 10 ? ` ${Math.round(seconds % 60)} s` : ""}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${sign}${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
  const days = Math.floor(hours / 24);
  return `${sign}${days} d${hours % 24 ? ` ${hours % 24} h` : ""}`;
}

/** Time from the previous step, by provider time; null for the first step or without timestamps. */
export function stepDelays(ordered: EventJson[]): (number | null)[] {
  return ordered.map((event, i) => {
    const previous = ordered[i - 1];
    if (!previous?.timestamp || !event.timestamp) return null;
    return Date.parse(event.timestamp) - Date.parse(previous.timestamp);
  });
}

export interface TotalTime {
  /** The final status it was measured to. */
  status: string;
  ms: number;
}

/**
 * From submitted to the final status, by provider time: the first `submitted` to the first
 * event that reported the final status. Null while there is no final status (a success beyond
 * submitted, or a failure), or without a submitted status or timestamps to measure from.
 */
export function totalTime(ordered: EventJson[], final: string | null): TotalTime | null {
  if (!final || !((PROGRESS[final] ?? 0) >= 2 || FAILURES.has(final))) return null;
  const submitted = ordered.find((e) => e.status === "submitted" && e.timestamp);
  const reached = ordered.find((e) => e.status === final && e.timestamp);
  if (!submitted || !reached) return null;
  return { status: final, ms: Date.parse(reached.timestamp!) - Date.parse(submitted.timestamp!) };
}

/** How long after Vonage's time the console received the event (negative when the clocks disagree); null without a Vonage time. */
export function receiptLag(event: EventJson): number | null {
  if (!event.timestamp) return null;
  return Date.parse(event.receivedAt) - Date.parse(event.timestamp);
}
