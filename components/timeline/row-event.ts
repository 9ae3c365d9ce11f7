import { mediaUrlOf } from "@/components/message/inbound-content";
import type { EventJson } from "@/lib/events/types";

/**
 * What a timeline row shows of an event: its headline (kind, status, channel, numbers,
 * verification, repeats, part of a multi-part message), its message link, when it happened,
 * and one line of detail (an error, the inbound text and media link, or the price). The
 * timeline holds up to hundreds of thousands of these (components/realtime/event-log.ts); the
 * message view, which shows the whole event, derives the same line from it with rowEventOf.
 */
export type RowEvent = Pick<
  EventJson,
  | "id"
  | "kind"
  | "messageUuid"
  | "status"
  | "channel"
  | "messageType"
  | "from"
  | "to"
  | "verification"
  | "duplicates"
  | "concat"
  | "receivedAt"
  | "timestamp"
  | "error"
  | "price"
  | "currency"
> & {
  /** Inbound events: the text, or the content as JSON when there is no text. Null otherwise. */
  text: string | null;
  /** Inbound Messages API events: the media link, when the message carries media. */
  mediaUrl: string | null;
};

export function rowEventOf(event: EventJson): RowEvent {
  const inbound = event.kind === "inbound" || event.kind === "sms-inbound";
  return {
    id: event.id,
    kind: event.kind,
    messageUuid: event.messageUuid,
    status: event.status,
    channel: event.channel,
    messageType: event.messageType,
    from: event.from,
    to: event.to,
    verification: event.verification,
    duplicates: event.duplicates,
    concat: event.concat,
    receivedAt: event.receivedAt,
    timestamp: event.timestamp,
    error: event.error,
    price: event.price,
    currency: event.currency,
    text: inbound ? (event.text ?? JSON.stringify(event.payload)) : null,
    mediaUrl: event.kind === "inbound" ? (mediaUrlOf(event.payload, event.messageType) ?? null) : null,
  };
}
