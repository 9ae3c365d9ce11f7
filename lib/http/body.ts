/**
 * Reads a request body as raw bytes with a hard cap. Route handlers in the App Router
 * have no body-size limit of their own (vercel/next.js#57501), so a body over the cap is
 * refused from its Content-Length, or as soon as the stream passes the cap.
 */

export type LimitedBody =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; tooLarge: true; receivedBytes: number; declaredBytes?: number; head: Uint8Array };

export async function readBodyLimited(request: Request, limit: number, keepHead: number): Promise<LimitedBody> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    return { ok: false, tooLarge: true, receivedBytes: 0, declaredBytes: declared, head: new Uint8Array() };
  }
  if (!request.body) return { ok: true, bytes: new Uint8Array() };
  // With a Content-Length within the cap (Vonage always sends one), read it in one go.
  if (Number.isFinite(declared)) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength <= limit) return { ok: true, bytes };
    return { ok: false, tooLarge: true, receivedBytes: bytes.byteLength, head: bytes.subarray(0, keepHead) };
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
      return { ok: false, tooLarge: true, receivedBytes: total, head };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: concat(chunks, total) };
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
