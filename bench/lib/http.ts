import http from "node:http";
import { performance } from "node:perf_hooks";
import { summarize, type LatencySummary } from "@/bench/lib/stats";

/**
 * A minimal keep-alive HTTP client on node:http. The load generator shares a 2-core machine
 * with the server, so it must cost as little as possible per request: no fetch/WHATWG
 * streams, bodies prepared ahead as Buffers, responses drained without parsing.
 */

export interface PreparedRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Message uuid of a webhook body, to match it with what the socket clients receive. */
  uuid?: string;
}

export interface Reply {
  status: number;
  retryAfter: string | undefined;
  /** Body bytes (counted, not kept unless asked). */
  bytes: number;
  body?: Buffer;
  headers: http.IncomingHttpHeaders;
}

export class TimeoutError extends Error {
  constructor(readonly sent: boolean) {
    super(sent ? "timed out waiting for the answer" : "timed out before a connection was free");
  }
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: "fifo" });
}

export interface SendOptions {
  /** Abort (destroying the connection) after this many ms. */
  timeoutMs?: number;
  keepBody?: boolean;
  /** Called with each body chunk (for streamed exports). */
  onChunk?: (chunk: Buffer) => void;
  onResponse?: (res: http.IncomingMessage) => void;
}

export function send(agent: http.Agent, base: URL, request: PreparedRequest, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let sent = false;
    const headers = request.body ? { ...request.headers, "content-length": String(request.body.length) } : request.headers;
    const req = http.request(
      { agent, hostname: base.hostname, port: base.port, method: request.method, path: request.path, headers },
      (res) => {
        options.onResponse?.(res);
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (options.keepBody) chunks.push(chunk);
          options.onChunk?.(chunk);
        });
        res.on("end", () => {
          if (timer) clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"],
            bytes,
            body: options.keepBody ? Buffer.concat(chunks) : undefined,
            headers: res.headers,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("socket", () => (sent = true));
    const timer =
      options.timeoutMs !== undefined ? setTimeout(() => req.destroy(new TimeoutError(sent)), Math.max(0, options.timeoutMs)) : undefined;
    req.on("error", (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    req.end(request.body);
  });
}

/**
 * Times `repetitions` requests one after another on one keep-alive connection, after `warmup`
 * untimed ones (parts 4 and 7). With a budget, a slow request is timed fewer times: past
 * `budget.ms` in all, it stops once it has `budget.minSamples`.
 */
export async function timeSequential(
  agent: http.Agent,
  base: URL,
  request: PreparedRequest,
  warmup: number,
  repetitions: number,
  budget?: { ms: number; minSamples: number },
): Promise<{ latency: LatencySummary; bytes: number }> {
  const latencies: number[] = [];
  let bytes = 0;
  const deadline = budget ? performance.now() + budget.ms : Infinity;
  for (let i = 0; i < warmup + repetitions; i++) {
    const t0 = performance.now();
    const reply = await send(agent, base, request);
    const ms = performance.now() - t0;
    if (reply.status !== 200) throw new Error(`${request.path} answered ${reply.status}`);
    if (i >= warmup) latencies.push(ms);
    bytes = reply.bytes;
    if (budget && latencies.length >= budget.minSamples && performance.now() > deadline) break;
  }
  return { latency: summarize(latencies), bytes };
}
