import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { CountedWarning } from "@/lib/http/counted-warning";
import { shared } from "@/lib/remember";

/**
 * Load shedding for webhooks. A new webhook is answered 503 with Retry-After at once, before
 * any work, when
 * - `limit` webhook requests are already in progress, or
 * - the event loop is running late by more than `maxDelayMs`, twice in a row: requests are
 *   waiting that long before this thread gets to them, so taking on more only makes every
 *   sender wait longer. (Twice: one slow turn, say a module loaded on first use, is not overload.)
 * Vonage retries a 503 later. Without this, a burst turns into a queue that grows until
 * senders time out and the work done for them is wasted (docs/performance-log.md, "Burst"). Shed
 * requests are counted and logged, not recorded one by one: writing a rejection for each would
 * add load exactly when there is too much.
 */
export class WebhookAdmission {
  /** Webhook requests admitted and not yet answered. */
  get inProgress(): number {
    return this.inFlight;
  }

  private inFlight = 0;
  private readonly shedLog: CountedWarning;
  shedTotal = 0;
  /** How late the last tick of the probe timer ran, in ms, and how many ticks in a row were too late. */
  private delay = 0;
  private lateTicks = 0;
  private readonly probe: NodeJS.Timeout;

  constructor(
    private readonly limit: number,
    private readonly retryAfterSeconds: number,
    maxDelayMs: number,
    probeEveryMs = 20,
  ) {
    this.shedLog = new CountedWarning(
      (count) =>
        `[server] overloaded: answered ${count} webhook(s) 503 in the last second (limit ${limit} in progress, ${maxDelayMs} ms behind)`,
    );
    let expected = performance.now() + probeEveryMs;
    this.probe = setInterval(() => {
      const now = performance.now();
      this.delay = Math.max(0, now - expected);
      this.lateTicks = this.delay > maxDelayMs ? this.lateTicks + 1 : 0;
      expected = now + probeEveryMs;
    }, probeEveryMs).unref();
  }

  /** True if the request may proceed (and is counted until its response closes). */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const late = this.lateTicks >= 2;
    if (this.inFlight >= this.limit || late) {
      this.shedTotal += 1;
      this.shedLog.add();
      const detail = late ? `the server is running ${Math.round(this.delay)} ms behind` : "too many webhooks in progress";
      res.writeHead(503, { "content-type": "application/json", "retry-after": String(this.retryAfterSeconds) });
      res.end(JSON.stringify({ error: "overloaded", detail: `${detail}; retry later` }));
      req.resume();
      return false;
    }
    this.inFlight += 1;
    res.once("close", () => (this.inFlight -= 1));
    return true;
  }

  close(): void {
    clearInterval(this.probe);
  }
}

const admission = () => shared<WebhookAdmission>("admission");

/** Called by server.ts; route handlers, bundled separately by Next, read it through webhooksInProgress. */
export function setWebhookAdmission(value: WebhookAdmission | undefined): void {
  admission().current = value;
}

/** Webhooks this server is working on now (0 without server.ts, as in the bare benchmark host). */
export function webhooksInProgress(): number {
  return admission().current?.inProgress ?? 0;
}
