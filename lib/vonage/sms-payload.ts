import { parseProviderTimestamp, type NormalizedEvent } from "@/lib/vonage/payload";
import { describeSmsErrorCode } from "@/lib/vonage/sms-error-codes";

/**
 * Lenient normalisation of legacy SMS API webhooks (inbound SMS and delivery receipts, as the
 * SMS API spec and Vonage's guides describe them) into the fields the Messages events share.
 * Unknown fields and statuses are kept as they are; nothing beyond what is there is required
 * (a failed DLR may lack `scts`, and its `messageId` may be a UUID: vonage-php-sdk-core #416).
 */

export type SmsEventKind = "sms-inbound" | "sms-dlr";

export interface SmsConcat {
  ref: string;
  part: number;
  total: number;
}

export interface SmsBinary {
  /** The `data` parameter, hex as received: never decoded as text. */
  data: string;
  udh: string | null;
}

export interface NormalizedSms extends NormalizedEvent {
  concat: SmsConcat | null;
  binary: SmsBinary | null;
}

export function normalizeSmsEvent(kind: SmsEventKind, params: Record<string, string>): NormalizedSms {
  const inbound = kind === "sms-inbound";
  const messageType = inbound ? (field(params, "type") ?? "text") : null;
  const binary = inbound && messageType === "binary" ? binaryOf(params) : null;
  const errorCode = inbound ? null : errorCodeOf(params);
  const error = describeSmsErrorCode(errorCode);

  return {
    messageUuid: field(params, "messageId"),
    status: inbound ? null : field(params, "status"),
    channel: "sms",
    messageType,
    // Inbound: msisdn sent it to our number `to`. DLR: msisdn is the recipient and `to` is
    // the sender id we used (delivery-receipts guide), so the pair is the other way round.
    from: inbound ? field(params, "msisdn") : field(params, "to"),
    to: inbound ? field(params, "to") : field(params, "msisdn"),
    clientRef: field(params, "client-ref"),
    errorCode,
    errorTitle: error?.title ?? null,
    errorDetail: error?.explanation ?? null,
    price: field(params, "price"),
    currency: field(params, "currency"),
    timestamp: parseProviderTimestamp(field(params, "message-timestamp") ?? undefined),
    text: inbound ? (binary ? summarizeBinary(binary) : (params.text ?? null)) : null,
    networkCode: field(params, "network-code"),
    concat: inbound ? concatOf(params) : null,
    binary,
  };
}

/** An empty value, or the literal "null" the PHP SDK also reads as null (Factory.php), is absent. */
function field(params: Record<string, string>, key: string): string | null {
  const value = params[key];
  return value === undefined || value === "" || value === "null" ? null : value;
}

/** `err-code` "0" means no error. */
function errorCodeOf(params: Record<string, string>): string | null {
  const code = field(params, "err-code")?.trim();
  return code && !/^0+$/.test(code) ? code : null;
}

function binaryOf(params: Record<string, string>): SmsBinary {
  return { data: field(params, "data") ?? "", udh: field(params, "udh") };
}

function summarizeBinary(binary: SmsBinary): string {
  const udh = binary.udh ? ` (UDH ${binary.udh})` : "";
  if (!/^(?:[0-9a-f]{2})*$/i.test(binary.data)) return `binary: ${binary.data.length} characters, not hex${udh}`;
  return `binary: ${binary.data.length / 2} bytes${udh}`;
}

/** Only parts of a multi-part message carry `concat` = "true" (inbound-SMS guide); `concat-part` starts at 1. */
function concatOf(params: Record<string, string>): SmsConcat | null {
  if (field(params, "concat") !== "true") return null;
  const part = positiveInteger(field(params, "concat-part"));
  const total = positiveInteger(field(params, "concat-total"));
  if (part === undefined || total === undefined) return null;
  return { ref: field(params, "concat-ref") ?? "", part, total };
}

function positiveInteger(value: string | null): number | undefined {
  if (value === null || !/^\d{1,6}$/.test(value.trim())) return undefined;
  const number = Number(value.trim());
  return number >= 1 ? number : undefined;
}

export interface ConcatPart {
  part: number;
  total: number;
  text: string | null;
}

export interface Reassembled {
  complete: boolean;
  text: string;
  missing: number[];
}

/**
 * Joins the parts of one concatenated message (same `concat-ref` and sender). Carriers
 * deliver parts "in scrambled order" and Vonage may repeat one on retry:
 * order by part number, keep the first copy of each part, and list the parts not yet seen.
 */
export function reassembleConcat(parts: ConcatPart[]): Reassembled {
  const byNumber = new Map<number, ConcatPart>();
  for (const part of parts) {
    if (!Number.isInteger(part.part) || part.part < 1) continue;
    const seen = byNumber.get(part.part);
    if (!seen || (seen.text === null && part.text !== null)) byNumber.set(part.part, part);
  }
  const total = Math.max(0, ...parts.map((p) => (Number.isInteger(p.total) ? p.total : 0)));
  const missing: number[] = [];
  for (let n = 1; n <= total; n += 1) if (!byNumber.has(n)) missing.push(n);
  const ordered = [...byNumber.values()].sort((a, b) => a.part - b.part);
  return {
    complete: byNumber.size > 0 && missing.length === 0,
    text: ordered.map((p) => p.text ?? "").join(""),
    missing,
  };
}
