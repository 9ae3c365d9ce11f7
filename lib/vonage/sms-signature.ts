import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Verification of the legacy SMS API's `sig` parameter on inbound SMS and delivery receipts
 * (Vonage's signing-messages guide, and the official SDKs' verifiers). Works on decoded
 * parameters, whatever wire form they came in (see sms-params.ts); knows nothing about HTTP
 * or storage.
 */

/** The Dashboard's signature methods, by their PHP/Ruby names; md5hash is Vonage's default. */
export const SMS_SIGNATURE_METHODS = ["md5hash", "md5", "sha1", "sha256", "sha512"] as const;
export type SmsSignatureMethod = (typeof SMS_SIGNATURE_METHODS)[number];

export type SmsRejectionReason = "missing_signature" | "bad_signature" | "stale_token" | "future_token";

/**
 * Which parameters were signed. The PHP, Ruby and .NET SDKs sign every parameter, empty values
 * included (`&b=`); the Java SDK skips empty ones. Which of the two Vonage's own signer does is
 * not documented, so a `sig` that fails one form is tried with the other, and the event records
 * which one matched (as `hashForm`), so real traffic settles the question.
 */
export type SmsSignedForm = "all-params" | "non-empty-params";

export type SmsSignatureVerdict =
  { ok: true; matchedSecretIndex: number; form: SmsSignedForm } | { ok: false; reason: SmsRejectionReason; detail: string };

export interface SmsVerifyOptions {
  /** All received parameters, decoded, including `sig`, `timestamp` and `nonce`. */
  params: Record<string, string>;
  /** The account's signature secret(s); several during a rotation. */
  secrets: string[];
  method: SmsSignatureMethod;
  maxAgeSeconds: number;
  /** "Now", for tests. */
  now?: Date;
}

/** Same clock-skew allowance as the Messages path (verify.ts). */
const SMS_FUTURE_TOLERANCE_SECONDS = 60;

/** Hex length of each method's digest, to tell an operator what a received `sig` looks like. */
const DIGEST_HEX_LENGTH: Record<SmsSignatureMethod, number> = {
  md5hash: 32,
  md5: 32,
  sha1: 40,
  sha256: 64,
  sha512: 128,
};

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The documented string to sign: every parameter but `sig`, keys sorted in byte order
 * (`message-timestamp` < `messageId`), `&` and `=` in each value replaced by `_`, joined as
 * `&key=value…` with a leading `&`. Unlike the Node SDK's outbound signer, nothing is
 * URL-encoded and keys are left alone.
 */
export function smsStringToSign(params: Record<string, string>, form: SmsSignedForm = "all-params"): string {
  return Object.keys(params)
    .filter((key) => key !== "sig" && (form === "all-params" || params[key] !== ""))
    .sort(compareBytes)
    .map((key) => `&${key}=${(params[key] ?? "").replace(/[&=]/g, "_")}`)
    .join("");
}

/** Byte order of the UTF-8 keys; JavaScript's default sort compares UTF-16 code units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** md5hash is a plain MD5 of string + secret; the other methods are HMACs keyed with the secret. Lowercase hex. */
export function computeSmsSignature(
  params: Record<string, string>,
  secret: string,
  method: SmsSignatureMethod,
  form: SmsSignedForm = "all-params",
): string {
  const data = smsStringToSign(params, form);
  if (method === "md5hash")
    return createHash("md5")
      .update(data + secret, "utf8")
      .digest("hex");
  return createHmac(method, secret).update(data, "utf8").digest("hex");
}

/**
 * Checks `sig` against each secret (rotation), then the freshness of Vonage's `timestamp`.
 * The signature comes first: an unsigned or forged timestamp says nothing about the clock.
 */
export function verifySmsSignature(options: SmsVerifyOptions): SmsSignatureVerdict {
  const { params, secrets, method } = options;
  const sig = params.sig;
  if (sig === undefined || sig === "") {
    return refuse(
      "missing_signature",
      "no sig parameter: signing is off for this account (ask Vonage support to enable it), or the request is not from Vonage",
    );
  }
  if (secrets.length === 0) {
    return refuse("bad_signature", "sig is present but no SMS signature secret is configured to check it");
  }

  const match = matchSignature(params, sig, secrets, method);
  if (match === undefined) {
    return refuse("bad_signature", explainMismatch(params, sig, secrets, method));
  }

  const timestampProblem = checkTimestamp(params.timestamp, options);
  if (timestampProblem) return timestampProblem;
  return { ok: true, matchedSecretIndex: match.index, form: match.form };
}

function refuse(reason: SmsRejectionReason, detail: string): SmsSignatureVerdict {
  return { ok: false, reason, detail };
}

/** The secret and signed form that reproduce `sig`; the form without empty values only differs when there are some. */
function matchSignature(
  params: Record<string, string>,
  sig: string,
  secrets: string[],
  method: SmsSignatureMethod,
): { index: number; form: SmsSignedForm } | undefined {
  const hasEmpty = Object.entries(params).some(([key, value]) => key !== "sig" && value === "");
  const forms: SmsSignedForm[] = hasEmpty ? ["all-params", "non-empty-params"] : ["all-params"];
  for (const form of forms) {
    const index = secrets.findIndex((secret) => sameSignature(computeSmsSignature(params, secret, method, form), sig));
    if (index !== -1) return { index, form };
  }
  return undefined;
}

/**
 * Vonage's HMAC sigs are uppercase hex, md5hash lowercase, Python's lowercase: compare
 * case-insensitively, as the Node, PHP, Python and Java SDKs do. The expected length
 * is public (it follows from the method), so a length mismatch may return early;
 * timingSafeEqual would throw on it.
 */
function sameSignature(expectedHex: string, received: string): boolean {
  const expected = Buffer.from(expectedHex, "utf8");
  const actual = Buffer.from(received.toLowerCase(), "utf8");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Users often pick the wrong method: say which one, if any, would have matched. */
function explainMismatch(params: Record<string, string>, sig: string, secrets: string[], method: SmsSignatureMethod): string {
  for (const other of SMS_SIGNATURE_METHODS) {
    if (other === method) continue;
    const match = matchSignature(params, sig, secrets, other);
    if (match !== undefined) {
      const which = secrets.length > 1 ? ` with secret #${match.index + 1}` : "";
      return `signature matches method ${other}${which}, but VONAGE_SMS_SIGNATURE_METHOD is ${method}: set it to ${other} (the method chosen in the Vonage Dashboard)`;
    }
  }
  const against = secrets.length === 1 ? "the configured secret" : `any of ${secrets.length} configured secrets`;
  return `sig does not match ${against} with method ${method}, nor with any other method. ${describeSig(sig)} Use the account's signature secret (not the API secret), and check that no proxy alters the parameters`;
}

function describeSig(sig: string): string {
  if (!/^[0-9a-f]+$/i.test(sig)) return `The received sig (${sig.length} characters) is not hexadecimal.`;
  const fits = SMS_SIGNATURE_METHODS.filter((m) => DIGEST_HEX_LENGTH[m] === sig.length);
  if (fits.length === 0) return `The received sig has ${sig.length} hex characters, the length of no known method.`;
  return `The received sig has ${sig.length} hex characters, the length of ${fits.join(" or ")}.`;
}

/**
 * Vonage signs its own `timestamp` (Unix seconds). The docs set no window (Java allows ±5
 * min), but DLRs are retried for 72 h (Vonage KB 226572227), so the window is the caller's.
 */
function checkTimestamp(timestamp: string | undefined, options: SmsVerifyOptions): SmsSignatureVerdict | undefined {
  if (timestamp === undefined || !UNIX_SECONDS.test(timestamp)) {
    const got = timestamp === undefined ? "no timestamp parameter" : `timestamp ${JSON.stringify(timestamp)}`;
    return refuse(
      "bad_signature",
      `the signature matches, but the request has ${got}; Vonage sends Unix seconds with every signed request, so its age cannot be checked`,
    );
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const age = now - Number(timestamp);
  if (age > options.maxAgeSeconds) {
    return refuse(
      "stale_token",
      `timestamp is ${age} s old, more than the allowed ${options.maxAgeSeconds} s; check the server clock, or raise the maximum age (Vonage retries DLRs for up to 72 h)`,
    );
  }
  if (-age > SMS_FUTURE_TOLERANCE_SECONDS) {
    return refuse("future_token", `timestamp is ${-age} s in the future; the server clock is behind: synchronise it (NTP)`);
  }
  return undefined;
}
