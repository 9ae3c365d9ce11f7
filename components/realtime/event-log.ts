import { rowEventOf, type RowEvent } from "@/components/timeline/row-event";
import type { EventJson, EventKind, Verification } from "@/lib/events/types";

/**
 * The events a timeline holds, newest first, grown at both ends without copying: live arrivals
 * at the top, older pages at the bottom. Readers use `length` and `slice`, like an array's;
 * `slice` builds the rows in view.
 *
 * A timeline can hold hundreds of thousands of events, and the browser's garbage collector
 * visits every object the page holds: its full collections, which grow with that number, were
 * the page's long tasks (docs/performance-log.md). So each event is kept as what its row shows
 * (RowEvent) and in columns, one array per field, with times as numbers: no object per event,
 * and nothing of its payload or headers.
 */
export class EventLog {
  /** Arrived after the snapshot, oldest first (so arrivals are appended). */
  private readonly newer = new RowColumns();
  /** The snapshot, then older pages, newest first. */
  private readonly older = new RowColumns();

  get length(): number {
    return this.newer.length + this.older.length;
  }

  /** Rows from position `start` (0 = newest) up to, not including, `end`. */
  slice(start: number, end: number = this.length): RowEvent[] {
    const out: RowEvent[] = [];
    const n = this.newer.length;
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) out.push(i < n ? this.newer.at(n - 1 - i) : this.older.at(i - n));
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

/**
 * Rows stored field by field. Times are kept as epoch milliseconds (NaN for none), message ids
 * as 16 bytes and phone numbers as numbers: those were most of the strings, and so most of
 * the objects, a long timeline held.
 */
class RowColumns {
  private readonly id: number[] = [];
  private readonly kind: EventKind[] = [];
  private readonly messageUuid = new UuidColumn();
  private readonly status: (string | null)[] = [];
  private readonly channel: (string | null)[] = [];
  private readonly messageType: (string | null)[] = [];
  private readonly from = new DigitsColumn();
  private readonly to = new DigitsColumn();
  private readonly verification: Verification[] = [];
  private readonly duplicates: number[] = [];
  private readonly concat: RowEvent["concat"][] = [];
  private readonly receivedAt: number[] = [];
  private readonly timestamp: number[] = [];
  private readonly error: RowEvent["error"][] = [];
  private readonly price: (string | null)[] = [];
  private readonly currency: (string | null)[] = [];
  private readonly text: (string | null)[] = [];
  private readonly mediaUrl: (string | null)[] = [];

  get length(): number {
    return this.id.length;
  }

  push(row: RowEvent): void {
    this.id.push(row.id);
    this.kind.push(row.kind);
    this.messageUuid.push(row.messageUuid);
    this.status.push(row.status);
    this.channel.push(row.channel);
    this.messageType.push(row.messageType);
    this.from.push(row.from);
    this.to.push(row.to);
    this.verification.push(row.verification);
    this.duplicates.push(row.duplicates);
    this.concat.push(row.concat);
    this.receivedAt.push(Date.parse(row.receivedAt));
    this.timestamp.push(row.timestamp === null ? NaN : Date.parse(row.timestamp));
    this.error.push(row.error);
    this.price.push(row.price);
    this.currency.push(row.currency);
    this.text.push(row.text);
    this.mediaUrl.push(row.mediaUrl);
  }

  at(i: number): RowEvent {
    const timestamp = this.timestamp[i]!;
    return {
      id: this.id[i]!,
      kind: this.kind[i]!,
      messageUuid: this.messageUuid.at(i),
      status: this.status[i] ?? null,
      channel: this.channel[i] ?? null,
      messageType: this.messageType[i] ?? null,
      from: this.from.at(i),
      to: this.to.at(i),
      verification: this.verification[i]!,
      duplicates: this.duplicates[i]!,
      concat: this.concat[i] ?? null,
      receivedAt: new Date(this.receivedAt[i]!).toISOString(),
      timestamp: Number.isNaN(timestamp) ? null : new Date(timestamp).toISOString(),
      error: this.error[i] ?? null,
      price: this.price[i] ?? null,
      currency: this.currency[i] ?? null,
      text: this.text[i] ?? null,
      mediaUrl: this.mediaUrl[i] ?? null,
    };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lower-case UUIDs as four 32-bit words each; any other value (or null) kept as it is. */
class UuidColumn {
  private words = new Uint32Array(4 * 1024);
  private count = 0;
  private readonly others = new Map<number, string | null>();

  push(value: string | null): void {
    if (4 * (this.count + 1) > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    if (value !== null && UUID.test(value)) {
      const hex = value.replace(/-/g, "");
      for (let k = 0; k < 4; k++) this.words[4 * this.count + k] = Number.parseInt(hex.slice(8 * k, 8 * k + 8), 16);
    } else {
      this.others.set(this.count, value);
    }
    this.count += 1;
  }

  at(i: number): string | null {
    if (this.others.has(i)) return this.others.get(i) ?? null;
    let hex = "";
    for (let k = 0; k < 4; k++) hex += this.words[4 * i + k]!.toString(16).padStart(8, "0");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** Up to 15 digits without a leading zero: exactly representable, and printed back the same. */
const DIGITS = /^[1-9][0-9]{0,14}$/;

/** Phone numbers as numbers; anything else (a sender name, null) kept as it is. */
class DigitsColumn {
  private readonly numbers: number[] = [];
  private readonly others = new Map<number, string>();

  push(value: string | null): void {
    if (value !== null && DIGITS.test(value)) {
      this.numbers.push(Number(value));
    } else {
      if (value !== null) this.others.set(this.numbers.length, value);
      this.numbers.push(Number.NaN);
    }
  }

  at(i: number): string | null {
    const n = this.numbers[i]!;
    return Number.isNaN(n) ? (this.others.get(i) ?? null) : String(n);
  }
}
