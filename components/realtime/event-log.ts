import { rowEventOf, type RowEvent } from "@/components/timeline/row-event";
import type { EventJson } from "@/lib/events/types";

/**
 * The events a timeline holds, newest first, grown at both ends without copying: live arrivals
 * at the top, older pages at the bottom. Readers use `length` and `slice`, like an array's.
 * Each event is kept as what its row shows (RowEvent), nothing of its payload or headers: a
 * timeline can hold hundreds of thousands of them (docs/decisions/036-event-log-rows.md).
 */
export class EventLog {
  /** Arrived after the snapshot, oldest first (so arrivals are appended). */
  private readonly newer: RowEvent[] = [];
  /** The snapshot, then older pages, newest first. */
  private readonly older: RowEvent[] = [];

  get length(): number {
    return this.newer.length + this.older.length;
  }

  /** Rows from position `start` (0 = newest) up to, not including, `end`. */
  slice(start: number, end: number = this.length): RowEvent[] {
    const out: RowEvent[] = [];
    const n = this.newer.length;
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) out.push(i < n ? this.newer[n - 1 - i]! : this.older[i - n]!);
    return out;
  }

  /** Adds events newer than every event held, given newest first. */
  addNewer(events: EventJson[]): void {
    for (let i = events.length - 1; i >= 0; i--) this.newer.push(rowEventOf(events[i]!));
  }

  /** Adds events older than every event held, given newest first. */
  addOlder(events: EventJson[]): void {
    for (const event of events) this.older.push(rowEventOf(event));
  }
}
