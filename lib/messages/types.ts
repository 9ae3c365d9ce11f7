/**
 * Each outbound message's state, and the insights computed from those states: the JSON of
 * `GET /api/messages`, `GET /api/messages/:id` (its `message` and `workflow`) and
 * `GET /api/insights`. Types only; client components import them with `import type`.
 */

/** A message's state (README, "Messages"): `pending` and `overdue` are both "no final status yet". */
export const MESSAGE_STATES = ["pending", "overdue", "delivered", "read", "failed"] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export interface MessageJson {
  id: number;
  messageUuid: string;
  channel: string | null;
  from: string | null;
  to: string | null;
  clientRef: string | null;
  /** ISO 3166 alpha-2 of the recipient's number, when it is a phone number. */
  country: string | null;
  /** The failover workflow it belongs to (RCS or WhatsApp falling back to SMS). */
  workflowId: string | null;
  state: MessageState;
  /** The lifecycle's final status (lib/events/lifecycle.ts): the furthest success, else a failure, else the latest. */
  finalStatus: string | null;
  /** Success and failure were both reported. */
  conflict: boolean;
  /** Past the time after which Vonage sends no more statuses for its channel. */
  beyondHorizon: boolean;
  /** Provider times (ISO 8601; the time received for an event without one). */
  firstEventAt: string;
  submittedAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  /** The latest error code reported, by provider time. */
  errorCode: string | null;
  price: string | null;
  currency: string | null;
  /** Stored events of the message (a retried delivery counts once). */
  events: number;
}

export interface MessagePage {
  messages: MessageJson[];
  nextCursor: number | null;
}

export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface InsightsJson {
  window: { since: string; until: string };
  channel: string | null;
  messages: { total: number; byState: Record<MessageState, number> };
  inbound: { total: number };
  byChannel: { channel: string; total: number; delivered: number; failed: number; pending: number; deliveryRate: number | null }[];
  latency: { submittedToDelivered: Percentiles; deliveredToRead: Percentiles };
  topErrors: { code: string; title: string; count: number; previousCount: number; action: string }[];
  cost: { channel: string; currency: string; amount: string; messages: number }[];
  byCountry: { country: string; total: number; delivered: number; failed: number; deliveryRate: number | null }[];
  /** The series' bucket size, in ms (a minute, an hour or a day). */
  bucketMs: number;
  series: { start: string; submitted: number; delivered: number; failed: number; inbound: number }[];
  /** Events stored before message states were kept, not yet folded in (0 once the backfill is done). */
  backfillRemaining: number;
}
