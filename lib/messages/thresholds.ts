import { DAY_MS, HOUR_MS } from "@/lib/messages/state";

/**
 * When a message without a final status is overdue, and when Vonage will send no more statuses
 * for it. Pure data, safe for client components.
 */

/** Minutes after the first event, by channel; MESSAGE_OVERDUE_MINUTES overrides them. */
export const DEFAULT_OVERDUE_MINUTES: Record<string, number> = {
  sms: 15,
  mms: 30,
  whatsapp: 15,
  messenger: 15,
  viber_service: 15,
  rcs: 15,
};
/** A channel not in the list (or none). */
export const FALLBACK_OVERDUE_MINUTES = 60;

/** After this long Vonage sends no more statuses: SMS and MMS 72 h, Viber 14 days, the others 30 days. */
export const STATUS_HORIZON_MS: Record<string, number> = {
  sms: 72 * HOUR_MS,
  mms: 72 * HOUR_MS,
  viber_service: 14 * DAY_MS,
  whatsapp: 30 * DAY_MS,
  messenger: 30 * DAY_MS,
  rcs: 30 * DAY_MS,
};
const FALLBACK_HORIZON_MS = 30 * DAY_MS;

export function horizonMs(channel: string | null): number {
  return STATUS_HORIZON_MS[channel ?? ""] ?? FALLBACK_HORIZON_MS;
}

/** The thresholds in ms, defaults and overrides merged; `fallback` for any other channel. */
export function overdueThresholds(overrides: Record<string, number>): { byChannel: Map<string, number>; fallback: number } {
  const minutes = { ...DEFAULT_OVERDUE_MINUTES, ...overrides };
  return {
    byChannel: new Map(Object.entries(minutes).map(([channel, m]) => [channel, m * 60_000])),
    fallback: FALLBACK_OVERDUE_MINUTES * 60_000,
  };
}
