import type { ErrorCodeInfo } from "@/lib/vonage/error-codes";

/**
 * SMS API delivery receipt `err-code`s and `status` values, with a plain-language
 * explanation. Codes and titles: the SMS API spec's `DeliveryReceipt` (sms.yml) and Vonage's
 * delivery-receipts guide; actions: Vonage KB 204014733 ("retry" for 2/7/8, "remove from
 * your database" for 3/4). `"0"` means no error. The list is open: unknown codes are shown
 * as they arrive. Pure data, safe for client components.
 */

export const SMS_DLR_ERROR_CODES: Record<string, ErrorCodeInfo> = {
  "1": {
    title: "Unknown",
    explanation:
      "The carrier gave no reason or an unrecognised one; if it repeats for a destination, ask Vonage support with the message id.",
  },
  "2": { title: "Absent Subscriber Temporary", explanation: "The handset is off or out of coverage; retry later." },
  "3": { title: "Absent Subscriber Permanent", explanation: "The number is no longer active; remove it from your list." },
  "4": { title: "Call Barred by User", explanation: "The recipient has barred incoming messages; remove the number from your list." },
  "5": {
    title: "Portability Error",
    explanation: "The number was ported to another carrier and could not be routed; ask Vonage support if it persists.",
  },
  "6": { title: "Anti-Spam Rejection", explanation: "The carrier's spam filter refused the message; check the content and the sender id." },
  "7": { title: "Handset Busy", explanation: "The handset could not take the message at that moment; retry later." },
  "8": { title: "Network Error", explanation: "A carrier network error stopped delivery; retry later." },
  "9": { title: "Illegal Number", explanation: "The recipient number is blocked or has opted out; do not send to it again." },
  "10": {
    title: "Illegal Message",
    explanation: "The carrier refused the message itself, often its sender id or content; fix the message before resending.",
  },
  "11": {
    title: "Unroutable",
    explanation: "Vonage has no route to this destination or network; check the number, or ask Vonage support about coverage.",
  },
  "12": {
    title: "Destination Unreachable",
    explanation: "The destination network could not be reached; retry later, and check the number if it persists.",
  },
  "13": { title: "Subscriber Age Restriction", explanation: "The recipient is barred from age-restricted content." },
  "14": { title: "Number Blocked by Carrier", explanation: "The recipient's carrier blocks this number; remove it from your list." },
  "15": { title: "Prepaid Insufficient Funds", explanation: "The recipient's prepaid account lacks the credit this message needs." },
  "50": {
    title: "Entity Filter",
    explanation: "Refused by a local registration rule on the sending entity (e.g. India DLT); register the entity for this destination.",
  },
  "51": {
    title: "Header Filter",
    explanation: "Refused because the sender id (header) is not registered for this destination; register it.",
  },
  "52": { title: "Content Filter", explanation: "Refused because the content does not match a registered template for this destination." },
  "53": { title: "Consent Filter", explanation: "Refused because the recipient's consent is not registered for this destination." },
  "54": { title: "Regulation Error", explanation: "Refused by a local regulation of the destination country." },
  "99": {
    title: "General Error",
    explanation: "A general error at Vonage or the carrier; retry later, and ask Vonage support if it persists.",
  },
};

export function describeSmsErrorCode(code: string | null | undefined): ErrorCodeInfo | undefined {
  return code ? SMS_DLR_ERROR_CODES[code.trim()] : undefined;
}

/** The DLR `status` values (delivery-receipts guide). Unknown values are kept and shown as they arrive. */
export const SMS_DLR_STATUSES = {
  delivered: "The carrier confirmed delivery to the handset.",
  expired: "Not delivered within the validity period; after 72 h Vonage reports expired itself and drops a later carrier receipt.",
  failed: "The carrier could not deliver the message; err-code says why.",
  rejected: "Vonage or the carrier refused the message before delivery; err-code says why.",
  accepted: "The carrier accepted the message; some (e.g. US long codes) never report more than this.",
  buffered: "The carrier holds the message for a later attempt, e.g. while the handset is off.",
  unknown: "The carrier reported a status Vonage does not recognise.",
} as const satisfies Record<string, string>;
