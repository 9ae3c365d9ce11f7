import { describe, expect, it } from "vitest";
import {
  computeSmsSignature,
  SMS_SIGNATURE_METHODS,
  smsStringToSign,
  verifySmsSignature,
  type SmsSignatureMethod,
  type SmsSignedForm,
  type SmsSignatureVerdict,
} from "@/lib/vonage/sms-signature";
import { readFixture } from "@/test/support/vonage";

interface Vector {
  source: string;
  signatureMethod: SmsSignatureMethod;
  signatureSecret: string;
  params: Record<string, string>;
  sig: string;
  expected: boolean;
  /** Which parameters were signed; the SDKs' own vectors without it sign every one. */
  form?: SmsSignedForm;
}

const { vectors } = JSON.parse(readFixture("sms-signature-vectors.json")) as { vectors: Vector[] };
const NODE_VECTOR = vectors[0]!;
const SECRET = NODE_VECTOR.signatureSecret;
/** The Node vectors' timestamp, as "now", so freshness does not get in the way. */
const SIGNED_AT = new Date(Number(NODE_VECTOR.params.timestamp) * 1000);

function verify(
  params: Record<string, string>,
  options: { secrets?: string[]; method?: SmsSignatureMethod; maxAge?: number; now?: Date } = {},
): SmsSignatureVerdict {
  return verifySmsSignature({
    params,
    secrets: options.secrets ?? [SECRET],
    method: options.method ?? "md5hash",
    maxAgeSeconds: options.maxAge ?? 72 * 3600,
    now: options.now ?? SIGNED_AT,
  });
}

function reasonOf(result: SmsSignatureVerdict): string {
  return result.ok ? `ok:${result.matchedSecretIndex}` : result.reason;
}

function signed(params: Record<string, string>, method: SmsSignatureMethod, secret = SECRET): Record<string, string> {
  return { ...params, sig: computeSmsSignature(params, secret, method) };
}

describe("smsStringToSign", () => {
  it("sorts keys in byte order, drops sig and leads with &", () => {
    expect(smsStringToSign({ messageId: "1", "message-timestamp": "2", sig: "x", a: "3" })).toBe("&a=3&message-timestamp=2&messageId=1");
  });

  it("replaces & and = in values, not in keys, and encodes nothing", () => {
    expect(smsStringToSign({ text: "a&b=c d%20", "k=": "v" })).toBe("&k==v&text=a_b_c d%20");
  });
});

describe("computeSmsSignature against Vonage's vectors", () => {
  it.each(vectors.map((v, i) => [i, v.signatureMethod, v] as const))("vector %i (%s)", (_i, method, vector) => {
    const { sig: _sig, ...unsigned } = vector.params;
    expect(computeSmsSignature(vector.params, vector.signatureSecret, method, vector.form)).toBe(vector.sig.toLowerCase());
    expect(computeSmsSignature(unsigned, vector.signatureSecret, method, vector.form)).toBe(vector.sig.toLowerCase());
  });

  it("returns lowercase hex of each method's length", () => {
    const lengths = SMS_SIGNATURE_METHODS.map((m) => computeSmsSignature(NODE_VECTOR.params, SECRET, m));
    for (const hex of lengths) expect(hex).toMatch(/^[0-9a-f]+$/);
    expect(lengths.map((hex) => hex.length)).toEqual([32, 32, 40, 64, 128]);
  });
});

describe("verifySmsSignature", () => {
  it.each(vectors.map((v, i) => [i, v.signatureMethod, v] as const))(
    "accepts vector %i (%s) with its own method only",
    (_i, method, vector) => {
      const params = { ...vector.params, sig: vector.sig };
      const now = new Date(Number(vector.params.timestamp) * 1000);
      const result = verify(params, { secrets: [vector.signatureSecret], method, now });
      expect(reasonOf(result)).toBe("ok:0");
      expect(result.ok && result.form).toBe(vector.form ?? "all-params");
      for (const other of SMS_SIGNATURE_METHODS.filter((m) => m !== method)) {
        expect(reasonOf(verify(params, { secrets: [vector.signatureSecret], method: other, now }))).toBe("bad_signature");
      }
    },
  );

  it.each(SMS_SIGNATURE_METHODS)("accepts %s in upper and lower case", (method) => {
    const params = signed(NODE_VECTOR.params, method);
    expect(reasonOf(verify({ ...params, sig: params.sig!.toUpperCase() }, { method }))).toBe("ok:0");
    expect(reasonOf(verify({ ...params, sig: params.sig!.toLowerCase() }, { method }))).toBe("ok:0");
  });

  it("accepts a sig over the parameters without their empty values (Java's form) only when it matches that way", () => {
    const params = { ...NODE_VECTOR.params, "client-ref": "" };
    const javaSig = computeSmsSignature(params, SECRET, "sha256", "non-empty-params");
    const phpSig = computeSmsSignature(params, SECRET, "sha256", "all-params");
    expect(javaSig).not.toBe(phpSig);
    expect(verify({ ...params, sig: javaSig }, { method: "sha256" })).toMatchObject({ ok: true, form: "non-empty-params" });
    expect(verify({ ...params, sig: phpSig }, { method: "sha256" })).toMatchObject({ ok: true, form: "all-params" });
    // Without an empty value the two forms are one: no second string is tried.
    expect(verify({ ...params, "client-ref": "x", sig: javaSig }, { method: "sha256" })).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("names the method that would have matched in either form", () => {
    const params = { ...NODE_VECTOR.params, "client-ref": "" };
    const result = verify({ ...params, sig: computeSmsSignature(params, SECRET, "sha512", "non-empty-params") }, { method: "sha256" });
    expect(result.ok ? "" : result.detail).toMatch(/matches method sha512/);
  });

  it("refuses a tampered parameter, an added one and a removed one", () => {
    const params = signed(NODE_VECTOR.params, "sha256");
    expect(reasonOf(verify({ ...params, text: "Test again!" }, { method: "sha256" }))).toBe("bad_signature");
    expect(reasonOf(verify({ ...params, extra: "1" }, { method: "sha256" }))).toBe("bad_signature");
    const { msisdn: _msisdn, ...removed } = params;
    expect(reasonOf(verify(removed, { method: "sha256" }))).toBe("bad_signature");
  });

  it("refuses the wrong method and names the one that would have matched", () => {
    const result = verify({ ...NODE_VECTOR.params, sig: vectors[3]!.sig }, { method: "md5hash" });
    expect(result).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(!result.ok && result.detail).toContain("signature matches method sha256, but VONAGE_SMS_SIGNATURE_METHOD is md5hash");
  });

  it("names the secret that matches another method during a rotation", () => {
    const params = signed(NODE_VECTOR.params, "sha1", "new-secret");
    const result = verify(params, { secrets: ["old-secret", "new-secret"], method: "sha512" });
    expect(!result.ok && result.detail).toContain("matches method sha1 with secret #2");
  });

  it("says what the sig looks like when no method matches", () => {
    const params = signed(NODE_VECTOR.params, "sha256", "the-api-secret");
    const result = verify(params, { method: "sha256" });
    expect(reasonOf(result)).toBe("bad_signature");
    expect(!result.ok && result.detail).toMatch(/nor with any other method.*64 hex characters, the length of sha256.*not the API secret/);
  });

  it("refuses a request without sig", () => {
    expect(reasonOf(verify(NODE_VECTOR.params))).toBe("missing_signature");
    expect(reasonOf(verify({ ...NODE_VECTOR.params, sig: "" }))).toBe("missing_signature");
  });

  it("accepts either secret during a rotation and reports which one matched", () => {
    const rotating = ["old-secret-aaaa", "new-secret-bbbb"];
    expect(reasonOf(verify(signed(NODE_VECTOR.params, "sha256", "old-secret-aaaa"), { secrets: rotating, method: "sha256" }))).toBe("ok:0");
    expect(reasonOf(verify(signed(NODE_VECTOR.params, "sha256", "new-secret-bbbb"), { secrets: rotating, method: "sha256" }))).toBe("ok:1");
    expect(
      reasonOf(verify(signed(NODE_VECTOR.params, "sha256", "old-secret-aaaa"), { secrets: ["new-secret-bbbb"], method: "sha256" })),
    ).toBe("bad_signature");
  });

  it("refuses a stale timestamp and accepts one just inside the maximum age", () => {
    const params = signed(NODE_VECTOR.params, "md5hash");
    const at = (offset: number) => new Date(SIGNED_AT.getTime() + offset * 1000);
    expect(reasonOf(verify(params, { maxAge: 300, now: at(301) }))).toBe("stale_token");
    expect(reasonOf(verify(params, { maxAge: 300, now: at(299) }))).toBe("ok:0");
  });

  it("refuses a timestamp more than 60 s in the future, tolerating small skew", () => {
    const params = signed(NODE_VECTOR.params, "md5hash");
    expect(reasonOf(verify(params, { now: new Date(SIGNED_AT.getTime() - 61_000) }))).toBe("future_token");
    expect(reasonOf(verify(params, { now: new Date(SIGNED_AT.getTime() - 30_000) }))).toBe("ok:0");
  });

  it("checks the signature before the timestamp", () => {
    const forged = { ...NODE_VECTOR.params, sig: "0".repeat(32) };
    expect(reasonOf(verify(forged, { now: new Date(0) }))).toBe("bad_signature");
  });

  it("refuses a correctly signed request without a numeric timestamp", () => {
    const { timestamp: _timestamp, ...untimed } = NODE_VECTOR.params;
    const result = verify(signed(untimed, "md5hash"));
    expect(reasonOf(result)).toBe("bad_signature");
    expect(!result.ok && result.detail).toContain("no timestamp");
    expect(reasonOf(verify(signed({ ...untimed, timestamp: "soon" }, "md5hash")))).toBe("bad_signature");
  });

  it.each([["abc"], ["0"], ["zz".repeat(16)], ["é".repeat(16)], ["D2E7B1DC968737C5998AD624E02F90B"], [" ".repeat(32)]])(
    "never throws on an odd sig %j",
    (sig) => {
      for (const method of SMS_SIGNATURE_METHODS) {
        expect(() => verify({ ...NODE_VECTOR.params, sig }, { method })).not.toThrow();
        expect(reasonOf(verify({ ...NODE_VECTOR.params, sig }, { method }))).toBe("bad_signature");
      }
    },
  );

  it("refuses a signed request when no secret is configured", () => {
    expect(reasonOf(verify(signed(NODE_VECTOR.params, "md5hash"), { secrets: [] }))).toBe("bad_signature");
  });
});
