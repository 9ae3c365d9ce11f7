import type { EventJson, RejectionJson } from "@/lib/events/types";

/**
 * The Socket.IO wire, typed once for the server (lib/realtime/io.ts) and the browser
 * (components/realtime). Documented in the README under "Real-time contract".
 */

/** What a connection asks to receive (`auth.streams`); without it, the events. */
export const LIVE_STREAMS = ["events", "rejections", "activity"] as const;
export type LiveStream = (typeof LIVE_STREAMS)[number];

/** A call to a webhook endpoint that left a row: an event stored, or a refusal recorded. */
export interface WebhookCall {
  /** The endpoint's path, e.g. /webhooks/message-status. */
  endpoint: string;
  /** When it was received (ISO 8601). */
  at: string;
  outcome: "stored" | "refused";
}

export interface ServerToClientEvents {
  /** Stored events in increasing id order: first the catch-up after `auth.after`, then live ones. */
  events: (events: EventJson[]) => void;
  /** Refusals as they are recorded (the same JSON as GET /api/rejections), in increasing id order. */
  rejections: (rejections: RejectionJson[]) => void;
  /** The newest call per endpoint among those just stored or refused. */
  activity: (calls: WebhookCall[]) => void;
}

export type ClientToServerEvents = Record<string, never>;

export interface HandshakeAuth {
  /** The highest event id the client already has; the server sends every matching event after it. */
  after?: number;
  /** The same filters as GET /api/events (message_id, kind, status, channel, phone, client_ref, error_code, text, since, until). */
  filter?: Record<string, string>;
  /** What to receive; `["events"]` when absent. */
  streams?: LiveStream[];
  /** DASHBOARD_API_TOKEN, for scripts (browsers use their session cookie). */
  token?: string;
}

export const SOCKET_PATH = "/socket.io";
