/**
 * Why a webhook delivery was refused: the codes stored in the rejections log, each with
 * what it means and what to try. Pure data, safe to import from client components.
 */

export const REJECTION_REASONS = {
  missing_token: {
    meaning: "The request had no Authorization header.",
    fix: "Vonage sends an unsigned callback only after an internal error, and retries it signed because we answer 503. If every call is unsigned, the request is not coming from Vonage's Messages API (or a proxy strips the Authorization header).",
  },
  malformed_token: {
    meaning: "The Authorization header is not a well-formed 'Bearer <JWT>'.",
    fix: "Check that no proxy rewrites the Authorization header, and that the caller is Vonage.",
  },
  bad_algorithm: {
    meaning: "The token is not signed with HS256, the only algorithm Vonage uses for webhooks.",
    fix: "Tokens with alg 'none', RS256 or other algorithms are forged or come from another system.",
  },
  bad_signature: {
    meaning: "The signature does not match the configured signature secret.",
    fix: "Messages API: set VONAGE_SIGNATURE_SECRET to the account's signature secret (Dashboard > Settings), not the API secret or the application's private key; during a rotation, list both: old,new. SMS API (sig): set VONAGE_SMS_SIGNATURE_SECRET and VONAGE_SMS_SIGNATURE_METHOD to the secret and method chosen in the Dashboard; the detail says if another method would have matched.",
  },
  missing_signature: {
    meaning: "An SMS API webhook arrived without a sig parameter, while VONAGE_SMS_SIGNATURE_SECRET is set.",
    fix: "Vonage signs SMS API webhooks only when signing is enabled for the account (ask Vonage support, or check Dashboard > Settings). Unset VONAGE_SMS_SIGNATURE_SECRET to accept unsigned ones, marked unverified.",
  },
  malformed_request: {
    meaning: "The request carries no readable SMS API parameters.",
    fix: "SMS API webhooks are GET with a query string, or POST form-urlencoded or JSON. Look at the stored body and headers.",
  },
  unknown_api_key: {
    meaning: "The token names an api_key for which no secret is configured.",
    fix: "Add an api_key:secret pair for this account (or sub-account) to VONAGE_SIGNATURE_SECRET.",
  },
  wrong_issuer: {
    meaning: "The token's iss claim is not 'Vonage'.",
    fix: "The token was not issued by Vonage's webhook signer.",
  },
  wrong_application: {
    meaning: "The token belongs to another Vonage application.",
    fix: "Check VONAGE_APPLICATION_ID, or point only this application's webhooks at the console.",
  },
  stale_token: {
    meaning: "The token (or the SMS API timestamp) is older than the allowed maximum age.",
    fix: "Check the server clock (NTP), or raise SIGNATURE_MAX_AGE_SECONDS (SMS_SIGNATURE_MAX_AGE_SECONDS for SMS API webhooks); Vonage retries Messages webhooks for 24 hours and SMS delivery receipts for 72 hours.",
  },
  future_token: {
    meaning: "The token (or the SMS API timestamp) is more than 60 seconds in the future.",
    fix: "The server clock is behind: synchronise it (NTP).",
  },
  missing_claim: {
    meaning: "The token lacks a claim the verification needs (iss, iat, payload_hash, or api_key when secrets are per account).",
    fix: "The token was not issued by Vonage's webhook signer.",
  },
  payload_hash_mismatch: {
    meaning: "The body's SHA-256 does not match the token's payload_hash: the body was changed after signing.",
    fix: "Check for a proxy that re-encodes or rewrites request bodies.",
  },
  malformed_json: {
    meaning: "The body is signed correctly but is not a JSON object.",
    fix: "Look at the stored body; Messages API webhooks are always JSON objects.",
  },
  too_deep: {
    meaning: "The body is JSON nested more than 64 levels deep (objects within objects or arrays).",
    fix: "Vonage's webhook bodies nest a few levels; something else is posting to this URL.",
  },
  method_not_allowed: {
    meaning: "The request used a method other than POST.",
    fix: "Messages API webhooks are always POSTed. A GET usually means the URL was opened in a browser, or an account-level SMS setting is set to GET (use /webhooks/inbound-sms and /webhooks/delivery-receipt for those).",
  },
  endpoint_disabled: {
    meaning: "The request reached an SMS API endpoint while SMS_API_WEBHOOKS is off.",
    fix: "If this account does use the SMS API (inbound SMS or delivery receipts at account-level URLs), set SMS_API_WEBHOOKS=on; otherwise remove these URLs from Dashboard › Settings.",
  },
  body_too_large: {
    meaning: "The body is larger than 1 MiB.",
    fix: "Vonage webhooks are a few kilobytes; something else is posting to this URL.",
  },
  body_timeout: {
    meaning: "The body had not fully arrived within WEBHOOK_BODY_TIMEOUT_MS (default 10 s) of the request's headers.",
    fix: "Vonage sends a webhook's body at once; a sender that trickles it is broken or is holding connections open on purpose. On a slow link to a sender you trust, raise WEBHOOK_BODY_TIMEOUT_MS.",
  },
  headers_too_large: {
    meaning: "The request's headers are larger than 64 KiB in total.",
    fix: "Vonage's headers are well under 8 KiB; something else is calling this URL, or a proxy adds huge headers. Only the request line and the headers' first bytes are kept.",
  },
} as const satisfies Record<string, { meaning: string; fix: string }>;

export type RejectionReason = keyof typeof REJECTION_REASONS;

export const REJECTION_REASON_CODES = Object.keys(REJECTION_REASONS) as RejectionReason[];
