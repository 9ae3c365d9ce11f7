import { describe, expect, it } from "vitest";
import { parseSecrets, type SignatureSecrets } from "@/lib/config";
import { matchPayloadHash, verifyVonageSignature, type SignatureVerdict } from "@/lib/vonage/verify";
import { readFixture, sha256Hex, signVonageToken, TEST_APPLICATION_ID, TEST_SECRET } from "@/test/support/vonage";

const BODY = readFixture("messages-status-sms-submitted-allfields.dotnet-sdk.json");
const bytes = (text: string) => new TextEncoder().encode(text);
const secrets = (raw: string): SignatureSecrets => parseSecrets(raw).secrets;

async function verify(
  token: string | null,
  options: { body?: string; secrets?: SignatureSecrets; maxAge?: number; applicationId?: string; now?: Date } = {},
): Promise<SignatureVerdict> {
  return verifyVonageSignature({
    authorization: token === null ? null : `Bearer ${token}`,
    rawBody: bytes(options.body ?? BODY),
    secrets: options.secrets ?? secrets(TEST_SECRET),
    maxAgeSeconds: options.maxAge ?? 86400,
    applicationId: options.applicationId,
    now: options.now,
  });
}

function reasonOf(result: SignatureVerdict): string {
  return result.ok ? `ok:${result.verification}` : result.reason;
}

describe("verifyVonageSignature", () => {
  it("accepts a valid token and reports the raw body matched", async () => {
    const result = await verify(await signVonageToken(BODY));
    expect(result).toMatchObject({ ok: true, verification: "verified", hashForm: "raw" });
    expect(result.ok && result.verification === "verified" && result.claims.api_key).toBe("a1b2c3d");
  });

  it("falls back to the compact re-serialisation of the body and says so", async () => {
    const compact = JSON.stringify(JSON.parse(BODY));
    const token = await signVonageToken(BODY, { claims: { payload_hash: sha256Hex(compact) } });
    expect(await verify(token)).toMatchObject({ ok: true, hashForm: "compact" });
  });

  it("refuses a token signed with another secret", async () => {
    expect(reasonOf(await verify(await signVonageToken(BODY, { secret: "not-the-secret" })))).toBe("bad_signature");
  });

  it.each([
    ["none", "bad_algorithm"],
    ["HS512", "bad_algorithm"],
    ["HS384", "bad_algorithm"],
    ["RS256", "bad_algorithm"],
  ])("refuses alg %s", async (alg, reason) => {
    expect(reasonOf(await verify(await signVonageToken(BODY, { alg })))).toBe(reason);
  });

  it("refuses a stale iat, and accepts one just inside the maximum age", async () => {
    expect(reasonOf(await verify(await signVonageToken(BODY, { iatOffset: -301 }), { maxAge: 300 }))).toBe("stale_token");
    expect(reasonOf(await verify(await signVonageToken(BODY, { iatOffset: -299 }), { maxAge: 300 }))).toBe("ok:verified");
  });

  it("accepts a genuine retry up to 24 hours old by default", async () => {
    expect(reasonOf(await verify(await signVonageToken(BODY, { iatOffset: -86000 })))).toBe("ok:verified");
    expect(reasonOf(await verify(await signVonageToken(BODY, { iatOffset: -86500 })))).toBe("stale_token");
  });

  it("refuses an iat more than 60 s in the future, tolerating small clock skew", async () => {
    expect(reasonOf(await verify(await signVonageToken(BODY, { iatOffset: 120 })))).toBe("future_token");
    expect(reasonOf(await verify(await signVonageToken(BODY, { iatOffset: 30 })))).toBe("ok:verified");
  });

  it("honours an exp claim if Vonage ever adds one", async () => {
    const token = await signVonageToken(BODY, { claims: { exp: Math.floor(Date.now() / 1000) - 10 } });
    expect(reasonOf(await verify(token))).toBe("stale_token");
  });

  it.each([
    ["iat", "1764000000"],
    ["iat", null],
    ["exp", "tomorrow"],
    ["nbf", true],
  ])("calls a token whose %s is %j malformed, not early or late", async (claim, value) => {
    const token = await signVonageToken(BODY, { claims: { [claim]: value } });
    const result = await verify(token);
    expect(reasonOf(result)).toBe("malformed_token");
    expect(!result.ok && result.detail).toContain(claim);
  });

  it.each(["iat", "iss", "payload_hash"])("refuses a token without %s", async (claim) => {
    const token = await signVonageToken(BODY, { claims: { [claim]: undefined } });
    expect(reasonOf(await verify(token))).toBe("missing_claim");
  });

  it("does not require jti, api_key or application_id when they are not needed", async () => {
    const token = await signVonageToken(BODY, { claims: { jti: undefined, api_key: undefined, application_id: undefined } });
    expect(reasonOf(await verify(token))).toBe("ok:verified");
  });

  it("refuses an issuer other than Vonage", async () => {
    expect(reasonOf(await verify(await signVonageToken(BODY, { claims: { iss: "Nexmo" } })))).toBe("wrong_issuer");
  });

  it("refuses a body changed after signing", async () => {
    const token = await signVonageToken(BODY);
    const tampered = BODY.replace('"submitted"', '"delivered"');
    expect(reasonOf(await verify(token, { body: tampered }))).toBe("payload_hash_mismatch");
  });

  it("refuses a payload_hash that is not hex", async () => {
    const token = await signVonageToken(BODY, { claims: { payload_hash: "x".repeat(64) } });
    expect(reasonOf(await verify(token))).toBe("payload_hash_mismatch");
  });

  it("accepts both secrets during a rotation, and only the new one after it", async () => {
    const rotating = secrets("old-secret-aaaaaaaaaaaaaaaa,new-secret-bbbbbbbbbbbbbbbb");
    const oldToken = await signVonageToken(BODY, { secret: "old-secret-aaaaaaaaaaaaaaaa" });
    const newToken = await signVonageToken(BODY, { secret: "new-secret-bbbbbbbbbbbbbbbb" });
    expect(reasonOf(await verify(oldToken, { secrets: rotating }))).toBe("ok:verified");
    expect(reasonOf(await verify(newToken, { secrets: rotating }))).toBe("ok:verified");
    const rotated = secrets("new-secret-bbbbbbbbbbbbbbbb");
    expect(reasonOf(await verify(oldToken, { secrets: rotated }))).toBe("bad_signature");
  });

  it("chooses the secret by api_key when pairs are configured", async () => {
    const accounts = secrets("acct1:secret-one-1111111111,acct2:secret-two-2222222222");
    const token1 = await signVonageToken(BODY, { secret: "secret-one-1111111111", claims: { api_key: "acct1" } });
    expect(reasonOf(await verify(token1, { secrets: accounts }))).toBe("ok:verified");
    const crossed = await signVonageToken(BODY, { secret: "secret-two-2222222222", claims: { api_key: "acct1" } });
    expect(reasonOf(await verify(crossed, { secrets: accounts }))).toBe("bad_signature");
    const unknown = await signVonageToken(BODY, { secret: "secret-one-1111111111", claims: { api_key: "acct9" } });
    expect(reasonOf(await verify(unknown, { secrets: accounts }))).toBe("unknown_api_key");
    const keyless = await signVonageToken(BODY, { secret: "secret-one-1111111111", claims: { api_key: undefined } });
    expect(reasonOf(await verify(keyless, { secrets: accounts }))).toBe("missing_claim");
  });

  it("falls back to the unkeyed secrets for an api_key without its own pair", async () => {
    const mixed = secrets(`acct1:secret-one-1111111111,${TEST_SECRET}`);
    const other = await signVonageToken(BODY, { claims: { api_key: "someone-else" } });
    expect(reasonOf(await verify(other, { secrets: mixed }))).toBe("ok:verified");
  });

  it("refuses a token for another application when VONAGE_APPLICATION_ID is set", async () => {
    const token = await signVonageToken(BODY);
    expect(reasonOf(await verify(token, { applicationId: TEST_APPLICATION_ID }))).toBe("ok:verified");
    expect(reasonOf(await verify(token, { applicationId: "11111111-2222-3333-4444-555555555555" }))).toBe("wrong_application");
  });

  it("answers 503 when the Authorization header is missing, so Vonage retries", async () => {
    expect(await verify(null)).toMatchObject({ ok: false, reason: "missing_token", httpStatus: 503 });
  });

  it.each([["Basic dXNlcjpwYXNz"], ["Bearer not-a-jwt"], ["Bearer a.b"], ["Bearer !!!.???.***"]])(
    "refuses a malformed Authorization header %s",
    async (header) => {
      const result = await verifyVonageSignature({
        authorization: header,
        rawBody: bytes(BODY),
        secrets: secrets(TEST_SECRET),
        maxAgeSeconds: 86400,
      });
      expect(reasonOf(result)).toBe("malformed_token");
    },
  );

  it("accepts anything, marked unverified, when no secret is configured", async () => {
    expect(reasonOf(await verify(null, { secrets: secrets("") }))).toBe("ok:unverified");
    expect(reasonOf(await verify(await signVonageToken(BODY, { secret: "whatever" }), { secrets: secrets("") }))).toBe("ok:unverified");
  });

  describe("Vonage's HS256 vectors (vonage-jwt-jdk)", () => {
    const { vectors } = JSON.parse(readFixture("jwt-hs256-vectors.json")) as {
      vectors: { token: string; secret: string; valid: boolean }[];
    };
    // The vectors carry no Vonage claims: a valid signature gets past the signature check
    // and stops at the first claim check; an invalid one stops at the signature.
    it.each(vectors.map((v, i) => [i, v] as const))("vector %i", async (_i, vector) => {
      const result = await verify(vector.token, { secrets: secrets(vector.secret) });
      expect(reasonOf(result)).toBe(vector.valid ? "missing_claim" : "bad_signature");
    });
  });
});

describe("matchPayloadHash", () => {
  it("compares case-insensitively and never throws on odd input", () => {
    const body = bytes('{"a":1}');
    expect(matchPayloadHash(sha256Hex(body).toUpperCase(), body)).toBe("raw");
    expect(matchPayloadHash("0".repeat(64), body)).toBeUndefined();
    expect(matchPayloadHash("0".repeat(64), bytes("not json"))).toBeUndefined();
  });
});
