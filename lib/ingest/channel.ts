import type { StorageCheck } from "@/lib/db/storage-check";
import type { EventJson, EventKind, RejectionJson } from "@/lib/events/types";
import type { LimitedBody } from "@/lib/http/body";
import type { IngestWorker } from "@/lib/ingest/worker-host";
import { RETRY_LATER } from "@/lib/http/headers";
import { shared } from "@/lib/remember";
import { refusal, type WebhookAnswer, type WebhookRequest } from "@/lib/webhooks/delivery";

/**
 * The channel to the ingest worker (lib/ingest/worker.ts): how route handlers find it, and the
 * messages between it and the HTTP thread (plain data only: they are copied between threads by
 * structured clone).
 */

/** server.ts's worker, which route handlers (bundled separately by Next) find on globalThis. */
export const ingestWorker = () => shared<IngestWorker>("ingest-worker");

/** A received webhook request, its body already read under the cap. */
export interface WireRequest {
  /** The endpoint, named as the kind of event it receives. */
  route: EventKind;
  method: string;
  url: string;
  headers: [string, string][];
  body: LimitedBody;
}

/**
 * A wire request as the receivers read it, in the ingest worker. Not a fetch `Request`: its URL
 * parsing, header validation and AbortSignal were close to a tenth of the worker's CPU per
 * webhook (docs/performance-log.md), for what the HTTP thread had already checked. Header names
 * arrive lower-cased, as a `Headers` lists them.
 */
export function webhookRequestOf(wire: WireRequest): WebhookRequest {
  const headers = new Map(wire.headers);
  return {
    method: wire.method,
    url: wire.url,
    headers: {
      get: (name) => headers.get(name.toLowerCase()) ?? null,
      forEach: (callback) => headers.forEach(callback),
    },
  };
}

/**
 * Requests and answers travel in batches: everything gathered in one turn of the sender's
 * event loop goes in one message, so a burst costs one wake-up per turn, not one per webhook.
 */
export type ToWorker =
  | { type: "requests"; requests: { id: number; request: WireRequest }[] }
  /** /api/health asks whether a webhook could be stored now (lib/db/storage-check.ts). */
  | { type: "check-storage"; id: number }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready" }
  | { type: "responses"; responses: { id: number; response: WebhookAnswer }[] }
  /** Committed events, in id order; always posted before the responses of their batch. */
  | { type: "committed"; events: EventJson[] }
  /** Committed rejection rows, in id order; always posted before the answers they belong to. */
  | { type: "rejected"; rejections: RejectionJson[] }
  | { type: "storage"; id: number; check: StorageCheck }
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

/** The answer when the worker is gone: storage is unavailable for now, and Vonage retries. */
export const WORKER_LOST = refusal(503, "storage_unavailable", "the ingest worker stopped before answering; retry later", [RETRY_LATER]);

/** What a storage check says when there is no worker to ask. */
export const NO_WORKER: StorageCheck = {
  writable: false,
  problem: "the ingest worker is not running",
  freeBytes: null,
  lastWriteError: null,
};
