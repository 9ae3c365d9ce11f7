import { decodeJwt, decodeProtectedHeader } from "jose";
import { getConfig } from "@/lib/config";
import { readBodyLimited } from "@/lib/http/body";
import { recordEvent, recordRejection, type NewRejection } from "@/lib/events/store";
import type { EventKind } from "@/lib/events/types";
import { normalizeMessagesEvent, parseJsonObject, type MessagesEventKind } from "@/lib/vonage/payload";
import type { RejectionReason } from "@/lib/vonage/reasons";
import { verifyVonageSignature } from "@/lib/vonage/verify";

/**
 * One Messages API webhook delivery, from raw bytes to an honest status code:
 * read (capped) → verify → parse → store → 200. Every refusal is recorded with its reason.
 */

export const MAX_BODY_BYTES = 1024 * 1024;
export const REJECTION_BODY_BYTES = 64 * 1024;
/** Seconds we ask Vonage to wait before retrying when storage is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

/** Set by server.ts from the TCP connection; any client-sent value is overwritten there. */
export const REMOTE_ADDRESS_HEADER = "x-vonage-console-remote-address";

/** Headers worth keeping with an event; everything else is noise or personal. */
const EVENT_HEADERS = ["content-type", "content-length", "user-agent", "authorization", "x-forwarded-for", "x-forwarded-proto", "x-request-id"];

export async function receiveMessagesWebhook(kind: MessagesEventKind, request: Request): Promise<Response> {
  const receivedAt = new Date();
  const config = getConfig();
  const endpoint = new URL(request.url).pathname;
  const authorization = request.headers.get("authorization");
  const refusal = (reason: RejectionReason, detail: string, httpStatus: number, body: Uint8Array, bodyBytes = body.byteLength) =>
    refuse(request, { receivedAt, endpoint, reason, detail, httpStatus, body, bodyBytes, authorization });

  const read = await readBodyLimited(request, MAX_BODY_BYTES, REJECTION_BODY_BYTES);
  if (!read.ok) {
    const size = read.declaredBytes ?? read.receivedBytes;
    return refusal("body_too_large", `body of ${read.declaredBytes !== undefined ? "" : "more than "}${size} bytes exceeds the 1 MiB limit`, 413, read.head, size);
  }
  const rawBody = read.bytes;

  const verdict = await verifyVonageSignature({
    authorization,
    rawBody,
    secrets: config.signatureSecrets,
    maxAgeSeconds: config.signatureMaxAgeSeconds,
    applicationId: config.applicationId,
  });
  if (!verdict.ok) return refusal(verdict.reason, verdict.detail, verdict.httpStatus, rawBody);

  const parsed = parseJsonObject(rawBody);
  if (!parsed.ok) return refusal("malformed_json", parsed.detail, 400, rawBody);

  const normalized = normalizeMessagesEvent(kind, parsed.payload);
  try {
    const { id, duplicate } = await recordEvent({
      ...normalized,
      kind: kind as EventKind,
      receivedAt,
      verification: verdict.verification,
      hashForm: verdict.verification === "verified" ? verdict.hashForm : null,
      apiKey: typeof verdict.claims?.api_key === "string" ? verdict.claims.api_key : null,
      applicationId: typeof verdict.claims?.application_id === "string" ? verdict.claims.application_id : null,
      rawBody: Buffer.from(rawBody).toString("utf8"),
      payload: parsed.payload,
      headers: selectHeaders(request.headers, EVENT_HEADERS),
    });
    return Response.json({ id, duplicate }, { status: 200 });
  } catch (error) {
    console.error(`[webhook] could not store a ${kind} event; answered 503 so Vonage retries:`, (error as Error).message);
    return storageUnavailable();
  }
}

/** Any method but POST: Messages API webhooks are always POSTed. */
export async function refuseMethod(request: Request): Promise<Response> {
  return refuse(request, {
    receivedAt: new Date(),
    endpoint: new URL(request.url).pathname,
    reason: "method_not_allowed",
    detail: `${request.method} is not accepted here; Vonage POSTs Messages API webhooks`,
    httpStatus: 405,
    body: new Uint8Array(),
    bodyBytes: 0,
    authorization: request.headers.get("authorization"),
  });
}

interface Refusal {
  receivedAt: Date;
  endpoint: string;
  reason: RejectionReason;
  detail: string;
  httpStatus: number;
  body: Uint8Array;
  bodyBytes: number;
  authorization: string | null;
}

async function refuse(request: Request, r: Refusal): Promise<Response> {
  const rejection: NewRejection = {
    receivedAt: r.receivedAt,
    endpoint: r.endpoint,
    method: request.method,
    reason: r.reason,
    detail: r.detail,
    httpStatus: r.httpStatus,
    sourceIp: request.headers.get(REMOTE_ADDRESS_HEADER),
    headers: selectHeaders(request.headers),
    tokenClaims: decodeTokenUnverified(r.authorization),
    body: Buffer.from(r.body.subarray(0, REJECTION_BODY_BYTES)).toString("utf8"),
    bodyBytes: r.bodyBytes,
    bodyTruncated: r.bodyBytes > REJECTION_BODY_BYTES || r.body.byteLength < r.bodyBytes,
  };
  try {
    await recordRejection(rejection);
  } catch (error) {
    // The refusal stands; losing its log entry is reported where an operator will see it.
    console.error(`[webhook] could not record rejection ${r.reason} (${r.detail}):`, (error as Error).message);
  }
  const headers: Record<string, string> = r.httpStatus === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
  // The rest of an oversize body is never read; tell the client not to reuse the connection.
  if (r.httpStatus === 413) headers.connection = "close";
  return Response.json({ error: r.reason, detail: r.detail }, { status: r.httpStatus, headers });
}

function storageUnavailable(): Response {
  return Response.json(
    { error: "storage_unavailable", detail: "the event could not be stored; retry later" },
    { status: 503, headers: { "retry-after": String(RETRY_AFTER_SECONDS) } },
  );
}

/**
 * Request headers as stored: the bearer token's value is never kept (its claims are
 * stored separately for rejections), cookies and our internal header are dropped.
 */
export function selectHeaders(headers: Headers, only?: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name === "cookie" || name === REMOTE_ADDRESS_HEADER) return;
    if (only && !only.includes(name)) return;
    out[name] = name === "authorization" ? redactAuthorization(value) : value;
  });
  return out;
}

function redactAuthorization(value: string): string {
  const scheme = /^(\S+)\s/.exec(value)?.[1];
  return scheme ? `${scheme} [redacted]` : "[redacted]";
}

function decodeTokenUnverified(authorization: string | null): Record<string, unknown> | null {
  const token = authorization ? /^Bearer\s+(\S+)/i.exec(authorization)?.[1] : undefined;
  if (!token) return null;
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return null;
  }
}
