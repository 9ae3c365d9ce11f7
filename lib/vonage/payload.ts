import { asText, isObject, summarizeInbound, type JsonObject } from "@/lib/vonage/content";
import { MESSAGES_ERROR_CODES } from "@/lib/vonage/error-codes";
import { jsonDepth, MAX_JSON_DEPTH } from "@/lib/vonage/json";

/**
 * Lenient parsing of Messages API webhook bodies into the fields every channel shares
 * (Vonage's Messages API reference, and the official SDKs' webhook models for newer fields).
 * Unknown fields, channels, statuses and message types are kept as they are, never refused:
 * Vonage keeps adding them.
 */

export type MessagesEventKind = "status" | "inbound";

export interface NormalizedEvent {
  messageUuid: string | null;
  status: string | null;
  channel: string | null;
  messageType: string | null;
  from: string | null;
  to: string | null;
  clientRef: string | null;
  errorCode: string | null;
  errorTitle: string | null;
  errorDetail: string | null;
  price: string | null;
  currency: string | null;
  timestamp: Date | null;
  text: string | null;
  /** The carrier network (MCCMNC), when reported. */
  networkCode: string | null;
}

export type ParsedBody =
  { ok: true; payload: JsonObject; text: string } | { ok: false; reason: "malformed_json" | "too_deep"; detail: string };

/**
 * JSON.parse with a message fit for the rejections log; only a JSON object nested at most
 * MAX_JSON_DEPTH levels is accepted. `text` is the body as decoded: without a leading
 * byte-order mark, which TextDecoder drops.
 */
export function parseJsonObject(rawBody: Uint8Array): ParsedBody {
  let text: string;
  let value: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(rawBody);
  } catch {
    return { ok: false, reason: "malformed_json", detail: "body is not valid JSON: body is not valid UTF-8" };
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    return { ok: false, reason: "too_deep", detail: `body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep` };
  }
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: "malformed_json", detail: `body is not valid JSON: ${(error as Error).message}` };
  }
  if (!isObject(value)) {
    const got = Array.isArray(value) ? "an array" : typeof value;
    return { ok: false, reason: "malformed_json", detail: `body is JSON but not an object (got ${got})` };
  }
  return { ok: true, payload: value, text };
}

export function normalizeMessagesEvent(kind: MessagesEventKind, payload: JsonObject): NormalizedEvent {
  // Messages webhook version v0.1 carries to/from as objects and the content under
  // message.content; read both shapes.
  const legacyContent = isObject(payload.message) && isObject(payload.message.content) ? payload.message.content : undefined;
  const channel = asText(payload.channel) ?? partyField(payload.from, "type") ?? partyField(payload.to, "type");
  const messageType =
    asText(payload.message_type) ??
    asText(legacyContent?.type) ??
    // A Messages SMS inbound has no message_type: it is always text.
    (kind === "inbound" && channel === "sms" ? "text" : undefined);

  const error = isObject(payload.error) ? payload.error : undefined;
  const errorCode = error ? errorCodeOf(error) : undefined;
  const rawTitle = error ? asText(error.title) : undefined;
  const usage = isObject(payload.usage) ? payload.usage : undefined;

  const content = legacyContent ? { ...payload, ...legacyContent } : payload;
  return {
    messageUuid: asText(payload.message_uuid) ?? null,
    status: kind === "status" ? (asText(payload.status) ?? null) : null,
    channel: channel ?? null,
    messageType: messageType ?? null,
    from: party(payload.from) ?? null,
    to: party(payload.to) ?? null,
    clientRef: asText(payload.client_ref) ?? null,
    errorCode: errorCode ?? null,
    errorTitle: (rawTitle && rawTitle !== errorCode ? rawTitle : errorCode && MESSAGES_ERROR_CODES[errorCode]?.title) ?? null,
    errorDetail: (error && asText(error.detail)) ?? null,
    price: (usage && asText(usage.price)) ?? null,
    currency: (usage && asText(usage.currency)) ?? null,
    timestamp: parseProviderTimestamp(asText(payload.timestamp)),
    text: kind === "inbound" ? (summarizeInbound(content, messageType) ?? null) : null,
    // Newer bodies: origin.network_code on inbound, destination.network_code on statuses.
    networkCode: networkCodeOf(payload.origin) ?? networkCodeOf(payload.destination) ?? null,
  };
}

/** `error.title` is the code (a number or a string); newer bodies also end `error.type` with `#<code>`. */
function errorCodeOf(error: JsonObject): string | undefined {
  const title = asText(error.title);
  if (title && /^\d+$/.test(title.trim())) return title.trim();
  const fragment = asText(error.type)?.match(/#(\d+)$/)?.[1];
  return fragment ?? title;
}

function networkCodeOf(value: unknown): string | undefined {
  return isObject(value) ? asText(value.network_code) : undefined;
}

function party(value: unknown): string | undefined {
  if (isObject(value)) return asText(value.number) ?? asText(value.id);
  return asText(value);
}

function partyField(value: unknown, field: string): string | undefined {
  return isObject(value) ? asText(value[field]) : undefined;
}

const SPACE_SEPARATED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?: ?(UTC|Z))?$/;

/**
 * Vonage timestamps come as ISO 8601 with or without milliseconds, as
 * "YYYY-MM-DD HH:MM:SS UTC" (Messages migration guide), or as "YYYY-MM-DD HH:MM:SS" in UTC
 * (SMS API). Anything else is kept in the payload only.
 */
export function parseProviderTimestamp(value: string | undefined): Date | null {
  if (!value) return null;
  const trimmed = value.trim();
  const spaced = SPACE_SEPARATED.exec(trimmed);
  const iso = spaced ? `${spaced[1]}T${spaced[2]}Z` : trimmed;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso)) return null;
  // Without an offset, JavaScript would read local time; Vonage's times are UTC.
  const date = new Date(/(Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}
