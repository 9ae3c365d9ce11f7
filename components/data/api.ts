import type { ConcatGroup, EventJson, RejectionJson } from "@/lib/events/types";
import type { InsightsJson, MessageJson, MessagePage } from "@/lib/messages/types";

/** The browser's one way to call the console's read API. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function fetchJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { accept: "application/json", ...init?.headers }, cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { detail?: string; error?: string };
    throw new ApiError(response.status, body.detail ?? body.error ?? `${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

export interface EventPage {
  events: EventJson[];
  nextCursor: number | null;
}

export type FilterParams = Record<string, string>;

function eventsUrl(filter: FilterParams, page: Record<string, string | number> = {}): string {
  const params = new URLSearchParams({ ...filter, ...Object.fromEntries(Object.entries(page).map(([k, v]) => [k, String(v)])) });
  return `/api/events?${params}`;
}

export function fetchEvents(filter: FilterParams, page: Record<string, string | number> = {}): Promise<EventPage> {
  return fetchJson<EventPage>(eventsUrl(filter, page));
}

export interface MessageAnswer {
  messageUuid: string;
  events: EventJson[];
  concat: ConcatGroup | null;
  /** The message's state row; null for an inbound message. */
  message: MessageJson | null;
  /** The other messages of its failover workflow, oldest first. */
  workflow: MessageJson[];
}

export function fetchMessage(messageUuid: string): Promise<MessageAnswer> {
  return fetchJson(`/api/messages/${encodeURIComponent(messageUuid)}`);
}

export function fetchRejections(page: Record<string, string | number> = {}): Promise<{ rejections: RejectionJson[]; nextCursor: number | null }> {
  const params = new URLSearchParams(Object.entries(page).map(([k, v]) => [k, String(v)]));
  return fetchJson(`/api/rejections?${params}`);
}

export function fetchMessages(filter: FilterParams, page: Record<string, string | number> = {}): Promise<MessagePage> {
  const params = new URLSearchParams({ ...filter, ...Object.fromEntries(Object.entries(page).map(([k, v]) => [k, String(v)])) });
  return fetchJson(`/api/messages?${params}`);
}

/** GET /api/insights: the window (since, until; the last 24 hours without them) and an optional channel. */
export function fetchInsights(query: { since?: string; until?: string; channel?: string }): Promise<InsightsJson> {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => !!entry[1]));
  return fetchJson<InsightsJson>(`/api/insights?${params}`);
}
