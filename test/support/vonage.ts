import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { SignJWT } from "jose";

/**
 * Signs webhooks the way Vonage does (HS256 JWT with iat, jti, iss, payload_hash,
 * api_key, application_id), with knobs to break each part for refusal tests.
 * No public (body, token) pair exists, so tests make their own (test/fixtures/vonage/SOURCES.md).
 */

export const TEST_SECRET = "test-signature-secret-0123456789abcdef";
export const TEST_API_KEY = "a1b2c3d";
/** DASHBOARD_API_TOKEN of every test server, so tests can read the API. */
export const TEST_API_TOKEN = "test-dashboard-api-token-0123456789";
export const TEST_APPLICATION_ID = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";

export interface SignOptions {
  secret?: string;
  /** Claims to add or override; a value of undefined removes the claim. */
  claims?: Record<string, unknown>;
  /** Seconds relative to now for iat. */
  iatOffset?: number;
  alg?: string;
}

export function sha256Hex(body: string | Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

export async function signVonageToken(body: string, options: SignOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    iat: Math.floor(Date.now() / 1000) + (options.iatOffset ?? 0),
    jti: randomUUID(),
    iss: "Vonage",
    payload_hash: sha256Hex(body),
    api_key: TEST_API_KEY,
    application_id: TEST_APPLICATION_ID,
    ...options.claims,
  };
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
  const alg = options.alg ?? "HS256";
  if (alg === "none") return unsignedToken({ alg: "none", typ: "JWT" }, claims);
  if (alg.startsWith("RS")) {
    // A header claiming RS256 with an HMAC-looking signature: must be refused on alg alone.
    return `${unsignedToken({ alg, typ: "JWT" }, claims)}c2lnbmF0dXJl`;
  }
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

function unsignedToken(header: object, claims: object): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${b64(header)}.${b64(claims)}.`;
}

export async function signedHeaders(body: string, options: SignOptions = {}): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    authorization: `Bearer ${await signVonageToken(body, options)}`,
  };
}

/** Official Vonage bodies and vectors, copied verbatim (test/fixtures/vonage/SOURCES.md). */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, "../fixtures/vonage");

function fixturesDir(): string {
  return FIXTURES_DIR;
}

export function readFixture(name: string): string {
  return fs.readFileSync(path.join(fixturesDir(), name), "utf8");
}

/** Messages API v1 bodies: every inbound channel/type, and the status body. */
export function messagesFixtures(): { name: string; kind: "status" | "inbound"; body: string }[] {
  return fs
    .readdirSync(fixturesDir())
    .filter((name) => /^messages-(inbound|status)-.*\.json$/.test(name))
    .sort()
    .map((name) => ({
      name,
      kind: name.startsWith("messages-status") ? ("status" as const) : ("inbound" as const),
      body: readFixture(name),
    }));
}
