import { getConfig } from "@/lib/config";
import type { LimitedBody } from "@/lib/http/body";
import { Delivery, type WebhookAnswer, type WebhookRequest } from "@/lib/webhooks/delivery";
import { readSmsParams } from "@/lib/vonage/sms-params";
import { normalizeSmsEvent, type SmsEventKind } from "@/lib/vonage/sms-payload";
import { verifySmsSignature, type SmsSignedForm } from "@/lib/vonage/sms-signature";

/**
 * One account-level SMS API webhook (inbound SMS or delivery receipt), in any of its wire
 * forms: read → `sig` check (when a secret is set) → normalise → store → 200.
 */

/** Vonage's signing fields; a retry may be signed afresh, so they do not identify the event. */
const SIGNING_FIELDS = new Set(["sig", "timestamp", "nonce"]);

export async function receiveSmsWebhook(kind: SmsEventKind, request: WebhookRequest, received: LimitedBody): Promise<WebhookAnswer> {
  const config = getConfig();
  const delivery = new Delivery(request);
  const body = await delivery.bytesOf(received);
  if (!(body instanceof Uint8Array)) return body;

  const url = new URL(request.url);
  // For a GET the parameters are the query string: keep that as the refused "body".
  const asReceived = body.byteLength > 0 ? body : new TextEncoder().encode(url.search.replace(/^\?/, ""));
  const read = readSmsParams({ method: request.method, url: request.url, contentType: request.headers.get("content-type"), body });
  if (!read.ok) return delivery.refuse("malformed_request", read.detail, 400, asReceived);
  const { params } = read;

  let verification: "verified" | "unverified" = "unverified";
  let hashForm: SmsSignedForm | null = null;
  if (config.smsSignatureSecrets.length > 0) {
    const verdict = verifySmsSignature({
      params,
      secrets: config.smsSignatureSecrets,
      method: config.smsSignatureMethod,
      maxAgeSeconds: config.smsSignatureMaxAgeSeconds,
    });
    if (!verdict.ok) return delivery.refuse(verdict.reason, verdict.detail, 401, asReceived);
    verification = "verified";
    hashForm = verdict.form;
  }

  const { binary: _binary, concat, ...normalized } = normalizeSmsEvent(kind, params);
  const content = Object.fromEntries(
    Object.entries(params)
      .filter(([key]) => !SIGNING_FIELDS.has(key))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return delivery.store({
    ...normalized,
    kind,
    verification,
    hashForm,
    tokenId: null,
    apiKey: params["api-key"] ?? null,
    applicationId: null,
    rawBody: JSON.stringify(params),
    payload: params,
    concat,
    wireForm: read.wireForm,
    dedupeContent: JSON.stringify(content),
  });
}

/** SMS_API_WEBHOOKS=off: the account does not use the SMS API, so nothing is accepted here. */
export function refuseSmsDisabled(request: WebhookRequest): Promise<WebhookAnswer> {
  return new Delivery(request).refuse(
    "endpoint_disabled",
    "the SMS API endpoints are turned off (SMS_API_WEBHOOKS=off); nothing sent here is stored",
    404,
  );
}

/** SMS API webhooks come as GET or POST; anything else is refused and recorded. */
export async function refuseSmsMethod(request: WebhookRequest): Promise<WebhookAnswer> {
  const detail = `${request.method} is not accepted here; Vonage sends SMS API webhooks as GET or POST`;
  const answer = await new Delivery(request).refuse("method_not_allowed", detail, 405);
  return { ...answer, headers: [...answer.headers, ["allow", "GET, POST"]] };
}
