import type { EventJson } from "@/lib/events/types";

/**
 * The events a view holds, newest first, grown at both ends without copying: live arrivals at
 * the top, older pages at the bottom. A list of 100,000 events copied on every live batch
 * (`[...fresh, ...current]`) allocated a new large array many times a second, and the garbage
 * collector's pauses for those were the page's remaining long tasks (docs/performance.md).
 * Readers use `length` and `slice`, like an array's.
 */
export class EventLog {
  /** Arrived after the snapshot, oldest first (so arrivals are appended). */
  private readonly newer: EventJson[] = [];
  /** The snapshot, then older pages, newest first. */
  private readonly older: EventJson[] = [];

  get length(): number {
    return this.newer.length + this.older.length;
  }

  /** Events from position `start` (0 = newest) up to, not including, `end`. */
  slice(start: number, end: number = this.length): EventJson[] {
    const out: EventJson[] = [];
    const n = this.newer.length;
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) out.push(i < n ? this.newer[n - 1 - i]! : this.older[i - n]!);
    return out;
  }

  /** Adds events newer than every event held, given newest first. */
  addNewer(events: EventJson[]): void {
    for (let i = events.length - 1; i >= 0; i--) this.newer.push(forList(events[i]!));
  }

  /** Adds events older than every event held, given newest first. */
  addOlder(events: EventJson[]): void {
    for (const event of events) this.older.push(forList(event));
  }
}

/**
 * What a list row needs of an event. A row shows neither headers nor the fields blanked here,
 * and a status row no payload (the message view loads the full event); those are most of an
 * event's objects in memory. Without them a list of 100,000 holds about half as much, and the
 * garbage collector's full pauses, which grow with the number of live objects, shrink with it.
 * Inbound rows keep their payload: its media link is what they show.
 */
function forList(event: EventJson): EventJson {
  const lean = { ...event, headers: {}, clientRef: null, apiKey: null, applicationId: null, hashForm: null, networkCode: null, wireForm: null };
  return event.kind === "status" || event.kind === "sms-dlr" ? { ...lean, payload: {} } : lean;
}
