import type { IncomingMessage } from "node:http";

/**
 * Reads a request body as raw bytes with a hard cap. Route handlers in the App Router
 * have no body-size limit of their own (vercel/next.js#57501), so a body over the cap is
 * refused from its Content-Length, or as soon as the stream passes the cap.
 */

export type LimitedBody =
  | { ok: true; bytes: Uint8Array }
  /** Over the cap, from its Content-Length or as it arrived; `head` is the start of what arrived. */
  | { ok: false; unread: "too_large"; receivedBytes: number; declaredBytes?: number; head: Uint8Array }
  /** Not complete `afterMs` after the request's headers. */
  | { ok: false; unread: "timed_out"; afterMs: number; receivedBytes: number; declaredBytes?: number; head: Uint8Array }
  /** Never read: the headers before it were over their limit. */
  | { ok: false; unread: "headers_too_large"; headerBytes: number };

export async function readBodyLimited(request: Request, limit: number, keepHead: number): Promise<LimitedBody> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, unread: "too_large", receivedBytes: 0, declaredBytes: declared, head: new Uint8Array() };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array() };
  // With a Content-Length within the cap (Vonage always sends one), read it in one go.
  if (Number.isFinite(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength <= limit) return { ok: true, bytes };
    return { ok: false, unread: "too_large", receivedBytes: bytes.byteLength, head: bytes.subarray(0, keepHead) };
  }

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      const head = concat(chunks, Math.min(keepHead, total - value.byteLength));
      return { ok: false, unread: "too_large", receivedBytes: total, head };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: concat(chunks, total) };
}

/**
 * The same from a Node request, for server.ts, which reads a webhook's body before the request
 * is admitted and handed on (lib/ingest/intake.ts); and with a deadline: a body not complete
 * `timeoutMs` after the headers is cut off. Resolves with undefined if the client goes away
 * first. What is read stays in the request's stream: the caller answers (Connection: close).
 */
export function readIncomingLimited(
  req: IncomingMessage,
  limit: number,
  keepHead: number,
  timeoutMs: number,
): Promise<LimitedBody | undefined> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  const declaredBytes = Number.isFinite(declared) ? declared : undefined;
  if (declaredBytes !== undefined && declaredBytes > limit) {
    return Promise.resolve({ ok: false, unread: "too_large", receivedBytes: 0, declaredBytes, head: new Uint8Array() });
  }
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const finish = (body: LimitedBody | undefined) => {
      clearTimeout(deadline);
      req.off("data", onData).off("end", onEnd).off("close", onClose);
      resolve(body);
    };
    const cutOff = (body: LimitedBody) => {
      req.pause();
      finish(body);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.byteLength;
      if (total > limit) cutOff({ ok: false, unread: "too_large", receivedBytes: total, head: concat(chunks, Math.min(keepHead, total)) });
    };
    // Chunks from Node's parser each have a buffer of their own: one chunk is sent to the ingest worker as it is.
    const onEnd = () => finish({ ok: true, bytes: concat(chunks, total) });
    const onClose = () => finish(undefined);
    const deadline = setTimeout(() => {
      const head = concat(chunks, Math.min(keepHead, total));
      cutOff({ ok: false, unread: "timed_out", afterMs: timeoutMs, receivedBytes: total, declaredBytes, head });
    }, timeoutMs);
    req.on("data", onData).on("end", onEnd).on("close", onClose);
  });
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === length) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= length) break;
    const part = chunk.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
