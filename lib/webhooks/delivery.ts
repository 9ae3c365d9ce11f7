import { decodeJwt, decodeProtectedHeader } from "jose";
import { readBodyLimited, type LimitedBody } from "@/lib/http/body";
import { recordEvent, recordRejection, type NewEvent, type NewRejection } from "@/lib/events/store";
import type { RejectionReason } from "@/lib/vonage/reasons";
import { DUPLICATE_HEADER, EVENT_ID_HEADER } from "@/lib/webhooks/endpoints";

/**
 * What every webhook endpoint shares: the capped body read, the refusal (recorded with its
 * reason, answered with an honest status), and storing an event with "200 only after commit".
 */

export const MAX_BODY_BYTES = 1024 * 1024;
export const REJECTION_BODY_BYTES = 64 * 1024;
/** Seconds we ask Vonage to wait before retrying when storage is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

/** Set by server.ts from the TCP connection; any client-sent value is overwritten there. */
export const REMOTE_ADDRESS_HEADER = "x-vonage-console-remote-address";

/** Headers worth keeping with an event; everything else is noise or personal. */
const EVENT_HEADERS = ["content-type", "content-length", "user-agent", "authorization", "x-forwarded-for", "x-forwarded-proto", "x-request-id"];

/** One incoming webhook request, as the receivers see it. */
export class Delivery {
  readonly receivedAt = new Date();
  readonly endpoint: string;

  /** `body`: the body as already read under the cap (by the thread that received the request). */
  constructor(
    readonly request: Request,
    private readonly body?: LimitedBody,
  ) {
    this.endpoint = new URL(request.url).pathname;
  }

  /** The body's bytes, or the 413 refusal (already recorded) when it is over 1 MiB. */
  async readBody(): Promise<Uint8Array | Response> {
    const read = this.body ?? (await readWebhookBody(this.request));
    if (read.ok) return read.bytes;
    const size = read.declaredBytes ?? read.receivedBytes;
    const detail = `body of ${read.declaredBytes !== undefined ? "" : "more than "}${size} bytes exceeds the 1 MiB limit`;
    return this.refuse("body_too_large", detail, 413, read.head, size);
  }

  /** Records the refusal with its reason, then answers with its status. */
  async refuse(reason: RejectionReason, detail: string, httpStatus: number, body: Uint8Array = new Uint8Array(), bodyBytes = body.byteLength): Promise<Response> {
    const rejection: NewRejection = {
      receivedAt: this.receivedAt,
      endpoint: this.endpoint,
      method: this.request.method,
      reason,
      detail,
      httpStatus,
      sourceIp: this.request.headers.get(REMOTE_ADDRESS_HEADER),
      headers: selectHeaders(this.request.headers),
      tokenClaims: decodeTokenUnverified(this.request.headers.get("authorization")),
      body: Buffer.from(body.subarray(0, REJECTION_BODY_BYTES)).toString("utf8"),
      bodyBytes,
      bodyTruncated: bodyBytes > REJECTION_BODY_BYTES || body.byteLength < bodyBytes,
    };
    try {
      await recordRejection(rejection);
    } catch (error) {
      // The refusal stands; losing its log entry is reported where an operator will see it.
      console.error(`[webhook] could not record rejection ${reason} (${detail}):`, (error as Error).message);
    }
    const headers: Record<string, string> = httpStatus === 503 ? { "retry-after": String(RETRY_AFTER_SECONDS) } : {};
    // The rest of an oversize body is never read; tell the client not to reuse the connection.
    if (httpStatus === 413) headers.connection = "close";
    return Response.json({ error: reason, detail }, { status: httpStatus, headers });
  }

  /** Stores the event and answers 200 only after the commit; 503 (Vonage retries) if it cannot. */
  async store(event: Omit<NewEvent, "receivedAt" | "headers">): Promise<Response> {
    try {
      const { id, duplicate } = await recordEvent({ ...event, receivedAt: this.receivedAt, headers: selectHeaders(this.request.headers, EVENT_HEADERS) });
      return acknowledge(id, duplicate);
    } catch (error) {
      console.error(`[webhook] could not store a ${event.kind} event; answered 503 so Vonage retries:`, (error as Error).message);
      return Response.json(
        { error: "storage_unavailable", detail: "the event could not be stored; retry later" },
        { status: 503, headers: { "retry-after": String(RETRY_AFTER_SECONDS) } },
      );
    }
  }
}

/** Reads a webhook's body under the 1 MiB cap, keeping the head of an oversize one for its rejection. */
export function readWebhookBody(request: Request): Promise<LimitedBody> {
  return readBodyLimited(request, MAX_BODY_BYTES, REJECTION_BODY_BYTES);
}

/**
 * The 200: no body, the event's id and duplicate flag in headers. Vonage reads only the status;
 * a body would cost a web stream per request in Next.js's response path, about a quarter of
 * an empty route's whole cost (docs/decisions/012-write-path.md).
 */
function acknowledge(id: number, duplicate: boolean): Response {
  return new Response(null, { status: 200, headers: { [EVENT_ID_HEADER]: String(id), [DUPLICATE_HEADER]: String(duplicate) } });
}

/**
 * Request headers as stored: the bearer token's value is never kept (its claims are
 * stored separately for rejections), cookies and our internal header are dropped.
 */
export function selectHeaders(headers: Headers, only?: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (only) {
    // Looking up a few names is much cheaper than walking (and sorting) all of them.
    for (const name of only) {
      const value = headers.get(name);
      if (value !== null) out[name] = name === "authorization" ? redactAuthorization(value) : value;
    }
    return out;
  }
  headers.forEach((value, name) => {
    if (name === "cookie" || name === REMOTE_ADDRESS_HEADER) return;
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
