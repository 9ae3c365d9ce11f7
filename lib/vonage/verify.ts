import { timingSafeEqual } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { SignatureSecrets } from "@/lib/config";
import { bearerToken } from "@/lib/http/headers";
import { sha256 } from "@/lib/sha256";
import type { RejectionReason } from "@/lib/vonage/reasons";

/**
 * Verification of Vonage's signed webhooks (Vonage's signed-webhooks guide; decision 004):
 * HS256 only, the account's signature secret chosen by `api_key`, then `iss`, `iat` and
 * `payload_hash` over the raw body bytes. Knows nothing about HTTP or storage.
 */

export interface VerifyOptions {
  /** The `Authorization` header as received, or null. */
  authorization: string | null;
  rawBody: Uint8Array;
  secrets: SignatureSecrets;
  maxAgeSeconds: number;
  /** When set, tokens for another application are refused. */
  applicationId?: string;
  /** "Now", for tests. */
  now?: Date;
}

export type HashForm = "raw" | "compact";

export interface VonageClaims extends JWTPayload {
  payload_hash?: string;
  api_key?: string;
  application_id?: string;
}

export type SignatureVerdict =
  | { ok: true; verification: "verified"; claims: VonageClaims; hashForm: HashForm }
  | { ok: true; verification: "unverified"; claims?: VonageClaims }
  | { ok: false; reason: RejectionReason; detail: string; httpStatus: 401 | 503 };

/** Vonage's tokens may be a little ahead of our clock; beyond this they are refused. */
const FUTURE_TOLERANCE_SECONDS = 60;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

function refuse(reason: RejectionReason, detail: string, httpStatus: 401 | 503 = 401): SignatureVerdict {
  return { ok: false, reason, detail, httpStatus };
}

export async function verifyVonageSignature(options: VerifyOptions): Promise<SignatureVerdict> {
  const { authorization, rawBody, secrets } = options;
  const configured = secrets.any.length > 0 || secrets.byApiKey.size > 0;

  if (!configured) {
    // First local try-out: accept signed and unsigned calls alike, and say so loudly elsewhere.
    return { ok: true, verification: "unverified", claims: tryDecodeClaims(authorization) };
  }

  if (!authorization) {
    // Vonage: an unsigned callback follows an internal error on their side; a 5xx makes
    // them retry it, signed (Vonage's signed-webhooks guide).
    return refuse("missing_token", "no Authorization header; answered 503 so Vonage retries with a signed call", 503);
  }
  const token = bearerToken(authorization);
  if (!token || !COMPACT_JWS.test(token)) {
    return refuse("malformed_token", "Authorization is not 'Bearer <header>.<payload>.<signature>'");
  }

  let alg: unknown;
  let unverified: VonageClaims;
  try {
    alg = decodeProtectedHeader(token).alg;
    unverified = decodeJwt<VonageClaims>(token);
  } catch {
    return refuse("malformed_token", "the token's header or payload is not base64url JSON");
  }
  if (alg !== "HS256") {
    return refuse("bad_algorithm", `token algorithm is ${JSON.stringify(alg ?? null)}; only HS256 is accepted`);
  }

  // The api_key claim is read unverified only to pick which of our own secrets to try.
  const candidates = secretsFor(secrets, unverified.api_key);
  if (candidates.length === 0) {
    if (typeof unverified.api_key !== "string") {
      return refuse("missing_claim", "token has no api_key claim, and secrets are configured per api_key");
    }
    return refuse("unknown_api_key", `no signature secret is configured for api_key ${unverified.api_key}`);
  }

  let claims: VonageClaims | undefined;
  for (const secret of candidates) {
    try {
      const result = await jwtVerify<VonageClaims>(token, await hmacKey(secret), {
        algorithms: ["HS256"],
        currentDate: options.now,
      });
      claims = result.payload;
      break;
    } catch (error) {
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) continue;
      if (error instanceof joseErrors.JWTExpired) {
        return refuse("stale_token", "the token's exp claim has passed");
      }
      // jose says "invalid" for a time claim that is not a number: the token is malformed, not early.
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.reason === "invalid") {
        return refuse("malformed_token", `the token's ${error.claim} claim is not a number of seconds`);
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        return refuse("future_token", `the token's ${error.claim} claim is in the future`);
      }
      return refuse("malformed_token", error instanceof Error ? error.message : String(error));
    }
  }
  if (!claims) {
    return refuse(
      "bad_signature",
      `signature does not match ${candidates.length === 1 ? "the configured secret" : `any of ${candidates.length} configured secrets`} (use the account's signature secret, not the API secret)`,
    );
  }

  const claimProblem = checkClaims(claims, options);
  if (claimProblem) return claimProblem;

  const hashForm = matchPayloadHash(claims.payload_hash as string, rawBody);
  if (!hashForm) {
    return refuse("payload_hash_mismatch", "payload_hash does not equal the SHA-256 of the body (raw or compact JSON)");
  }
  return { ok: true, verification: "verified", claims, hashForm };
}

/**
 * jose turns a raw secret into a WebCrypto key on every call, which was about a tenth of a
 * webhook's cost (docs/performance-log.md); the keys are imported once per secret instead.
 */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    keys.set(secret, key);
  }
  return key;
}

function secretsFor(secrets: SignatureSecrets, apiKey: unknown): string[] {
  const keyed = typeof apiKey === "string" ? secrets.byApiKey.get(apiKey) : undefined;
  return keyed ?? secrets.any;
}

function checkClaims(claims: VonageClaims, options: VerifyOptions): SignatureVerdict | undefined {
  if (claims.iss === undefined) return refuse("missing_claim", "token has no iss claim");
  if (claims.iss !== "Vonage") {
    return refuse("wrong_issuer", `iss is ${JSON.stringify(claims.iss)}, expected "Vonage"`);
  }
  if (claims.iat === undefined) return refuse("missing_claim", "token has no iat claim");
  if (typeof claims.iat !== "number" || !Number.isFinite(claims.iat)) {
    return refuse("malformed_token", "iat is not a number of seconds");
  }
  if (claims.payload_hash === undefined) return refuse("missing_claim", "token has no payload_hash claim");
  if (typeof claims.payload_hash !== "string" || !SHA256_HEX.test(claims.payload_hash)) {
    return refuse("payload_hash_mismatch", "payload_hash is not 64 hexadecimal characters");
  }

  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const age = now - claims.iat;
  if (age > options.maxAgeSeconds) {
    return refuse(
      "stale_token",
      `token issued ${age} s ago, more than SIGNATURE_MAX_AGE_SECONDS (${options.maxAgeSeconds}); check the server clock`,
    );
  }
  if (-age > FUTURE_TOLERANCE_SECONDS) {
    return refuse("future_token", `token issued ${-age} s in the future; check the server clock`);
  }

  if (options.applicationId && claims.application_id !== options.applicationId) {
    const got = claims.application_id === undefined ? "no application_id" : `application_id ${String(claims.application_id)}`;
    return refuse("wrong_application", `token carries ${got}, expected ${options.applicationId} (VONAGE_APPLICATION_ID)`);
  }
  return undefined;
}

/**
 * Vonage documents "a SHA-256 hash of the payload" without saying of which bytes. Try the
 * raw body first, then its compact re-serialisation (what Vonage's own Node snippet
 * hashes), and report which one matched so real captures can settle the question.
 */
export function matchPayloadHash(expectedHex: string, rawBody: Uint8Array): HashForm | undefined {
  if (!SHA256_HEX.test(expectedHex)) return undefined;
  // Fixed-length digests on both sides: timingSafeEqual throws on unequal lengths.
  const expected = Buffer.from(expectedHex, "hex");
  if (timingSafeEqual(sha256(rawBody), expected)) return "raw";
  let compact: string;
  try {
    compact = JSON.stringify(JSON.parse(Buffer.from(rawBody).toString("utf8")));
  } catch {
    return undefined;
  }
  if (compact !== undefined && timingSafeEqual(sha256(compact), expected)) return "compact";
  return undefined;
}

function tryDecodeClaims(authorization: string | null): VonageClaims | undefined {
  const token = bearerToken(authorization);
  if (!token) return undefined;
  try {
    return decodeJwt<VonageClaims>(token);
  } catch {
    return undefined;
  }
}
