import type { JsonObject } from "@/lib/vonage/content";

/**
 * The event as every reader sees it: the read API, exports and the Socket.IO stream send
 * exactly this JSON. Types only; client components import them with `import type`. The fields
 * are the column manifest's (lib/events/columns.ts); lib/events/columns.test.ts holds the two together.
 */

export const EVENT_KINDS = ["status", "inbound", "sms-inbound", "sms-dlr"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type Verification = "verified" | "unverified";

export interface EventError {
  code: string | null;
  title: string | null;
  detail: string | null;
}

export interface EventJson {
  id: number;
  kind: EventKind;
  messageUuid: string | null;
  status: string | null;
  channel: string | null;
  messageType: string | null;
  from: string | null;
  to: string | null;
  clientRef: string | null;
  error: EventError | null;
  price: string | null;
  currency: string | null;
  /** The provider's event time (ISO 8601), when it could be parsed. */
  timestamp: string | null;
  receivedAt: string;
  verification: Verification;
  /** Which body form matched payload_hash ("raw" or "compact"); null when unverified. */
  hashForm: string | null;
  apiKey: string | null;
  applicationId: string | null;
  /** The inbound text, or a one-line summary of other content. */
  text: string | null;
  /** The carrier network (MCCMNC), when reported. */
  networkCode: string | null;
  /** A part of a multi-part inbound SMS (SMS API). */
  concat: { ref: string; part: number; total: number } | null;
  /** SMS API webhooks: how they arrived ("query" for GET, "form", "json"); null for the Messages API. */
  wireForm: string | null;
  duplicates: number;
  lastDuplicateAt: string | null;
  /** The body as received, parsed. */
  payload: JsonObject;
  /** Selected request headers, token redacted. */
  headers: Record<string, string>;
}

export interface RejectionJson {
  id: number;
  receivedAt: string;
  endpoint: string;
  method: string;
  reason: string;
  detail: string;
  httpStatus: number;
  sourceIp: string | null;
  headers: Record<string, string>;
  /** Decoded (unverified) JWT header and claims, when a token was readable. */
  tokenClaims: Record<string, unknown> | null;
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** How many refusals from this address the row stands for, itself included (1: just itself). */
  repeats: number;
}

/** All the parts of a multi-part inbound SMS (GET /api/messages/:id, `concat`). */
export interface ConcatGroup {
  ref: string;
  from: string | null;
  total: number;
  /** The parts received, by part number (a repeated part once). */
  parts: EventJson[];
  missing: number[];
  complete: boolean;
  /** The whole message, once every part has arrived; the parts joined so far otherwise. */
  text: string;
  firstReceivedAt: string;
}

/**
 * Who is told of what was committed, in commit order: the ingest worker's commit listener
 * (lib/events/store.ts), and on the HTTP thread the live layer (lib/realtime/io.ts).
 */
export interface CommitSink {
  events(events: EventJson[]): void;
  rejections(rejections: RejectionJson[]): void;
}
