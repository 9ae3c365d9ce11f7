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

export type ToWorker = { type: "request"; id: number; request: WireRequest } | { type: "stop" };

export type FromWorker =
  | { type: "ready" }
  | { type: "response"; id: number; response: WireResponse }
  /** Committed events, in id order; always posted before the responses of their batch. */
  | { type: "committed"; events: EventJson[] }
  | { type: "stopped" };

/** What a route handler needs of the ingest worker. */
export interface IngestChannel {
  send(request: WireRequest): Promise<WireResponse>;
}
