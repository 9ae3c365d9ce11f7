import { EventEmitter } from "node:events";
import type { EventJson } from "@/lib/events/types";

/**
 * The in-thread bus between the write path and the live layer. The writer publishes here
 * after commit; in the ingest worker, lib/ingest/worker.ts forwards that to the HTTP thread,
 * where lib/ingest/worker-host.ts publishes it again and lib/realtime subscribes. Kept on
 * globalThis because Next's bundles and server.ts load their own copies of this module.
 */

type Listener = (events: EventJson[]) => void;

const BUS_KEY = Symbol.for("vonage-console.bus");
type WithBus = typeof globalThis & { [BUS_KEY]?: EventEmitter };

function emitter(): EventEmitter {
  const store = globalThis as WithBus;
  if (!store[BUS_KEY]) {
    store[BUS_KEY] = new EventEmitter();
    store[BUS_KEY].setMaxListeners(0);
  }
  return store[BUS_KEY];
}

/** Publishes committed events, in increasing id order. */
export function publishEvents(events: EventJson[]): void {
  if (events.length > 0) emitter().emit("events", events);
}

/** Subscribes to committed events; returns the unsubscribe function. */
export function subscribeEvents(listener: Listener): () => void {
  emitter().on("events", listener);
  return () => emitter().off("events", listener);
}
