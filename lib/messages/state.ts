import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { EventKind } from "@/lib/events/types";

/**
 * Each outbound message's state, folded one stored event at a time, and what a change of state
 * adds to and takes from the summary rows the insights read. Pure: the write path
 * (lib/messages/write.ts) reads the messages a batch touches, calls `planMessages`, and writes
 * the result in the batch's own transaction, so the events, the message rows and the summaries
 * always agree. The rules are the lifecycle's (lib/events/lifecycle.ts): the furthest success
 * wins (read, then delivered), then a failure, then the latest status by provider time; a late
 * `submitted` never downgrades a `delivered`.
 */

/** One stored event as the message state needs it. Times are ms since 1970. */
export interface MessageFact {
  kind: EventKind;
  messageUuid: string | null;
  status: string | null;
  channel: string | null;
  from: string | null;
  to: string | null;
  clientRef: string | null;
  errorCode: string | null;
  price: string | null;
  currency: string | null;
  /** The provider's time, when the event has one. */
  timestampMs: number | null;
  receivedMs: number;
  workflowId: string | null;
}

/** What a message's statuses add up to: `open` is pending or overdue, decided when it is read. */
export type Outcome = "read" | "delivered" | "failed" | "open";

/** One row of the `messages` table. Times: ms since 1970, provider time (the time received without one). */
export interface MessageRow {
  /** Null until the row is first written. */
  id: number | null;
  messageUuid: string;
  channel: string | null;
  from: string | null;
  to: string | null;
  clientRef: string | null;
  country: string | null;
  workflowId: string | null;
  firstEventAt: number;
  submittedAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
  /** The latest status by provider time, and that time (null: the event had none, so it sorts last). */
  lastStatus: string | null;
  lastStatusAt: number | null;
  lastFailure: string | null;
  lastFailureAt: number | null;
  errorCode: string | null;
  errorAt: number | null;
  /** The cost in units of 10⁻⁸ of its currency (SMS API receipts give 8 decimals). */
  costUnits: number | null;
  currency: string | null;
  priceAt: number | null;
  outcome: Outcome;
  finalStatus: string | null;
  conflict: boolean;
  events: number;
}

const SUBMITTED = new Set(["submitted", "accepted", "buffered"]);
const FAILURES = new Set(["rejected", "undeliverable", "failed", "expired"]);

/** Kinds whose events are statuses of a message we sent. */
const STATUS_KINDS = new Set<EventKind>(["status", "sms-dlr"]);
const INBOUND_KINDS = new Set<EventKind>(["inbound", "sms-inbound"]);

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** True when an event at provider time `at` comes after the one a field holds (`held` set, at `heldAt`). */
function isLater(at: number | null, held: boolean, heldAt: number | null): boolean {
  if (!held) return true;
  // No provider time sorts last; between two, the later arrival (this event) wins a tie.
  if (at === null) return true;
  if (heldAt === null) return false;
  return at >= heldAt;
}

const earliest = (a: number | null, b: number) => (a === null || b < a ? b : a);

/** "0.00845000" → 845000 (units of 10⁻⁸), exactly; null for anything that is not a plain decimal. */
export function costUnitsOf(price: string | null): number | null {
  if (price === null) return null;
  const match = /^\s*(\d{1,9})(?:\.(\d*))?\s*$/.exec(price);
  if (!match) return null;
  const fraction = (match[2] ?? "").padEnd(9, "0");
  // Rounded half up at the 8th decimal.
  return Number(match[1]) * 1e8 + Number(fraction.slice(0, 8)) + (Number(fraction[8]) >= 5 ? 1 : 0);
}

/** 845000 → "0.00845": the shortest exact decimal. */
export function formatCostUnits(units: number): string {
  const whole = Math.floor(units / 1e8);
  const fraction = String(units % 1e8)
    .padStart(8, "0")
    .replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * The recipient's country (ISO 3166 alpha-2) from an E.164 number without '+'; null when it is
 * not one. A number the metadata cannot place (a test range such as +44 7700 900xxx) takes the
 * first country of its prefix, which is the calling code's main one (GB for +44).
 */
export function countryOf(to: string | null): string | null {
  if (to === null || !/^\d{6,15}$/.test(to)) return null;
  const phone = parsePhoneNumberFromString(`+${to}`);
  return phone?.country ?? phone?.getPossibleCountries()[0] ?? null;
}

export function newMessageRow(messageUuid: string, firstEventAt: number): MessageRow {
  return {
    id: null,
    messageUuid,
    channel: null,
    from: null,
    to: null,
    clientRef: null,
    country: null,
    workflowId: null,
    firstEventAt,
    submittedAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    lastStatus: null,
    lastStatusAt: null,
    lastFailure: null,
    lastFailureAt: null,
    errorCode: null,
    errorAt: null,
    costUnits: null,
    currency: null,
    priceAt: null,
    outcome: "open",
    finalStatus: null,
    conflict: false,
    events: 0,
  };
}

/** The row after one more of its events. */
export function foldFact(before: MessageRow, fact: MessageFact): MessageRow {
  const row = { ...before };
  const at = fact.timestampMs ?? fact.receivedMs;
  row.events += 1;
  row.firstEventAt = Math.min(row.firstEventAt, at);
  row.channel ??= fact.channel;
  row.from ??= fact.from;
  if (row.to === null && fact.to !== null) {
    row.to = fact.to;
    row.country = countryOf(fact.to);
  }
  row.clientRef ??= fact.clientRef;
  row.workflowId ??= fact.workflowId;
  const status = fact.status;
  if (status !== null) {
    if (SUBMITTED.has(status)) row.submittedAt = earliest(row.submittedAt, at);
    else if (status === "delivered") row.deliveredAt = earliest(row.deliveredAt, at);
    else if (status === "read") row.readAt = earliest(row.readAt, at);
    else if (FAILURES.has(status)) {
      row.failedAt = earliest(row.failedAt, at);
      if (isLater(fact.timestampMs, row.lastFailure !== null, row.lastFailureAt)) {
        row.lastFailure = status;
        row.lastFailureAt = fact.timestampMs;
      }
    }
    if (isLater(fact.timestampMs, row.lastStatus !== null, row.lastStatusAt)) {
      row.lastStatus = status;
      row.lastStatusAt = fact.timestampMs;
    }
  }
  if (fact.errorCode !== null && isLater(fact.timestampMs, row.errorCode !== null, row.errorAt)) {
    row.errorCode = fact.errorCode;
    row.errorAt = fact.timestampMs;
  }
  const units = costUnitsOf(fact.price);
  if (units !== null) {
    if (fact.kind === "sms-dlr") {
      // SMS API receipts price each part: the parts add up (lib/events/lifecycle.ts, messageCost).
      row.costUnits = (row.costUnits ?? 0) + units;
      row.currency ??= fact.currency;
    } else if (isLater(fact.timestampMs, row.costUnits !== null, row.priceAt)) {
      // The Messages API repeats its `usage` on later statuses: the latest is the cost.
      row.costUnits = units;
      row.currency = fact.currency;
      row.priceAt = fact.timestampMs;
    }
  }
  const success = row.readAt !== null ? "read" : row.deliveredAt !== null ? "delivered" : null;
  row.outcome = success ?? (row.failedAt !== null ? "failed" : "open");
  row.finalStatus = success ?? row.lastFailure ?? row.lastStatus;
  row.conflict = success !== null && row.failedAt !== null;
  return row;
}

/** Latencies are kept to two significant figures (at least 1 ms): 4,370 ms counts as 4,300 ms. */
export function latencyBucket(ms: number): number {
  const whole = Math.max(0, Math.floor(ms));
  if (whole < 100) return whole;
  const step = 10 ** (String(whole).length - 2);
  return Math.floor(whole / step) * step;
}

/** The two latencies a message can have, by provider time: submitted → delivered, delivered → read. */
export function latenciesOf(row: MessageRow): { metric: LatencyMetric; ms: number }[] {
  const out: { metric: LatencyMetric; ms: number }[] = [];
  if (row.submittedAt !== null && row.deliveredAt !== null) out.push({ metric: "sd", ms: row.deliveredAt - row.submittedAt });
  if (row.deliveredAt !== null && row.readAt !== null) out.push({ metric: "dr", ms: row.readAt - row.deliveredAt });
  return out;
}

export type LatencyMetric = "sd" | "dr";

/** The two grains of the summaries: an hour and a day (UTC), and their lengths. */
export const GRAINS = [
  ["hour", HOUR_MS],
  ["day", DAY_MS],
] as const;
export type Grain = (typeof GRAINS)[number][0];

/** The latency histograms' channel for all channels together: an unfiltered window reads these alone. */
export const ALL_CHANNELS = "*";

/**
 * A summary row of `message_counts`: the messages whose first event fell in one hour or one day,
 * for one channel, recipient country, currency and error code ('' for none), and the inbound
 * events of that time and channel.
 */
export interface CountRow {
  grain: Grain;
  start: number;
  channel: string;
  country: string;
  currency: string;
  errorCode: string;
  total: number;
  delivered: number;
  read: number;
  failed: number;
  open: number;
  priced: number;
  costUnits: number;
  inbound: number;
}

/** A summary row of `message_latencies`: how many messages of an hour or a day had a latency in one bucket. */
export interface LatencyCount {
  grain: Grain;
  start: number;
  channel: string;
  metric: LatencyMetric;
  bucket: number;
  count: number;
}

export interface MessagePlan {
  /** The rows to write, each once, in the order they were first touched. */
  rows: MessageRow[];
  counts: CountRow[];
  latencies: LatencyCount[];
}

interface Deltas {
  counts: Map<string, CountRow>;
  latencies: Map<string, LatencyCount>;
}

type CountKey = Pick<CountRow, "channel" | "country" | "currency" | "errorCode">;

/** The count rows (an hour's and a day's) that a message or an inbound event at `at` adds to. */
function countRows(deltas: Deltas, at: number, key: CountKey): CountRow[] {
  return GRAINS.map(([grain, span]) => {
    const start = Math.floor(at / span) * span;
    const id = `${grain}\u0000${start}\u0000${key.channel}\u0000${key.country}\u0000${key.currency}\u0000${key.errorCode}`;
    let row = deltas.counts.get(id);
    if (!row) {
      row = { grain, start, ...key, total: 0, delivered: 0, read: 0, failed: 0, open: 0, priced: 0, costUnits: 0, inbound: 0 };
      deltas.counts.set(id, row);
    }
    return row;
  });
}

/** Adds (sign 1) or takes away (sign −1) one message's share of the summaries. */
function contribute(deltas: Deltas, row: MessageRow, sign: 1 | -1): void {
  const channel = row.channel ?? "";
  const currency = row.costUnits !== null ? (row.currency ?? "") : "";
  for (const counts of countRows(deltas, row.firstEventAt, {
    channel,
    country: row.country ?? "",
    currency,
    errorCode: row.errorCode ?? "",
  })) {
    counts.total += sign;
    counts[row.outcome] += sign;
    if (row.costUnits !== null) {
      counts.priced += sign;
      counts.costUnits += sign * row.costUnits;
    }
  }
  for (const { metric, ms } of latenciesOf(row)) {
    const bucket = latencyBucket(ms);
    for (const [grain, span] of GRAINS) {
      const start = Math.floor(row.firstEventAt / span) * span;
      for (const group of [channel, ALL_CHANNELS]) {
        const key = `${grain}\u0000${start}\u0000${group}\u0000${metric}\u0000${bucket}`;
        const latency = deltas.latencies.get(key) ?? { grain, start, channel: group, metric, bucket, count: 0 };
        latency.count += sign;
        deltas.latencies.set(key, latency);
      }
    }
  }
}

/**
 * What a batch of new events does to the message rows and the summaries. `known` holds the
 * stored rows of the messages the batch touches (by uuid); facts are in commit order.
 */
export function planMessages(known: Map<string, MessageRow>, facts: MessageFact[]): MessagePlan {
  const before = new Map<string, MessageRow | null>();
  const after = new Map<string, MessageRow>();
  const deltas: Deltas = { counts: new Map(), latencies: new Map() };
  for (const fact of facts) {
    if (INBOUND_KINDS.has(fact.kind)) {
      const at = fact.timestampMs ?? fact.receivedMs;
      for (const counts of countRows(deltas, at, { channel: fact.channel ?? "", country: "", currency: "", errorCode: "" }))
        counts.inbound += 1;
      continue;
    }
    if (!STATUS_KINDS.has(fact.kind) || fact.messageUuid === null) continue;
    const uuid = fact.messageUuid;
    if (!before.has(uuid)) before.set(uuid, known.get(uuid) ?? null);
    const current = after.get(uuid) ?? before.get(uuid) ?? newMessageRow(uuid, fact.timestampMs ?? fact.receivedMs);
    after.set(uuid, foldFact(current, fact));
  }
  for (const [uuid, row] of after) {
    const old = before.get(uuid);
    if (old) contribute(deltas, old, -1);
    contribute(deltas, row, 1);
  }
  const COUNTED = ["total", "delivered", "read", "failed", "open", "priced", "costUnits", "inbound"] as const;
  return {
    rows: [...after.values()],
    counts: [...deltas.counts.values()].filter((c) => COUNTED.some((field) => c[field] !== 0)),
    latencies: [...deltas.latencies.values()].filter((l) => l.count !== 0),
  };
}
