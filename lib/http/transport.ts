import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { CountedWarning } from "@/lib/http/counted-warning";

/**
 * What server.ts refuses before Next.js sees a request: headers over their limit, methods
 * Next.js cannot route, and what Node's HTTP parser itself gives up on
 * (docs/decisions/019-slow-bodies.md). Webhooks among them are refused through the receivers
 * instead, so they are recorded (lib/ingest/intake.ts).
 */

/**
 * Request headers over this many bytes in total are refused with 431. Node's default, 16 KiB,
 * answered a long token with its own 431 that nobody saw; 64 KiB lets any plausible token reach
 * the verifier, which records why it is refused.
 */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Node's parser stops at this (the server's maxHeaderSize), twice ours, so that headers a little
 * over our limit still reach the request handler, which knows their method and path and records
 * the refusal. Past it the parser fails (clientError): the failing chunk it hands over is the
 * last one read, never the one with the request line (a read takes at most 64 KiB), so such a
 * request is answered 431 and only counted in the log.
 */
export const PARSER_MAX_HEADER_BYTES = 2 * MAX_HEADER_BYTES;

/** Names and values, as received: about what they take on the wire, without the separators. */
export function headerBytesOf(req: IncomingMessage): number {
  let bytes = 0;
  for (const part of req.rawHeaders) bytes += part.length;
  return bytes;
}

/** The methods Next.js routes (its HTTP_METHODS); it answers any other, TRACE among them, with 500. */
export const ROUTABLE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"]);

export function refuseUnroutableMethod(req: IncomingMessage, res: ServerResponse): void {
  answer(res, 405, { allow: [...ROUTABLE_METHODS].join(", ") }, "method_not_allowed", `${req.method} is not served here`);
}

export function refuseHeadersTooLarge(res: ServerResponse, headerBytes: number): void {
  // The body (if any) is never read: the connection cannot be reused.
  answer(res, 431, { connection: "close" }, "headers_too_large", `headers of ${headerBytes} bytes exceed the 64 KiB limit`);
}

function answer(res: ServerResponse, status: number, headers: Record<string, string>, error: string, detail: string): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ error, detail }));
}

/** Node's own answers to what its parser rejects (as its default clientError handler gives them). */
const PARSER_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
  HPE_CHUNK_EXTENSIONS_OVERFLOW: "413 Payload Too Large",
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
};

const headerOverflows = new CountedWarning(
  (count) =>
    `[server] answered ${count} request(s) 431 in the last second: headers over ${PARSER_MAX_HEADER_BYTES / 1024} KiB (not recorded)`,
);

/**
 * The server's clientError handler: Node's default answer, with header overflows counted in the
 * log. Having a handler replaces Node's default, so every other error is answered as it would be.
 * (Node also holds the answer back while a response is being written on the connection, which
 * takes its internals to know; the connection is destroyed either way.)
 */
export function answerParserError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "HPE_HEADER_OVERFLOW") headerOverflows.add();
  if (socket.writable) socket.write(`HTTP/1.1 ${PARSER_ERROR_STATUS[error.code ?? ""] ?? "400 Bad Request"}\r\nConnection: close\r\n\r\n`);
  socket.destroy();
}
