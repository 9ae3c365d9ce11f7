import { describe, expect, it } from "vitest";
import { describeSmsErrorCode, SMS_DLR_ERROR_CODES, SMS_DLR_STATUSES } from "@/lib/vonage/sms-error-codes";
import { readSmsParams } from "@/lib/vonage/sms-params";
import { normalizeSmsEvent, reassembleConcat } from "@/lib/vonage/sms-payload";
import { readFixture } from "@/test/support/vonage";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Parameters of a raw capture: request line, headers, blank line, body. */
function captureParams(name: string): Record<string, string> {
  const raw = readFixture(name);
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : "";
  const [requestLine = "", ...headers] = head.split(/\r?\n/);
  const [method = "", url = ""] = requestLine.split(" ");
  const contentType = headers.find((h) => /^content-type:/i.test(h))?.replace(/^[^:]*:\s*/, "") ?? null;
  const result = readSmsParams({ method, url, contentType, body: bytes(body) });
  if (!result.ok) throw new Error(result.detail);
  return result.params;
}

function jsonParams(name: string): Record<string, string> {
  const result = readSmsParams({ method: "POST", url: "/", contentType: "application/json", body: bytes(readFixture(name)) });
  if (!result.ok) throw new Error(result.detail);
  return result.params;
}

describe("normalizeSmsEvent: inbound", () => {
  it.each([
    ["sms-inbound-get-signed.php-sdk.http", captureParams],
    ["sms-inbound-post-json-signed.php-sdk.http", captureParams],
    ["sms-inbound-signed.php-sdk.json", jsonParams],
  ])("normalises %s", (name, read) => {
    const event = normalizeSmsEvent("sms-inbound", read(name));
    expect(event).toEqual({
      messageUuid: "02000000DA7C52E7",
      status: null,
      channel: "sms",
      messageType: "text",
      from: "14845552121",
      to: "16105553939",
      clientRef: null,
      errorCode: null,
      errorTitle: null,
      errorDetail: null,
      price: null,
      currency: null,
      timestamp: new Date("2016-05-24T11:12:01Z"),
      text: "Test this.",
      networkCode: null,
      concat: null,
      binary: null,
    });
  });

  it("keeps a concatenated part's own text and reads concat-ref/part/total", () => {
    const event = normalizeSmsEvent("sms-inbound", captureParams("sms-inbound-get-concat.php-sdk.http"));
    expect(event.concat).toEqual({ ref: "4", part: 3, total: 4 });
    expect(event.text).toMatch(/^y for a non-functionality-adding upgrading can be a hard sell\.\n\nI understand/);
    expect(event.timestamp?.toISOString()).toBe("2020-07-01T15:53:25.000Z");
    expect(event.binary).toBeNull();
  });

  it("summarises a binary message without decoding it", () => {
    const event = normalizeSmsEvent("sms-inbound", captureParams("sms-inbound-get-binary.php-sdk.http"));
    expect(event.messageType).toBe("binary");
    expect(event.binary).toEqual({
      data: "EA0601AE02056A0045C60C037761702E6F7A656B692E6875000801034F7A656B69000101",
      udh: "0605040B8423F0",
    });
    expect(event.text).toBe("binary: 36 bytes (UDH 0605040B8423F0)");
  });

  it("defaults the type to text, keeps unicode text as is, and ignores the concat fields without concat=true", () => {
    const event = normalizeSmsEvent("sms-inbound", { msisdn: "1", to: "2", text: "héllo ☃", "concat-part": "1", "concat-total": "2" });
    expect(event).toMatchObject({ messageType: "text", text: "héllo ☃", concat: null });
    expect(normalizeSmsEvent("sms-inbound", { type: "unicode", text: "☃" })).toMatchObject({ messageType: "unicode", text: "☃" });
  });

  it("does not fail on an odd binary or a part number that is not a number", () => {
    expect(normalizeSmsEvent("sms-inbound", { type: "binary", data: "xyz" }).text).toBe("binary: 3 characters, not hex");
    expect(normalizeSmsEvent("sms-inbound", { concat: "true", "concat-part": "x", "concat-total": "2" }).concat).toBeNull();
  });
});

describe("normalizeSmsEvent: delivery receipts", () => {
  const DLR = {
    messageUuid: "14000000F9DBBBBB",
    status: "delivered",
    channel: "sms",
    messageType: null,
    from: "16105553939",
    to: "14845552121",
    errorCode: null,
    errorTitle: null,
    errorDetail: null,
    price: "0.00845000",
    currency: null,
    text: null,
    networkCode: "310004",
    concat: null,
    binary: null,
  };

  it.each([
    ["sms-dlr-get.php-sdk.http", captureParams, "my-ref", "2020-07-17T02:34:35.000Z"],
    ["sms-dlr-post-form.php-sdk.http", captureParams, null, "2020-07-17T02:35:15.000Z"],
    ["sms-dlr-post-json.php-sdk.http", captureParams, null, "2020-07-17T02:35:01.000Z"],
    ["sms-dlr.php-sdk.json", jsonParams, null, "2020-07-17T02:35:01.000Z"],
  ])("normalises %s", (name, read, clientRef, time) => {
    const event = normalizeSmsEvent("sms-dlr", read(name));
    expect(event).toMatchObject({ ...DLR, clientRef });
    expect(event.timestamp?.toISOString()).toBe(time);
  });

  it("normalises the documentation's typical DLR, whose sender id is alphanumeric", () => {
    const event = normalizeSmsEvent("sms-dlr", jsonParams("sms-dlr.json"));
    expect(event).toMatchObject({
      messageUuid: "0B00000127FDBC63",
      status: "delivered",
      from: "Vonage",
      to: "447547232824",
      price: "0.03330000",
      networkCode: "23410",
      errorCode: null,
      clientRef: null,
    });
    expect(event.timestamp?.toISOString()).toBe("2018-10-25T12:10:29.000Z");
  });

  it("maps err-code to a title and an action, and accepts a failed DLR without scts and with a UUID id", () => {
    const event = normalizeSmsEvent("sms-dlr", {
      msisdn: "447700900000",
      to: "ACME",
      messageId: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
      status: "failed",
      "err-code": "3",
      "message-timestamp": "2024-01-02 03:04:05",
      currency: "EUR",
    });
    expect(event).toMatchObject({
      messageUuid: "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
      status: "failed",
      errorCode: "3",
      errorTitle: "Absent Subscriber Permanent",
      currency: "EUR",
    });
    expect(event.errorDetail).toMatch(/remove it from your list/);
  });

  it.each([["2"], ["7"], ["8"]])("says to retry later for err-code %s", (code) => {
    expect(normalizeSmsEvent("sms-dlr", { "err-code": code }).errorDetail).toMatch(/retry later/);
  });

  it("keeps unknown codes and statuses as they arrive", () => {
    const event = normalizeSmsEvent("sms-dlr", { status: "partially_delivered", "err-code": "77" });
    expect(event).toMatchObject({ status: "partially_delivered", errorCode: "77", errorTitle: null, errorDetail: null });
  });

  it('treats absent, empty and "null" values as absent', () => {
    expect(normalizeSmsEvent("sms-dlr", { "client-ref": "null", price: "", "err-code": "null" })).toMatchObject({
      clientRef: null,
      price: null,
      errorCode: null,
      messageUuid: null,
      timestamp: null,
    });
  });
});

describe("SMS DLR tables", () => {
  it("covers every documented err-code and status", () => {
    const codes = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "50", "51", "52", "53", "54", "99"];
    expect(Object.keys(SMS_DLR_ERROR_CODES).sort()).toEqual([...codes].sort());
    expect(Object.keys(SMS_DLR_STATUSES)).toEqual(["delivered", "expired", "failed", "rejected", "accepted", "buffered", "unknown"]);
    expect(describeSmsErrorCode("0")).toBeUndefined();
    expect(describeSmsErrorCode(null)).toBeUndefined();
    expect(describeSmsErrorCode("11")?.title).toBe("Unroutable");
  });
});

describe("reassembleConcat", () => {
  it("orders parts, drops repeats and lists the missing ones", () => {
    const result = reassembleConcat([
      { part: 3, total: 4, text: "C" },
      { part: 1, total: 4, text: "A" },
      { part: 3, total: 4, text: "C" },
      { part: 4, total: 4, text: "D" },
    ]);
    expect(result).toEqual({ complete: false, text: "ACD", missing: [2] });
  });

  it("is complete once every part has arrived, in any order", () => {
    const result = reassembleConcat([
      { part: 2, total: 2, text: "world" },
      { part: 1, total: 2, text: "hello " },
    ]);
    expect(result).toEqual({ complete: true, text: "hello world", missing: [] });
  });

  it("handles no parts and parts without text", () => {
    expect(reassembleConcat([])).toEqual({ complete: false, text: "", missing: [] });
    expect(reassembleConcat([{ part: 2, total: 2, text: null }])).toEqual({ complete: false, text: "", missing: [1] });
  });
});
