import type { EventJson } from "@/lib/events/types";
import type { LimitedBody } from "@/lib/http/body";

/**
 * Messages between the HTTP thread and the ingest worker (lib/ingest/worker.ts). Plain data
 * only: they are copied between threads by structured clone.
 */

/** The webhook endpoints, named as their event kinds. */
export type WebhookRoute = "status" | "inbound" | "sms-inbound" | "sms-dlr";

/** A received webhook request, its body already read under the cap. */
export interface WireRequest {
  route: WebhookRoute;
  method: string;
  url: string;
  headers: [string, string][];
  body: LimitedBody;
}

/** The answer to give; an empty body is sent as none. */
export interface WireResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

/**
 * Requests and answers travel in batches: everything gathered in one turn of the sender's
 * event loop goes in one message, so a burst costs one wake-up per turn, not one per webhook.
 */
export type ToWorker = { type: "requests"; requests: { id: number; request: WireRequest }[] } | { type: "stop" };

export type FromWorker =
  | { type: "ready" }
  | { type: "responses"; responses: { id: number; response: WireResponse }[] }
  /** Committed events, in id order; always posted before the responses of their batch. */
  | { type: "committed"; events: EventJson[] }
  | { type: "stopped" };

/** Collects items and hands them over together once per turn of the event loop. */
export class Outbox<T> {
  private items: T[] = [];

  constructor(private readonly flush: (items: T[]) => void) {}

  push(item: T): void {
    if (this.items.length === 0) setImmediate(() => this.drain());
    this.items.push(item);
  }

  drain(): void {
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.flush(items);
  }
}

/** What a route handler needs of the ingest worker. */
export interface IngestChannel {
  send(request: WireRequest): Promise<WireResponse>;
}
