import { IncomingMessage, type ServerResponse } from "node:http";
import type { EventKind } from "@/lib/events/types";
import type { WebhookAdmission } from "@/lib/http/admission";
import { readIncomingLimited, type LimitedBody } from "@/lib/http/body";
import { CountedWarning } from "@/lib/http/counted-warning";
import { MAX_HEADER_BYTES, refuseHeadersTooLarge, refuseUnroutableMethod, ROUTABLE_METHODS } from "@/lib/http/transport";
import type { IngestWorker } from "@/lib/ingest/worker-host";
import { BODY_ID_HEADER, MAX_BODY_BYTES, REJECTION_BODY_BYTES, REMOTE_ADDRESS_HEADER, type WebhookAnswer } from "@/lib/webhooks/delivery";
import { WEBHOOK_ENDPOINTS } from "@/lib/webhooks/endpoints";

/**
 * How server.ts takes in a request to /webhooks/ (docs/decisions/019-slow-bodies.md). Its body
 * is read here first, under the 1 MiB cap and a deadline, and only then is the request admitted
 * (lib/http/admission.ts): admission counts work, and a sender still sending its body is not
 * work, so senders trickling their bodies hold no slot that a genuine webhook needs. A body not
 * complete by the deadline is refused 408; a few bodies at a time may be arriving from one
 * address, further ones are answered 429 unread. The body read is parked with the ingest
 * worker for the route handler (forwardWebhook, lib/ingest/worker-host.ts), which cannot read
 * the request's stream again.
 */

export interface IntakeOptions {
  admission: WebhookAdmission;
  /** Where the body is parked for the route handler, and where unroutable requests are sent. */
  ingest: IngestWorker;
  bodyTimeoutMs: number;
  maxPendingPerAddress: number;
  retryAfterSeconds: number;
}

/** Endpoint paths to their routes, for requests that reach the receivers without Next.js. */
const ROUTES = new Map<string, EventKind>(WEBHOOK_ENDPOINTS.map((endpoint) => [endpoint.path, endpoint.kind]));

/** Of headers over the limit, only this much is kept: the start of each value, and of the list. */
const KEPT_HEADER_VALUE_CHARS = 256;
const KEPT_HEADERS_CHARS = 4096;

/** Gives a request to Next.js (through the access gate). */
export type HandOn = (req: IncomingMessage, res: ServerResponse) => void;

export class WebhookIntake {
  /** Requests whose bodies are still arriving, by source address. */
  private readonly pendingByAddress = new Map<string, number>();
  private readonly tooManyLog: CountedWarning;

  constructor(private readonly options: IntakeOptions) {
    this.tooManyLog = new CountedWarning(
      (count) =>
        `[server] answered ${count} webhook(s) 429 in the last second: ` +
        `more than ${options.maxPendingPerAddress} bodies arriving at once from one address`,
    );
  }

  /** Takes a request in; `handOn` gives it to Next.js, once its body is read and it is admitted. */
  receive(req: IncomingMessage, res: ServerResponse, headerBytes: number, handOn: HandOn): void {
    delete req.headers[BODY_ID_HEADER];
    if (headerBytes > MAX_HEADER_BYTES) {
      // Recorded through the receivers; the body is never read.
      res.setHeader("connection", "close");
      if (this.options.admission.admit(req, res)) this.refuseUnrouted(req, res, { ok: false, unread: "headers_too_large", headerBytes });
      return;
    }
    const address = req.socket.remoteAddress ?? "";
    const pending = this.pendingByAddress.get(address) ?? 0;
    if (pending >= this.options.maxPendingPerAddress) return this.refuseTooMany(res, pending);
    this.pendingByAddress.set(address, pending + 1);
    void readIncomingLimited(req, MAX_BODY_BYTES, REJECTION_BODY_BYTES, this.options.bodyTimeoutMs).then((body) => {
      this.release(address);
      if (body) this.received(req, res, body, handOn);
    });
  }

  private received(req: IncomingMessage, res: ServerResponse, body: LimitedBody, handOn: HandOn): void {
    if (!body.ok && body.unread === "timed_out") {
      // The deadline is this server's own verdict on a sender, not work taken on for it: it is
      // given whatever the load (its record is one small write, and at most
      // maxPendingPerAddress per address per deadline). The rest of the body is never read.
      res.setHeader("connection", "close");
    } else if (!this.options.admission.admit(req, res)) {
      return;
    }
    if (!ROUTABLE_METHODS.has(req.method ?? "")) return this.refuseUnrouted(req, res, body);
    const { ingest } = this.options;
    const id = ingest.park(body);
    req.headers[BODY_ID_HEADER] = id;
    // A route that never takes it (an unknown path under /webhooks/) leaves it here.
    res.once("close", () => ingest.take(id));
    handOn(withBodyTaken(req), res);
  }

  /**
   * A webhook request Next.js cannot route, at an endpoint: the receivers refuse and record it,
   * as a route handler would have them do. Elsewhere under /webhooks/ it is refused unrecorded.
   */
  private refuseUnrouted(req: IncomingMessage, res: ServerResponse, body: LimitedBody): void {
    const headersTooLarge = !body.ok && body.unread === "headers_too_large";
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const route = ROUTES.get(url.pathname);
    if (!route) return headersTooLarge ? refuseHeadersTooLarge(res, body.headerBytes) : refuseUnroutableMethod(req, res);
    const request = { route, method: req.method ?? "", url: url.href, headers: wireHeaders(req, headersTooLarge), body };
    this.options.ingest.send(request).then(
      (answer) => write(res, answer),
      (error: unknown) => {
        console.error("[server] request failed:", error);
        write(res, { status: 500, headers: [], body: "" });
      },
    );
  }

  private refuseTooMany(res: ServerResponse, pending: number): void {
    this.tooManyLog.add();
    res.writeHead(429, { "content-type": "application/json", "retry-after": String(this.options.retryAfterSeconds), connection: "close" });
    const detail = `${pending} requests from this address are still sending their bodies; retry later`;
    res.end(JSON.stringify({ error: "too_many_pending_bodies", detail }));
  }

  private release(address: string): void {
    const pending = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (pending === 0) this.pendingByAddress.delete(address);
    else this.pendingByAddress.set(address, pending);
  }
}

/**
 * The request as Next.js is given it once its body is read: the same method, URL, headers and
 * socket, and a stream that has ended. Next.js passes a request's stream to `new Request()`,
 * which refuses one that has been read ("Response body object should not be disturbed or
 * locked"); a route handler that reads this one gets no bytes.
 */
function withBodyTaken(req: IncomingMessage): IncomingMessage {
  const taken = new IncomingMessage(req.socket);
  taken.method = req.method;
  taken.url = req.url;
  taken.headers = req.headers;
  taken.rawHeaders = req.rawHeaders;
  taken.httpVersion = req.httpVersion;
  taken.httpVersionMajor = req.httpVersionMajor;
  taken.httpVersionMinor = req.httpVersionMinor;
  taken.push(null);
  return taken;
}

/** A request's headers as the receivers read them; of headers over the limit, only a short head. */
function wireHeaders(req: IncomingMessage, onlyHead: boolean): [string, string][] {
  const headers: [string, string][] = [[REMOTE_ADDRESS_HEADER, String(req.headers[REMOTE_ADDRESS_HEADER] ?? "")]];
  let kept = 0;
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === REMOTE_ADDRESS_HEADER) continue;
    const text = Array.isArray(value) ? value.join(", ") : (value ?? "");
    if (!onlyHead) {
      headers.push([name, text]);
      continue;
    }
    kept += name.length + Math.min(text.length, KEPT_HEADER_VALUE_CHARS);
    if (kept > KEPT_HEADERS_CHARS) break;
    headers.push([name, text.slice(0, KEPT_HEADER_VALUE_CHARS)]);
  }
  return headers;
}

function write(res: ServerResponse, answer: WebhookAnswer): void {
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.writeHead(answer.status);
  res.end(answer.body === "" ? undefined : answer.body);
}
