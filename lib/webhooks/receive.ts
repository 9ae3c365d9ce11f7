import { getConfig } from "@/lib/config";
import type { EventKind } from "@/lib/events/types";
import type { LimitedBody } from "@/lib/http/body";
import { Delivery, type WebhookAnswer, type WebhookRequest } from "@/lib/webhooks/delivery";
import { receiveSmsWebhook, refuseSmsDisabled, refuseSmsMethod } from "@/lib/webhooks/receive-sms";
import { normalizeMessagesEvent, parseJsonObject, type MessagesEventKind } from "@/lib/vonage/payload";
import { verifyVonageSignature } from "@/lib/vonage/verify";

/**
 * Which receiver answers a request to a webhook endpoint: Messages API webhooks are POSTed;
 * SMS API webhooks come as GET or POST, unless those endpoints are turned off. Any other
 * method is refused and recorded.
 */
export function receiveWebhook(route: EventKind, request: WebhookRequest, body: LimitedBody): Promise<WebhookAnswer> {
  switch (route) {
    case "status":
    case "inbound":
      return request.method === "POST" ? receiveMessagesWebhook(route, request, body) : refuseMethod(request);
    case "sms-inbound":
    case "sms-dlr":
      if (getConfig().smsApiWebhooks === "off") return refuseSmsDisabled(request);
      return request.method === "GET" || request.method === "POST" ? receiveSmsWebhook(route, request, body) : refuseSmsMethod(request);
  }
}

/**
 * One Messages API webhook delivery, from raw bytes to an honest status code:
 * read (capped) → verify → parse → store → 200. Every refusal is recorded with its reason.
 */
export async function receiveMessagesWebhook(kind: MessagesEventKind, request: WebhookRequest, body: LimitedBody): Promise<WebhookAnswer> {
  const config = getConfig();
  const delivery = new Delivery(request);
  const rawBody = await delivery.bytesOf(body);
  if (!(rawBody instanceof Uint8Array)) return rawBody;

  const verdict = await verifyVonageSignature({
    authorization: request.headers.get("authorization"),
    rawBody,
    secrets: config.signatureSecrets,
    maxAgeSeconds: config.signatureMaxAgeSeconds,
    applicationId: config.applicationId,
  });
  if (!verdict.ok) return delivery.refuse(verdict.reason, verdict.detail, verdict.httpStatus, rawBody);

  const parsed = parseJsonObject(rawBody);
  if (!parsed.ok) return delivery.refuse(parsed.reason, parsed.detail, 400, rawBody);

  const verified = verdict.verification === "verified" ? verdict : undefined;
  return delivery.store({
    ...normalizeMessagesEvent(kind, parsed.payload),
    kind,
    verification: verdict.verification,
    hashForm: verified?.hashForm ?? null,
    // A retry is identified by what the signature covered: when only the compact form matched,
    // re-spacing the body does not make a new event (each variant verifies the same way).
    dedupeContent: verified?.hashForm === "compact" ? JSON.stringify(parsed.payload) : undefined,
    tokenId: typeof verified?.claims.jti === "string" && verified.claims.jti !== "" ? verified.claims.jti : null,
    apiKey: typeof verdict.claims?.api_key === "string" ? verdict.claims.api_key : null,
    applicationId: typeof verdict.claims?.application_id === "string" ? verdict.claims.application_id : null,
    // The text as decoded, without a leading byte-order mark: payload_hash was checked on the
    // bytes as received (above), and a stored BOM would make the stored JSON unreadable.
    rawBody: parsed.text,
    payload: parsed.payload,
    concat: null,
    wireForm: null,
  });
}

/** Any method but POST: Messages API webhooks are always POSTed. */
export async function refuseMethod(request: WebhookRequest): Promise<WebhookAnswer> {
  const answer = await new Delivery(request).refuse(
    "method_not_allowed",
    `${request.method} is not accepted here; Vonage POSTs Messages API webhooks`,
    405,
  );
  return { ...answer, headers: [...answer.headers, ["allow", "POST"]] };
}
