import { EventEmitter } from "node:events";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import { remember } from "@/lib/remember";

/**
 * The HTTP thread's bus between ingestion and the live layer: lib/ingest/worker-host.ts publishes
 * the events and rejections the ingest worker committed, lib/realtime subscribes. Kept on
 * globalThis because Next's bundles and server.ts load their own copies of this module.
 */

function emitter(): EventEmitter {
  return remember("bus", () => new EventEmitter().setMaxListeners(0));
}

/** Publishes committed events, in increasing id order. */
export function publishEvents(events: EventJson[]): void {
  if (events.length > 0) emitter().emit("events", events);
}

/** Subscribes to committed events; returns the unsubscribe function. */
export function subscribeEvents(listener: (events: EventJson[]) => void): () => void {
  emitter().on("events", listener);
  return () => emitter().off("events", listener);
}

/** Publishes committed rejection rows, in increasing id order. */
export function publishRejections(rejections: RejectionJson[]): void {
  if (rejections.length > 0) emitter().emit("rejections", rejections);
}

/** Subscribes to committed rejection rows; returns the unsubscribe function. */
export function subscribeRejections(listener: (rejections: RejectionJson[]) => void): () => void {
  emitter().on("rejections", listener);
  return () => emitter().off("rejections", listener);
}
