import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { readSmsParams, type SmsParams, type SmsRequest } from "@/lib/vonage/sms-params";
import { FIXTURES_DIR, readFixture } from "@/test/support/vonage";

const bytes = (text: string) => new TextEncoder().encode(text);

interface RawRequest extends SmsRequest {
  headers: Record<string, string>;
}

/** A raw HTTP/1.1 capture: request line, headers, blank line, body (the rest, byte for byte). */
function parseHttp(raw: string): RawRequest {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split ? raw.slice(0, split.index) : raw;
  const body = split ? raw.slice(split.index + split[0].length) : "";
  const [requestLine = "", ...headerLines] = head.split(/\r?\n/);
  const [method = "", url = ""] = requestLine.split(" ");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { method, url, headers, contentType: headers["content-type"] ?? null, body: bytes(body) };
}

function paramsOf(result: SmsParams): Record<string, string> {
  if (!result.ok) throw new Error(result.detail);
  return result.params;
}

const DLR = {
  msisdn: "14845552121",
  to: "16105553939",
  "network-code": "310004",
  messageId: "14000000F9DBBBBB",
  price: "0.00845000",
  status: "delivered",
  scts: "1234567890",
  "err-code": "0",
  "api-key": "a1234567",
};

const SIGNED_INBOUND = {
  msisdn: "14845552121",
  to: "16105553939",
  messageId: "02000000DA7C52E7",
  text: "Test this.",
  type: "text",
  keyword: "TEST",
  "message-timestamp": "2016-05-24 11:12:01",
  timestamp: "1464088321",
  nonce: "51a87f47-476f-447c-bffe-c18600fd12ad",
  sig: "8cfbb03967d8d6339c82736d7781a7fd",
};

const EXPECTED: Record<string, { wireForm: string; params: Record<string, string> }> = {
  "sms-dlr-get.php-sdk.http": {
    wireForm: "query",
    params: { ...DLR, "client-ref": "my-ref", "message-timestamp": "2020-07-17 02:34:35" },
  },
  "sms-dlr-post-form.php-sdk.http": { wireForm: "form", params: { ...DLR, "message-timestamp": "2020-07-17 02:35:15" } },
  "sms-dlr-post-json.php-sdk.http": { wireForm: "json", params: { ...DLR, "message-timestamp": "2020-07-17 02:35:01" } },
  "sms-inbound-get-signed.php-sdk.http": { wireForm: "query", params: SIGNED_INBOUND },
  "sms-inbound-post-json-signed.php-sdk.http": { wireForm: "json", params: SIGNED_INBOUND },
  "sms-inbound-get-concat.php-sdk.http": {
    wireForm: "query",
    params: {
      msisdn: "14845552121",
      to: "16105553939",
      messageId: "02000000DA7C52E7",
      concat: "true",
      "concat-ref": "4",
      "concat-total": "4",
      "concat-part": "3",
      text: "y for a non-functionality-adding upgrading can be a hard sell.\n\nI understand the reasoning. I had two clients that were on PHP 5.2 for a very, very long ",
      type: "text",
      keyword: "Y",
      "api-key": "a1234567",
      "message-timestamp": "2020-07-01 15:53:25",
    },
  },
  "sms-inbound-get-binary.php-sdk.http": {
    wireForm: "query",
    params: {
      msisdn: "14845552121",
      to: "16105553939",
      messageId: "02000000DA7C52E7",
      text: "Binary message",
      type: "binary",
      keyword: "BINARY",
      "message-timestamp": "2016-05-24 11:12:01",
      timestamp: "1464088321",
      data: "EA0601AE02056A0045C60C037761702E6F7A656B692E6875000801034F7A656B69000101",
      udh: "0605040B8423F0",
    },
  },
};

const captures = fs
  .readdirSync(FIXTURES_DIR)
  .filter((name) => /^sms-.*\.http$/.test(name))
  .sort();

describe("readSmsParams on Vonage's raw captures", () => {
  it("has an expectation for every capture", () => {
    expect(captures).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(captures)("replays %s", (name) => {
    const request = parseHttp(readFixture(name));
    const expected = EXPECTED[name]!;
    const result = readSmsParams(request);
    expect(result).toMatchObject({ ok: true, wireForm: expected.wireForm });
    expect(paramsOf(result)).toEqual(expected.params);
    const length = request.headers["content-length"];
    if (length !== undefined) expect(request.body.length).toBe(Number(length));
  });

  it("reads the inbound JSON capture, which has no Content-Type, as JSON", () => {
    const request = parseHttp(readFixture("sms-inbound-post-json-signed.php-sdk.http"));
    expect(request.contentType).toBeNull();
    expect(readSmsParams(request)).toMatchObject({ ok: true, wireForm: "json" });
  });

  it("gives the same parameters for the JSON body fixtures as for their captures", () => {
    const post = (body: string) => readSmsParams({ method: "POST", url: "/webhooks/dlr", contentType: null, body: bytes(body) });
    expect(paramsOf(post(readFixture("sms-dlr.php-sdk.json")))).toEqual(EXPECTED["sms-dlr-post-json.php-sdk.http"]!.params);
    expect(paramsOf(post(readFixture("sms-inbound-signed.php-sdk.json")))).toEqual(SIGNED_INBOUND);
  });
});

describe("readSmsParams", () => {
  const post = (body: string, contentType: string | null = "application/json", url = "/webhooks/inbound-sms") =>
    readSmsParams({ method: "POST", url, contentType, body: bytes(body) });

  it("reads a form body with or without a charset, decoding + and %XX", () => {
    for (const type of ["application/x-www-form-urlencoded", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"]) {
      expect(post("text=caf%C3%A9+ol%C3%A9&to=1", type)).toEqual({ ok: true, wireForm: "form", params: { text: "café olé", to: "1" } });
    }
  });

  it("reads application/json with a charset", () => {
    expect(post('{"a":"1"}', "application/json; charset=utf-8")).toMatchObject({ ok: true, wireForm: "json" });
  });

  it('turns JSON numbers and booleans into strings, drops null, and keeps the string "null" (it may be signed)', () => {
    expect(paramsOf(post('{"timestamp":1464088321,"concat":true,"price":0.5,"client-ref":null,"keyword":"null","text":""}'))).toEqual({
      timestamp: "1464088321",
      concat: "true",
      price: "0.5",
      keyword: "null",
      text: "",
    });
  });

  it.each([
    ['{"a":{"b":"c"}}', /field "a" is an object/],
    ['{"a":["b"]}', /field "a" is an array/],
    ["[1,2]", /not an object/],
    ['{"a":', /not valid JSON/],
    ["msisdn=1&to=2", /not valid JSON/],
  ])("refuses the JSON body %s", (body, detail) => {
    const result = post(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.detail).toMatch(detail);
  });

  it("refuses other content types, reads text/plain by its look, and refuses a form that is not UTF-8", () => {
    expect(post("<a>1</a>", "application/xml")).toMatchObject({ ok: false, detail: expect.stringContaining("application/xml") });
    expect(post("a=1", "text/plain")).toMatchObject({ ok: true, params: { a: "1" }, wireForm: "form" });
    expect(post('{"a":"1"}', "text/plain;charset=UTF-8")).toMatchObject({ ok: true, params: { a: "1" }, wireForm: "json" });
    const latin1 = readSmsParams({
      method: "POST",
      url: "/x",
      contentType: "application/x-www-form-urlencoded",
      body: new Uint8Array([0x61, 0x3d, 0xe9]),
    });
    expect(latin1).toMatchObject({ ok: false, detail: "form body is not valid UTF-8" });
  });

  it("reads the query string of a GET and of a POST without a body", () => {
    const url = "https://console.example/webhooks/dlr?status=delivered&messageId=abc";
    expect(readSmsParams({ method: "GET", url, contentType: null, body: bytes("") })).toMatchObject({ ok: true, wireForm: "query" });
    expect(readSmsParams({ method: "POST", url, contentType: "application/json", body: bytes("") })).toEqual({
      ok: true,
      wireForm: "query",
      params: { status: "delivered", messageId: "abc" },
    });
  });

  it("keeps the last value of a repeated query parameter", () => {
    expect(paramsOf(readSmsParams({ method: "GET", url: "/x?a=1&a=2", contentType: null, body: bytes("") }))).toEqual({ a: "2" });
  });

  it("refuses a request with no parameters at all", () => {
    const result = readSmsParams({ method: "GET", url: "/webhooks/inbound-sms", contentType: null, body: bytes("") });
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining("no parameters") });
  });

  it("lets the body win over the query string, keeping query parameters the body lacks", () => {
    const result = post('{"msisdn":"111","text":"hi"}', "application/json", "/webhooks/inbound-sms?msisdn=999&nonce=n1");
    expect(result).toEqual({ ok: true, wireForm: "json", params: { msisdn: "111", text: "hi", nonce: "n1" } });
  });
});
