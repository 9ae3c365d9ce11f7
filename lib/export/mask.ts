import { parsePhoneNumberFromString } from "libphonenumber-js/min";
import type { EventRecord } from "@/lib/events/columns";
import { readStoredJson, unreadableJson } from "@/lib/events/records";
import type { RejectionJson } from "@/lib/events/types";
import { isObject, type Json } from "@/lib/vonage/content";

/**
 * "Mask phone numbers" for exports: a number keeps its country calling code and its last
 * three digits (447700900123 → 44*******123), in the normalised columns and anywhere inside
 * the payload. Vonage writes numbers as E.164 digits without "+".
 */

const PHONE = /^\+?\d{7,15}$/;
/** A run of 7–15 digits not part of a longer number, for free text such as a refused body. */
const PHONE_IN_TEXT = /(?<![\d+])\+?\d{7,15}(?!\d)/g;

export function maskPhone(value: string): string {
  if (!PHONE.test(value)) return value;
  const plus = value.startsWith("+") ? "+" : "";
  const digits = value.replace("+", "");
  const code = parsePhoneNumberFromString(`+${digits}`)?.countryCallingCode ?? digits.slice(0, 1);
  const keep = Math.min(code.length, digits.length - 3);
  return `${plus}${digits.slice(0, keep)}${"*".repeat(digits.length - keep - 3)}${digits.slice(-3)}`;
}

/** Recursive, and bounded: readStoredJson returns only values nested at most MAX_JSON_DEPTH levels. */
function maskJson(value: Json): Json {
  if (typeof value === "string") return maskPhone(value);
  if (Array.isArray(value)) return value.map(maskJson);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskJson(v)]));
  return value;
}

export function maskText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => maskPhone(match));
}

export function maskEventRecord(record: EventRecord): EventRecord {
  return {
    ...record,
    from_number: record.from_number === null ? null : maskPhone(record.from_number),
    to_number: record.to_number === null ? null : maskPhone(record.to_number),
    raw_body: JSON.stringify(maskedPayload(record.raw_body)),
  };
}

/** The payload masked; stored text that cannot be read is masked as free text, in its degraded form. */
function maskedPayload(rawBody: string): Json {
  const stored = readStoredJson(rawBody);
  return stored.ok ? maskJson(stored.value) : unreadableJson(stored.why, maskText(stored.text));
}

export function maskRejection(rejection: RejectionJson): RejectionJson {
  return { ...rejection, body: maskText(rejection.body) };
}
