import { describe, expect, it } from "vitest";
import { normalizeMessagesEvent, parseJsonObject, parseProviderTimestamp } from "@/lib/vonage/payload";
import { messagesFixtures, readFixture } from "@/test/support/vonage";

const parse = (text: string) => {
  const result = parseJsonObject(new TextEncoder().encode(text));
  if (!result.ok) throw new Error(result.detail);
  return result.payload;
};

describe("normalizeMessagesEvent", () => {
  it("reads every field of the all-fields status body", () => {
    const event = normalizeMessagesEvent("status", parse(readFixture("messages-status-sms-submitted-allfields.dotnet-sdk.json")));
    expect(event).toMatchObject({
      messageUuid: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
      status: "submitted",
      channel: "sms",
      from: "447700900001",
      to: "447700900000",
      clientRef: "abc123",
      errorCode: "1000",
      errorTitle: "Throttled",
      price: "0.0333",
      currency: "EUR",
      text: null,
    });
    expect(event.timestamp?.toISOString()).toBe("2025-02-03T12:14:25.000Z");
  });

  it.each(
    messagesFixtures()
      .filter((f) => f.kind === "inbound")
      .map((f) => [f.name, f.body]),
  )("normalises %s", (name, body) => {
    const event = normalizeMessagesEvent("inbound", parse(body));
    const type = /messages-inbound-[a-z]+-([a-z]+)\./.exec(name)![1]!;
    expect(event.messageUuid).toBe("52afe398-e31a-4362-8c42-beb0c3b1d098");
    expect(event.channel).toMatch(/^(sms|mms|whatsapp|messenger|viber_service)$/);
    expect(event.status).toBeNull();
    expect(event.from).toBeTruthy();
    expect(event.timestamp?.toISOString()).toBe("2020-01-01T14:00:00.000Z");
    expect(event.messageType).toBe(type === "allfields" ? "text" : type);
    expect(event.text).toBeTruthy();
  });

  it("reads an SMS inbound without message_type as text", () => {
    const event = normalizeMessagesEvent("inbound", parse(readFixture("messages-inbound-sms-text.dotnet-sdk.json")));
    expect(event).toMatchObject({ messageType: "text", text: "Hello From Vonage!", price: "0.0333" });
  });

  it("summarises non-text content readably", () => {
    const summary = (name: string) => normalizeMessagesEvent("inbound", parse(readFixture(name))).text;
    expect(summary("messages-inbound-whatsapp-location.dotnet-sdk.json")).toContain("Vonage");
    expect(summary("messages-inbound-whatsapp-location.dotnet-sdk.json")).toContain("40.34772, -74.18847");
    expect(summary("messages-inbound-whatsapp-order.dotnet-sdk.json")).toBe("order: 1 × pk1v7rudbg @ 9.99 USD");
    expect(summary("messages-inbound-whatsapp-reply.dotnet-sdk.json")).toBe("reply: 9am — Select 9am appointment time");
    expect(summary("messages-inbound-whatsapp-image.dotnet-sdk.json")).toMatch(/^image: /);
  });

  it("reads the legacy v0.1 shape (to/from objects, message.content)", () => {
    const event = normalizeMessagesEvent("inbound", parse(readFixture("messages-v0.1-inbound-messenger-text.docs.json")));
    expect(event).toMatchObject({
      channel: "messenger",
      from: "1111111111111111",
      to: "0000000000000000",
      messageType: "text",
      text: "Hello from Facebook Messenger!",
    });
  });

  it("keeps unknown channels, statuses and types, and a numeric error title", () => {
    const event = normalizeMessagesEvent(
      "status",
      parse('{"message_uuid":"x","channel":"carrier_pigeon","status":"eaten","error":{"title":1340,"detail":"late"},"extra":{"a":1}}'),
    );
    expect(event).toMatchObject({
      channel: "carrier_pigeon",
      status: "eaten",
      errorCode: "1340",
      errorTitle: "Outside of the allowed window",
    });
  });

  it("takes the error code from error.type when the title is text", () => {
    const event = normalizeMessagesEvent(
      "status",
      parse(
        '{"status":"rejected","error":{"type":"https://developer.vonage.com/api-errors/messages#1120","title":"Illegal Sender Address"}}',
      ),
    );
    expect(event).toMatchObject({ errorCode: "1120", errorTitle: "Illegal Sender Address" });
  });

  it("treats a missing body as no content rather than failing", () => {
    const event = normalizeMessagesEvent("inbound", parse('{"channel":"whatsapp","message_type":"sticker"}'));
    expect(event).toMatchObject({ messageType: "sticker", text: "sticker", messageUuid: null });
  });
});

describe("parseJsonObject", () => {
  it.each([["not json"], ["[1,2]"], ['"text"'], ["null"], ["{"]])("refuses %s", (text) => {
    expect(parseJsonObject(new TextEncoder().encode(text)).ok).toBe(false);
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(parseJsonObject(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false });
  });
});

describe("parseProviderTimestamp", () => {
  it.each([
    ["2020-01-01T14:00:00.000Z", "2020-01-01T14:00:00.000Z"],
    ["2025-02-03T12:14:25Z", "2025-02-03T12:14:25.000Z"],
    ["2020-01-01 14:00:00 UTC", "2020-01-01T14:00:00.000Z"],
    ["2013-11-21 15:27:30", "2013-11-21T15:27:30.000Z"],
    ["2020-01-01T14:00:00", "2020-01-01T14:00:00.000Z"],
    ["2020-01-01T16:00:00+02:00", "2020-01-01T14:00:00.000Z"],
  ])("parses %s", (input, iso) => {
    expect(parseProviderTimestamp(input)?.toISOString()).toBe(iso);
  });

  it.each([["yesterday"], ["1587494962"], [""]])("keeps %s out of the timestamp column", (input) => {
    expect(parseProviderTimestamp(input)).toBeNull();
  });
});
