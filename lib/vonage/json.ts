/**
 * JSON text as received and as stored: how deep it nests, measured without recursion, and the
 * byte-order mark some senders put in front. Pure functions; safe for client components.
 */

/**
 * The deepest nesting of objects and arrays accepted in a webhook body, a token's claims or a
 * stored payload. Vonage's bodies nest four or five levels; recursive readers (JSON.stringify,
 * Socket.IO's encoder, React) fail thousands of levels down (docs/decisions/020-stored-payloads.md).
 */
export const MAX_JSON_DEPTH = 64;

const BOM = "\uFEFF";

/** The text without a leading byte-order mark (JSON.parse refuses one; TextDecoder drops it). */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/**
 * How deep the text's objects and arrays nest, counting brackets outside strings in one pass;
 * the scan stops as soon as the depth is above `stopAbove`. It does not check the text is JSON.
 */
export function jsonDepth(text: string, stopAbove = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
