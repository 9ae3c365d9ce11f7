import { randomUUID } from "node:crypto";
import { computeSmsSignature, type SmsSignatureMethod, type SmsSignedForm } from "@/lib/vonage/sms-signature";
import { readFixture } from "@/test/support/vonage";

/** Account-level SMS API webhooks for tests: raw captures replayed, and requests signed like Vonage signs them. */

export const SMS_PATHS = { "sms-inbound": "/webhooks/inbound-sms", "sms-dlr": "/webhooks/delivery-receipt" } as const;
export type SmsKind = keyof typeof SMS_PATHS;
export type WireForm = "query" | "form" | "json";

export interface HttpCapture {
  method: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

/** A raw HTTP request as captured in test/fixtures/vonage/*.http. */
export function readCapture(name: string): HttpCapture {
  const text = readFixture(name).replace(/\r\n/g, "\n");
  const [head, ...rest] = text.split("\n\n");
  const [requestLine, ...headerLines] = head!.split("\n");
  const [method, target] = requestLine!.split(" ") as [string, string];
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    method,
    query: target.includes("?") ? target.slice(target.indexOf("?")) : "",
    headers,
    body: rest.join("\n\n").replace(/\n$/, ""),
  };
}

/** Sends a capture to one of our endpoints, keeping its method, query, content type and body. */
export function replayCapture(baseUrl: string, kind: SmsKind, capture: HttpCapture): Promise<Response> {
  const headers: Record<string, string> = { "user-agent": capture.headers["user-agent"] ?? "test" };
  if (capture.headers["content-type"]) headers["content-type"] = capture.headers["content-type"];
  return fetch(`${baseUrl}${SMS_PATHS[kind]}${capture.query}`, {
    method: capture.method,
    headers,
    // Bytes, not a string: fetch would add "Content-Type: text/plain" to a string body.
    body: capture.method === "GET" ? undefined : new TextEncoder().encode(capture.body),
  });
}

/** Adds Vonage's signing fields: a fresh timestamp and nonce, and sig (HMACs in upper case, as Vonage sends them). */
export function signSms(
  params: Record<string, string>,
  secret: string,
  method: SmsSignatureMethod,
  timestampOffset = 0,
  form: SmsSignedForm = "all-params",
): Record<string, string> {
  const signed = { ...params, timestamp: String(Math.floor(Date.now() / 1000) + timestampOffset), nonce: randomUUID() };
  const sig = computeSmsSignature(signed, secret, method, form);
  return { ...signed, sig: method === "md5hash" ? sig : sig.toUpperCase() };
}

export function sendSms(baseUrl: string, kind: SmsKind, params: Record<string, string>, form: WireForm = "query"): Promise<Response> {
  const url = `${baseUrl}${SMS_PATHS[kind]}`;
  if (form === "query") return fetch(`${url}?${new URLSearchParams(params)}`);
  if (form === "form") {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
      body: new URLSearchParams(params).toString(),
    });
  }
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) });
}

export function dlrParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    msisdn: "14845552121",
    to: "Acme",
    "network-code": "310004",
    messageId: randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
    price: "0.00845000",
    status: "delivered",
    scts: "2611271530",
    "err-code": "0",
    "api-key": "a1234567",
    "message-timestamp": "2026-11-27 15:30:35",
    ...overrides,
  };
}

export function inboundSmsParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    msisdn: "14845552121",
    to: "16105553939",
    messageId: randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
    text: "Hello & welcome = yes",
    type: "text",
    keyword: "HELLO",
    "api-key": "a1234567",
    "message-timestamp": "2026-11-27 15:30:35",
    ...overrides,
  };
}
