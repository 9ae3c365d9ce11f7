/** Seconds a 503 asks the caller (Vonage, an API client) to wait before retrying. */
export const RETRY_AFTER_SECONDS = 5;
export const RETRY_LATER: [string, string] = ["retry-after", String(RETRY_AFTER_SECONDS)];

/**
 * The token of an `Authorization: Bearer <token>` header, or undefined. Nothing may follow the
 * token: Node and fetch's Headers trim the value's surrounding whitespace before it gets here.
 */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return authorization ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
}
