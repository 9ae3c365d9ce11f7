import { decodeJwt, decodeProtectedHeader } from "jose";
import { readBodyLimited, type LimitedBody } from "@/lib/http/body";
import { bearerToken, RETRY_LATER } from "@/lib/http/headers";
import { recordEvent, recordRejection, type NewEvent, type NewRejection } from "@/lib/events/store";
import { jsonDepth, MAX_JSON_DEPTH } from "@/lib/vonage/json";
import type { RejectionReason } from "@/lib/vonage/reasons";
import { DUPLICATE_HEADER, EVENT_ID_HEADER } from "@/lib/webhooks/endpoints";

/**
 * What every webhook endpoint shares: the capped body read, the refusal (recorded with its
 * reason, answered with an honest status), and storing an event with "200 only after commit".
 */

export const MAX_BODY_BYTES = 1024 * 1024;
export const REJECTION_BODY_BYTES = 64 * 1024;

/** Set by server.ts from the TCP connection; any client-sent value is overwritten there. */
export const REMOTE_ADDRESS_HEADER = "x-vonage-console-remote-address";
/** Set by server.ts to where it left the body it read (lib/ingest/intake.ts); overwritten the same way. */
export const BODY_ID_HEADER = "x-vonage-console-body-id";

/** Headers worth keeping with an event; everything else is noise or personal. */
const EVENT_HEADERS = [
  "content-type",
  "content-length",
  "user-agent",
  "authorization",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-request-id",
];

/**
 * What the receivers read of a webhook request. A fetch `Request` is one; the ingest worker
 * passes a lighter one made from what the HTTP thread sent it (`webhookRequestOf`,
 * lib/ingest/channel.ts).
 */
export interface WebhookRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: {
    get(name: string): string | null;
    forEach(callback: (value: string, name: string) => void): void;
  };
}

/**
 * A receiver's answer as plain data: the ingest worker sends it to the HTTP thread as it is,
 * and `responseOf` makes the HTTP response. An empty body is sent as none.
 */
export interface WebhookAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

export function responseOf(answer: WebhookAnswer): Response {
  return new Response(answer.body === "" ? null : answer.body, { status: answer.status, headers: answer.headers });
}

/** A refusal's answer: `{ error, detail }` as JSON. */
export function refusal(status: number, error: string, detail: string, headers: [string, string][] = []): WebhookAnswer {
  return { status, headers: [["content-type", "application/json"], ...headers], body: JSON.stringify({ error, detail }) };
}

/** One incoming webhook request, as the receivers see it. */
export class Delivery {
  readonly receivedAt = new Date();

  constructor(readonly request: WebhookRequest) {}

  /** The body's bytes, or the 413 refusal (already recorded) when it was over 1 MiB. */
  /**
   * The body's bytes, or the refusal (already recorded) when it was not read: over 1 MiB (413),
   * not complete by its deadline (408), or after headers over their limit (431).
   */
  async bytesOf(body: LimitedBody): Promise<Uint8Array | WebhookAnswer> {
    if (body.ok) return body.bytes;
    switch (body.unread) {
      case "too_large": {
        const size = body.declaredBytes ?? body.receivedBytes;
        const detail = `body of ${body.declaredBytes !== undefined ? "" : "more than "}${size} bytes exceeds the 1 MiB limit`;
        return this.refuse("body_too_large", detail, 413, body.head, size);
      }
      case "timed_out": {
        const of = body.declaredBytes !== undefined ? ` of ${body.declaredBytes}` : "";
        const detail = `body not complete ${body.afterMs} ms after the headers (${body.receivedBytes}${of} bytes arrived)`;
        return this.refuse("body_timeout", detail, 408, body.head, body.declaredBytes ?? body.receivedBytes);
      }
      case "headers_too_large":
        return this.refuse("headers_too_large", `headers of ${body.headerBytes} bytes exceed the 64 KiB limit; the body was not read`, 431);
    }
  }

  /** Records the refusal with its reason, then answers with its status. */
  async refuse(
    reason: RejectionReason,
    detail: string,
    httpStatus: number,
    body: Uint8Array = new Uint8Array(),
    bodyBytes = body.byteLength,
  ): Promise<WebhookAnswer> {
    const rejection: NewRejection = {
      receivedAt: this.receivedAt,
      endpoint: new URL(this.request.url).pathname,
      method: this.request.method,
      reason,
      detail,
      httpStatus,
      sourceIp: this.request.headers.get(REMOTE_ADDRESS_HEADER),
      headers: capHeaders(selectHeaders(this.request.headers)),
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
    const headers: [string, string][] = httpStatus === 503 ? [RETRY_LATER] : [];
    // The rest of an oversize body is never read; tell the client not to reuse the connection.
    if (httpStatus === 413) headers.push(["connection", "close"]);
    return refusal(httpStatus, reason, detail, headers);
  }

  /** Stores the event and answers 200 only after the commit; 503 (Vonage retries) if it cannot. */
  async store(event: Omit<NewEvent, "receivedAt" | "headers">): Promise<WebhookAnswer> {
    try {
      const { id, duplicate } = await recordEvent({
        ...event,
        receivedAt: this.receivedAt,
        headers: selectHeaders(this.request.headers, EVENT_HEADERS),
      });
      return acknowledge(id, duplicate);
    } catch (error) {
      console.error(`[webhook] could not store a ${event.kind} event; answered 503 so Vonage retries:`, (error as Error).message);
      return refusal(503, "storage_unavailable", "the event could not be stored; retry later", [RETRY_LATER]);
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
function acknowledge(id: number, duplicate: boolean): WebhookAnswer {
  return {
    status: 200,
    headers: [
      [EVENT_ID_HEADER, String(id)],
      [DUPLICATE_HEADER, String(duplicate)],
    ],
    body: "",
  };
}

/**
 * Request headers as stored: the bearer token's value is never kept (its claims are
 * stored separately for rejections), cookies and our internal headers are dropped.
 */
export function selectHeaders(headers: WebhookRequest["headers"], only?: string[]): Record<string, string> {
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
    if (name === "cookie" || name === REMOTE_ADDRESS_HEADER || name === BODY_ID_HEADER) return;
    out[name] = name === "authorization" ? redactAuthorization(value) : value;
  });
  return out;
}

/** A refusal's stored headers: each value cut to 1 KiB, the whole set to about 8 KiB, marked where cut. */
const HEADER_VALUE_MAX_BYTES = 1024;
const HEADERS_MAX_BYTES = 8 * 1024;

/**
 * The headers of a refused request, capped: whoever sent it chose them. A cut value ends with
 * "… [cut from N bytes]"; headers left out past the total are counted under "[cut]", a name
 * no real header can have.
 */
function capHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  let left = 0;
  for (const [name, value] of Object.entries(headers)) {
    const bytes = Buffer.byteLength(value);
    const kept =
      bytes > HEADER_VALUE_MAX_BYTES
        ? `${Buffer.from(value).subarray(0, HEADER_VALUE_MAX_BYTES).toString("utf8")}… [cut from ${bytes} bytes]`
        : value;
    const size = name.length + Buffer.byteLength(kept);
    if (total + size > HEADERS_MAX_BYTES) {
      left++;
      continue;
    }
    total += size;
    out[name] = kept;
  }
  if (left > 0)
    out["[cut]"] = `${left} more header${left > 1 ? "s" : ""} not kept: a refusal's headers are capped at ${HEADERS_MAX_BYTES / 1024} KiB`;
  return out;
}

function redactAuthorization(value: string): string {
  const scheme = /^(\S+)\s/.exec(value)?.[1];
  return scheme ? `${scheme} [redacted]` : "[redacted]";
}

/** Decoded token parts longer than this are not stored (the whole token is under Node's 16 KiB header cap). */
const TOKEN_PART_MAX_CHARS = 4096;

/**
 * The refused token's header and claims, decoded without trusting them. They come from
 * whoever sent the request: parts over 4 KiB or nested too deep are replaced by a marker.
 */
function decodeTokenUnverified(authorization: string | null): Record<string, unknown> | null {
  const token = bearerToken(authorization);
  if (!token) return null;
  const parts = token
    .split(".")
    .slice(0, 2)
    .map((part) => Buffer.from(part, "base64url").toString("utf8"));
  if (parts.some((part) => part.length > TOKEN_PART_MAX_CHARS || jsonDepth(part) > MAX_JSON_DEPTH)) {
    return {
      _omitted: `the token's header or claims are over ${TOKEN_PART_MAX_CHARS / 1024} KiB or nest more than ${MAX_JSON_DEPTH} levels deep`,
    };
  }
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return null;
  }
}
