import { z } from "zod";
import { EVENT_KINDS, type EventJson } from "@/lib/events/types";

/**
 * The event filters shared by the read API, exports and the live stream: one schema to
 * parse them from a query string, and one predicate that gives the same answer as the
 * database query (lib/events/query.ts) for a single event.
 */

/**
 * C0 and C1 control characters and DEL: no stored value has them, and in a LIKE pattern or an
 * equality they only make a filter that matches everything (`text=%00`) or nothing.
 */
const noControlCharacters = z.string().refine((value) => !/\p{Cc}/u.test(value), {
  message: "must not contain control characters",
});

const trimmed = noControlCharacters.trim().min(1);

const isoDate = noControlCharacters
  .trim()
  .refine((value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)), {
    message: "must be an ISO 8601 date or date-time, e.g. 2026-11-27T15:30:00Z",
  })
  .transform((value) => new Date(value));

export const eventFilterSchema = z
  .object({
    /** Exact message_uuid (or SMS messageId); surrounding spaces from a paste are ignored. */
    message_id: trimmed.optional(),
    kind: z.enum(EVENT_KINDS).optional(),
    status: trimmed.optional(),
    channel: trimmed.optional(),
    /** Matches from or to; +, spaces, dashes and brackets are ignored. */
    phone: trimmed.optional(),
    client_ref: trimmed.optional(),
    /** Exact error code (`1340`, an SMS API `err-code`): the insights' top errors link here. */
    error_code: trimmed.optional(),
    /** Substring of the inbound text or content summary, case-insensitive for A-Z (as SQLite's LIKE). */
    text: trimmed.optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
  })
  .strict();

export type EventFilter = z.output<typeof eventFilterSchema>;

/** A phone number as stored by Vonage: E.164 digits without '+'. Non-numeric ids stay as typed. */
export function normalizePhone(value: string): string {
  const digits = value.replace(/[\s+\-().]/g, "");
  return /^\d+$/.test(digits) ? digits : value.trim();
}

export function matchesFilter(event: EventJson, filter: EventFilter): boolean {
  if (filter.message_id !== undefined && event.messageUuid !== filter.message_id) return false;
  if (filter.kind !== undefined && event.kind !== filter.kind) return false;
  if (filter.status !== undefined && event.status !== filter.status) return false;
  if (filter.channel !== undefined && event.channel !== filter.channel) return false;
  if (filter.client_ref !== undefined && event.clientRef !== filter.client_ref) return false;
  if (filter.error_code !== undefined && event.error?.code !== filter.error_code) return false;
  if (filter.phone !== undefined) {
    const phone = normalizePhone(filter.phone);
    if (event.from !== phone && event.to !== phone) return false;
  }
  if (filter.text !== undefined && !foldAscii(event.text ?? "").includes(foldAscii(filter.text))) return false;
  const received = Date.parse(event.receivedAt);
  if (filter.since !== undefined && received < filter.since.getTime()) return false;
  if (filter.until !== undefined && received > filter.until.getTime()) return false;
  return true;
}

/** SQLite's LIKE folds only ASCII letters; folding the same way keeps live and stored results equal. */
function foldAscii(value: string): string {
  return value.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
