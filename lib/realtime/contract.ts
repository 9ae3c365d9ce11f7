import type { EventJson } from "@/lib/events/types";

/**
 * The Socket.IO wire, typed once for the server (lib/realtime/io.ts) and the browser
 * (components/realtime). Documented in the README under "Real-time contract".
 */

export interface ServerToClientEvents {
  /** Stored events in increasing id order: first the catch-up after `auth.after`, then live ones. */
  events: (events: EventJson[]) => void;
}

export type ClientToServerEvents = Record<string, never>;

export interface HandshakeAuth {
  /** The highest event id the client already has; the server sends every matching event after it. */
  after?: number;
  /** The same filters as GET /api/events (message_id, kind, status, channel, phone, client_ref, text, since, until). */
  filter?: Record<string, string>;
  /** DASHBOARD_API_TOKEN, for scripts (browsers use their session cookie). */
  token?: string;
}

export const SOCKET_PATH = "/socket.io";
