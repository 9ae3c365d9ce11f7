import type { EventJson } from "@/lib/events/types";

/**
 * This instance's ordered stream of committed events, whoever stored them. Events arrive
 * from this instance's ingest worker (lib/ingest/worker-host.ts) and from other instances (the Socket.IO adapter),
 * in any order, maybe twice, maybe not at all (Redis down). Ids are handed out in commit
 * order without gaps between writers (lib/events/store.ts), so an id that is missing while
 * a higher one has arrived means an event we were not told about: the feed reads it from
 * the database, which is the authority. It also polls the database's newest id, so nothing
 * waits for the next event to be noticed. Out comes every event once, in increasing id order.
 */

export interface FeedSource {
  /** Committed events with id > after, oldest first, at most `limit`. */
  readAfter(after: number, limit: number): Promise<EventJson[]>;
  /** The newest committed id. */
  newestId(): Promise<number>;
}

const PAGE = 500;

export class EventFeed {
  private lastId: number;
  private ahead = new Map<number, EventJson>();
  private reading = false;
  private readAgain = false;
  private listeners = new Set<(events: EventJson[]) => void>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param audience whether anyone is connected: with nobody to deliver to, the feed skips
   * ahead instead of reading (new sockets catch up from the database themselves), so a bulk
   * import or a long quiet night costs nothing.
   */
  constructor(
    private readonly source: FeedSource,
    startAfter: number,
    private readonly audience: () => boolean = () => true,
  ) {
    this.lastId = startAfter;
  }

  /** The highest id emitted so far: every committed event up to it has been emitted. */
  get position(): number {
    return this.lastId;
  }

  subscribe(listener: (events: EventJson[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events heard of live (committed here or elsewhere). */
  offer(events: EventJson[]): void {
    for (const event of events) if (event.id > this.lastId) this.ahead.set(event.id, event);
    const ready: EventJson[] = [];
    for (let next = this.ahead.get(this.lastId + 1); next; next = this.ahead.get(this.lastId + 1)) {
      this.ahead.delete(next.id);
      this.lastId = next.id;
      ready.push(next);
    }
    this.emit(ready);
    if (this.ahead.size > 0) void this.readMissing();
  }

  /** Checks the database for anything newer than what was emitted, every `intervalMs`. */
  startPolling(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.source
        .newestId()
        .then((newest) => (newest > this.lastId ? this.readMissing() : undefined))
        .catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
  }

  /** Reads everything after the last emitted id from the database, in order. */
  async readMissing(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      if (!this.audience()) {
        this.lastId = Math.max(this.lastId, await this.source.newestId());
        this.ahead.clear();
        return;
      }
      do {
        this.readAgain = false;
        for (;;) {
          const page = await this.source.readAfter(this.lastId, PAGE);
          const fresh = page.filter((event) => event.id > this.lastId);
          if (fresh.length === 0) break;
          // What the database returns is final: ids below a committed id are all committed.
          this.lastId = fresh[fresh.length - 1]!.id;
          for (const id of this.ahead.keys()) if (id <= this.lastId) this.ahead.delete(id);
          this.emit(fresh);
          if (page.length < PAGE) break;
        }
      } while (this.readAgain);
    } catch (error) {
      console.error("[realtime] could not read missed events; retrying on the next poll:", (error as Error).message);
    } finally {
      this.reading = false;
    }
    // Live events that arrived during the read may now be next in line.
    if (this.ahead.has(this.lastId + 1)) this.offer([]);
  }

  private emit(events: EventJson[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }
}
