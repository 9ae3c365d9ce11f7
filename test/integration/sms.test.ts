import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventJson } from "@/lib/events/types";
import { ackOf, apiAuth, getJson, latestRejection, listAllEvents } from "@/test/support/http";
import { dlrParams, inboundSmsParams, readCapture, replayCapture, sendSms, signSms, type SmsKind, type WireForm } from "@/test/support/sms";
import { startServer, type RunningServer } from "@/test/support/server";

/** Account-level SMS API webhooks: every wire form, `sig` verification, concatenation, exports. */

const SECRET = "sms-signature-secret-0123456789";
let open: RunningServer;
let signed: RunningServer;

beforeAll(async () => {
  [open, signed] = await Promise.all([
    startServer(),
    startServer({ env: { VONAGE_SMS_SIGNATURE_SECRET: SECRET, VONAGE_SMS_SIGNATURE_METHOD: "sha256" } }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), signed?.stop()]);
});

async function stored(server: RunningServer, response: Response): Promise<EventJson> {
  expect(response.status, await response.clone().text()).toBe(200);
  const { id } = ackOf(response);
  const { body } = await getJson<{ events: EventJson[] }>(server.url, `/api/events?after=${id - 1}&limit=1`);
  expect(body.events[0]!.id).toBe(id);
  return body.events[0]!;
}

describe("Vonage's raw captures, replayed in their own wire form", () => {
  it.each([
    ["sms-dlr-get.php-sdk.http", "sms-dlr", "query"],
    ["sms-dlr-post-form.php-sdk.http", "sms-dlr", "form"],
    ["sms-dlr-post-json.php-sdk.http", "sms-dlr", "json"],
  ] as const)("%s is stored as a delivery receipt", async (file, kind, wireForm) => {
    const event = await stored(open, await replayCapture(open.url, kind, readCapture(file)));
    expect(event).toMatchObject({
      kind: "sms-dlr",
      wireForm,
      channel: "sms",
      messageUuid: "14000000F9DBBBBB",
      status: "delivered",
      // The receipt's msisdn is the recipient; `to` is the sender id used.
      from: "16105553939",
      to: "14845552121",
      price: "0.00845000",
      networkCode: "310004",
      error: null,
      verification: "unverified",
    });
    expect(event.timestamp).toMatch(/^2020-07-17T02:3\d:\d\d\.000Z$/);
  });

  it("stores the signed inbound GET capture, and knows its JSON twin (no Content-Type) is the same message", async () => {
    const event = await stored(open, await replayCapture(open.url, "sms-inbound", readCapture("sms-inbound-get-signed.php-sdk.http")));
    expect(event).toMatchObject({
      kind: "sms-inbound",
      wireForm: "query",
      from: "14845552121",
      to: "16105553939",
      text: "Test this.",
      messageType: "text",
    });
    expect(event.timestamp).toBe("2016-05-24T11:12:01.000Z");
    const twin = await replayCapture(open.url, "sms-inbound", readCapture("sms-inbound-post-json-signed.php-sdk.http"));
    expect(twin.status).toBe(200);
    expect(ackOf(twin)).toEqual({ id: event.id, duplicate: true });
  });

  it("shows a binary SMS as hex with its UDH, never as text", async () => {
    const event = await stored(open, await replayCapture(open.url, "sms-inbound", readCapture("sms-inbound-get-binary.php-sdk.http")));
    expect(event).toMatchObject({ messageType: "binary", text: "binary: 36 bytes (UDH 0605040B8423F0)" });
    expect(event.payload).toMatchObject({
      data: "EA0601AE02056A0045C60C037761702E6F7A656B692E6875000801034F7A656B69000101",
      udh: "0605040B8423F0",
    });
  });

  it("keeps the part number of a concatenated SMS", async () => {
    const event = await stored(open, await replayCapture(open.url, "sms-inbound", readCapture("sms-inbound-get-concat.php-sdk.http")));
    expect(event.concat).toEqual({ ref: "4", part: 3, total: 4 });
  });
});

describe("sig verification", () => {
  it.each(["query", "form", "json"] as const)("accepts a correctly signed %s request, marked verified", async (form: WireForm) => {
    const event = await stored(signed, await sendSms(signed.url, "sms-inbound", signSms(inboundSmsParams(), SECRET, "sha256"), form));
    expect(event).toMatchObject({ verification: "verified", text: "Hello & welcome = yes", wireForm: form });
  });

  it.each(["all-params", "non-empty-params"] as const)(
    "accepts a receipt with an empty value signed over %s, and records which form matched",
    async (signedForm) => {
      const params = signSms(dlrParams({ "client-ref": "", "err-code": "0" }), SECRET, "sha256", 0, signedForm);
      const event = await stored(signed, await sendSms(signed.url, "sms-dlr", params, "form"));
      expect(event).toMatchObject({ verification: "verified", hashForm: signedForm, clientRef: null });
    },
  );

  async function refused(params: Record<string, string>, reason: string, kind: SmsKind = "sms-dlr") {
    const response = await sendSms(signed.url, kind, params, "form");
    expect(response.status).toBe(401);
    const rejection = (await latestRejection(signed.url))!;
    expect(rejection).toMatchObject({
      reason,
      httpStatus: 401,
      endpoint: kind === "sms-dlr" ? "/webhooks/delivery-receipt" : "/webhooks/inbound-sms",
    });
    return rejection;
  }

  it("refuses a tampered parameter", async () => {
    const params = signSms(dlrParams(), SECRET, "sha256");
    await refused({ ...params, status: "failed" }, "bad_signature");
  });

  it("refuses another signature method, and says which one matches", async () => {
    const rejection = await refused(signSms(dlrParams(), SECRET, "md5hash"), "bad_signature");
    expect(rejection.detail).toContain("matches method md5hash");
  });

  it("refuses a stale and a future timestamp", async () => {
    await refused(signSms(dlrParams(), SECRET, "sha256", -90_000), "stale_token");
    await refused(signSms(dlrParams(), SECRET, "sha256", 3600), "future_token");
  });

  it("refuses and records a missing sig when a secret is configured", async () => {
    const rejection = await refused(dlrParams(), "missing_signature");
    expect(rejection.body).toContain("messageId=");
  });

  it("refuses a request with no parameters at all", async () => {
    const response = await fetch(`${signed.url}/webhooks/inbound-sms`);
    expect(response.status).toBe(400);
    expect((await latestRejection(signed.url))!.reason).toBe("malformed_request");
  });

  it("treats a retry, even signed afresh, as the same event", async () => {
    const params = dlrParams();
    const first = ackOf(await sendSms(signed.url, "sms-dlr", signSms(params, SECRET, "sha256")));
    const retry = await sendSms(signed.url, "sms-dlr", signSms(params, SECRET, "sha256"), "json");
    expect(ackOf(retry)).toEqual({ id: first.id, duplicate: true });
  });
});

describe("SMS_API_WEBHOOKS=off", () => {
  let off: RunningServer;
  beforeAll(async () => {
    off = await startServer({ env: { SMS_API_WEBHOOKS: "off" } });
  });
  afterAll(async () => {
    await off?.stop();
  });

  it.each(["sms-dlr", "sms-inbound"] as const)("answers %s 404, stores nothing and records why", async (kind) => {
    const response = await sendSms(off.url, kind, dlrParams(), "form");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "endpoint_disabled" });
    expect(await latestRejection(off.url)).toMatchObject({ reason: "endpoint_disabled", httpStatus: 404 });
    expect(await listAllEvents(off.url)).toHaveLength(0);
  });

  it("says so in the detailed health, at start-up, and still serves the Messages endpoints", async () => {
    const { body } = await getJson<{ smsVerification: { mode: string } }>(off.url, "/api/health");
    expect(body.smsVerification.mode).toBe("off");
    expect(off.output()).toMatch(/SMS API webhooks .*OFF/);
  });
});

describe("the SMS endpoints' own verification mode", () => {
  it("is reported apart from the Messages API's, at start-up and in the detailed health", async () => {
    const messagesOnly = await startServer({ env: { VONAGE_SIGNATURE_SECRET: "messages-secret-0123456789" } });
    try {
      const { body } = await getJson<{ verification: { mode: string }; smsVerification: { mode: string; warning?: string } }>(
        messagesOnly.url,
        "/api/health",
      );
      expect(body.verification.mode).toBe("verified");
      expect(body.smsVerification.mode).toBe("unverified");
      expect(body.smsVerification.warning).toMatch(/VONAGE_SMS_SIGNATURE_SECRET/);
      expect(messagesOnly.output()).toMatch(/WARNING: SMS API webhooks .* WITHOUT signature verification/);
      expect(messagesOnly.output()).toMatch(/Messages API signature verification ON/);
    } finally {
      await messagesOnly.stop();
    }
    const { body } = await getJson<{ smsVerification: { mode: string } }>(signed.url, "/api/health");
    expect(body.smsVerification.mode).toBe("verified");
  });
});

describe("delivery receipts", () => {
  it("explain the err-code and group one message's receipts", async () => {
    const messageId = "0B00000012345678";
    await stored(
      open,
      await sendSms(open.url, "sms-dlr", dlrParams({ messageId, status: "failed", "err-code": "6", "network-code": "23410" })),
    );
    await stored(open, await sendSms(open.url, "sms-dlr", dlrParams({ messageId, status: "delivered", "network-code": "23415" })));
    const { body } = await getJson<{ events: EventJson[] }>(open.url, `/api/messages/${messageId}`);
    expect(body.events.map((e) => e.status).sort()).toEqual(["delivered", "failed"]);
    const failed = body.events.find((e) => e.status === "failed")!;
    expect(failed.error).toMatchObject({ code: "6", title: "Anti-Spam Rejection" });
    expect(failed.error!.detail).toBeTruthy();
    expect((await getJson<{ events: EventJson[] }>(open.url, `/api/events?message_id=${messageId}&kind=sms-dlr`)).body.events).toHaveLength(
      2,
    );
  });
});

describe("multi-part inbound SMS", () => {
  it("reassembles parts that arrive out of order, and marks a part that never came", async () => {
    const parts = ["The quick brown ", "fox jumps over ", "the lazy dog."];
    const ids: string[] = [];
    for (const n of [3, 1, 2]) {
      const params = inboundSmsParams({
        concat: "true",
        "concat-ref": "77",
        "concat-total": "3",
        "concat-part": String(n),
        text: parts[n - 1]!,
        msisdn: "447700900555",
      });
      ids[n] = params.messageId!;
      if (n === 3) {
        await stored(open, await sendSms(open.url, "sms-inbound", params));
        const partial = await getJson<{ concat: { complete: boolean; missing: number[] } }>(open.url, `/api/messages/${ids[3]}`);
        expect(partial.body.concat).toMatchObject({ complete: false, missing: [1, 2] });
      } else {
        await stored(open, await sendSms(open.url, "sms-inbound", params));
      }
    }
    const { body } = await getJson<{ concat: { complete: boolean; text: string; missing: number[]; total: number } }>(
      open.url,
      `/api/messages/${ids[2]}`,
    );
    expect(body.concat).toMatchObject({ complete: true, text: "The quick brown fox jumps over the lazy dog.", missing: [], total: 3 });

    // Another sender's ref 77 is another message.
    const other = inboundSmsParams({
      concat: "true",
      "concat-ref": "77",
      "concat-total": "2",
      "concat-part": "2",
      text: "orphan",
      msisdn: "447700900666",
    });
    await stored(open, await sendSms(open.url, "sms-inbound", other));
    const orphan = await getJson<{ concat: { complete: boolean; missing: number[] } }>(open.url, `/api/messages/${other.messageId}`);
    expect(orphan.body.concat).toMatchObject({ complete: false, missing: [1] });
  });
});

describe("in exports", () => {
  it("SMS API events are in every export format", async () => {
    const expected = await listAllEvents(open.url, "kind=sms-dlr");
    expect(expected.length).toBeGreaterThan(0);
    for (const format of ["ndjson", "json", "csv"]) {
      const text = await (await fetch(`${open.url}/api/events/export?format=${format}&kind=sms-dlr`, { headers: apiAuth })).text();
      for (const event of expected) expect(text).toContain(event.messageUuid!);
    }
  });
});
