import { describe, expect, it } from "vitest";
import type { EventJson } from "@/lib/events/types";
import { EventFeed, type FeedSource } from "@/lib/realtime/feed";

const event = (id: number) => ({ id }) as EventJson;

/** A database with the given committed ids. */
function database(ids: number[]): FeedSource & { reads: number } {
  const source = {
    reads: 0,
    async readAfter(after: number, limit: number) {
      source.reads += 1;
      return ids
        .filter((id) => id > after)
        .slice(0, limit)
        .map(event);
    },
    async newestId() {
      return Math.max(0, ...ids);
    },
  };
  return source;
}

function collect(feed: EventFeed): number[] {
  const out: number[] = [];
  feed.subscribe((events) => out.push(...events.map((e) => e.id)));
  return out;
}

describe("EventFeed", () => {
  it("passes contiguous events straight through, once each", () => {
    const db = database([]);
    const feed = new EventFeed(db, 10);
    const out = collect(feed);
    feed.offer([event(11), event(12)]);
    feed.offer([event(12), event(13)]);
    expect(out).toEqual([11, 12, 13]);
    expect(db.reads).toBe(0);
  });

  it("holds an event that arrives ahead of a missing one, and fills the gap from the database", async () => {
    const db = database([11, 12, 13, 14]);
    const feed = new EventFeed(db, 10);
    const out = collect(feed);
    feed.offer([event(13)]);
    await feed.readMissing();
    expect(out).toEqual([11, 12, 13, 14]);
    feed.offer([event(12), event(14), event(15)]);
    expect(out).toEqual([11, 12, 13, 14, 15]);
  });

  it("takes the database's word for ids that were never committed", async () => {
    const db = database([11, 14]);
    const feed = new EventFeed(db, 10);
    const out = collect(feed);
    feed.offer([event(14)]);
    await feed.readMissing();
    expect(out).toEqual([11, 14]);
    expect(feed.position).toBe(14);
  });

  it("skips ahead without reading when nobody is connected", async () => {
    const db = database(Array.from({ length: 5000 }, (_, i) => i + 1));
    let connected = false;
    const feed = new EventFeed(db, 0, () => connected);
    const out = collect(feed);
    await feed.readMissing();
    expect(out).toEqual([]);
    expect(feed.position).toBe(5000);
    expect(db.reads).toBe(0);
    connected = true;
    feed.offer([event(5001)]);
    expect(out).toEqual([5001]);
  });

  it("finds events nobody told it about by polling", async () => {
    const db = database([11, 12]);
    const feed = new EventFeed(db, 10);
    const out = collect(feed);
    feed.startPolling(10);
    await new Promise((resolve) => setTimeout(resolve, 60));
    feed.stop();
    expect(out).toEqual([11, 12]);
  });
});
