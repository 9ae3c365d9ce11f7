import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Load shedding for webhooks. Beyond a number of webhook requests in progress, a new one is
 * answered 503 with Retry-After at once, before any work: Vonage retries it later. Without
 * this, a burst turns into a queue that grows until senders time out and the work done for
 * them is wasted (docs/performance.md, "Burst"). Shed requests are counted, not recorded one
 * by one: writing a rejection for each would add load exactly when there is too much.
 */
export class WebhookAdmission {
  private inFlight = 0;
  private shedSinceLog = 0;
  shedTotal = 0;

  constructor(
    private readonly limit: number,
    private readonly retryAfterSeconds: number,
  ) {}

  /** True if the request may proceed (and is counted until its response closes). */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.inFlight >= this.limit) {
      this.shedTotal += 1;
      if (this.shedSinceLog++ === 0) setTimeout(() => this.report(), 1000).unref();
      res.writeHead(503, { "content-type": "application/json", "retry-after": String(this.retryAfterSeconds), connection: "close" });
      res.end(JSON.stringify({ error: "overloaded", detail: "too many webhooks in progress; retry later" }));
      req.resume();
      return false;
    }
    this.inFlight += 1;
    res.once("close", () => (this.inFlight -= 1));
    return true;
  }

  private report(): void {
    console.warn(`[server] overloaded: answered ${this.shedSinceLog} webhook(s) 503 in the last second (limit ${this.limit} in progress)`);
    this.shedSinceLog = 0;
  }
}
