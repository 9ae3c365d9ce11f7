import { shared } from "@/lib/remember";

/**
 * Counting on SQLite off the HTTP thread. better-sqlite3 is synchronous, and a count reads a
 * whole index: 20 ms from the OS cache, but 1.3 s at 1,000,000 events when it must come from
 * disk, with every webhook's answer waiting (docs/performance-log.md, "Export count on a cold
 * cache"). The count worker (count-worker.mjs) runs it on its own read-only connection instead.
 *
 * server.ts starts one (lib/db/count-worker-host.ts) and publishes it here; route handlers,
 * bundled separately by Next, find it on globalThis and must not import the host, or Next would
 * try to bundle the worker. Without one (code that runs outside server.ts), counts run in-process.
 */

export interface Counter {
  /** The first column of the first row of `sql` (SQLite placeholders), as a number. */
  count(sql: string, values: unknown[]): Promise<number>;
}

const counter = () => shared<Counter>("count-worker");

export function setCounter(value: Counter | undefined): void {
  counter().current = value;
}

export function getCounter(): Counter | undefined {
  return counter().current;
}
