import { describe, expect, it } from "vitest";
import { EventLog } from "@/components/realtime/event-log";
import { rowEventOf } from "@/components/timeline/row-event";
import type { EventJson } from "@/lib/events/types";

function ev(id: number, overrides: Partial<EventJson> = {}): EventJson {
  return {
    id,
    kind: "status",
    messageUuid: `aaaaaaaa-bbbb-4ccc-8ddd-${String(id).padStart(12, "0")}`,
    status: "delivered",
    channel: "sms",
    messageType: null,
    from: "447700900000",
    to: "447700900001",
    clientRef: "ref",
    error: null,
    price: "0.0333",
    currency: "EUR",
    timestamp: "2026-11-27T22:08:00.120Z",
    receivedAt: `2026-11-27T22:08:0${id % 10}.456Z`,
    verification: "verified",
    hashForm: "raw",
    apiKey: "abcd1234",
    applicationId: "app",
    text: null,
    networkCode: "23410",
    concat: null,
    wireForm: null,
    duplicates: 0,
    lastDuplicateAt: null,
    payload: { big: "x".repeat(100) },
    headers: { "user-agent": "Vonage" },
    ...overrides,
  };
}
const ids = (rows: { id: number }[]) => rows.map((e) => e.id);

describe("EventLog", () => {
  it("reads newest first across live arrivals and older pages", () => {
    const log = new EventLog();
    log.addOlder([ev(10), ev(9), ev(8)]); // the snapshot
    log.addNewer([ev(12), ev(11)]); // a live batch, newest first
    log.addNewer([ev(13)]);
    log.addOlder([ev(7), ev(6)]); // a page scrolled in
    expect(log.length).toBe(8);
    expect(ids(log.slice(0))).toEqual([13, 12, 11, 10, 9, 8, 7, 6]);
    expect(ids(log.slice(2, 5))).toEqual([11, 10, 9]);
    expect(ids(log.slice(6, 100))).toEqual([7, 6]);
  });

  it("gives back each event's row as the message view derives it, whichever end it was added at", () => {
    const events = [
      ev(5, {
        kind: "inbound",
        status: null,
        messageType: "image",
        text: null,
        payload: { image: { url: "https://example.com/cat.jpg" } },
        price: null,
        currency: null,
      }),
      ev(4, { kind: "sms-inbound", status: null, text: "hello", concat: { ref: "0A", part: 1, total: 2 }, timestamp: null }),
      ev(3, { status: "rejected", error: { code: "1300", title: "Not part of the provider network", detail: null }, duplicates: 2 }),
      ev(2, { kind: "sms-dlr", channel: "sms", verification: "unverified", messageUuid: null, from: "Vonage", to: null }),
      ev(6, { messageUuid: "0000000A-not-a-uuid", from: "0044770090000", to: "1234567890123456" }),
      ev(7, { messageUuid: "ffffffff-ffff-4fff-bfff-ffffffffffff", from: "999999999999999", to: "1" }),
      ev(1, { kind: "inbound", status: null, messageType: "custom", text: null, payload: { custom: { a: 1 } } }),
    ];
    const live = new EventLog();
    live.addNewer(events);
    const paged = new EventLog();
    paged.addOlder(events);
    expect(live.slice(0)).toEqual(events.map(rowEventOf));
    expect(paged.slice(0)).toEqual(events.map(rowEventOf));
  });

  it("holds thousands of rows, each read back as it came", () => {
    const events = Array.from({ length: 5_000 }, (_, i) => ev(5_000 - i, { from: String(447700900000 + i) }));
    const log = new EventLog();
    log.addOlder(events.slice(0, 2_500));
    log.addNewer([]);
    log.addOlder(events.slice(2_500));
    expect(log.slice(0)).toEqual(events.map(rowEventOf));
  });
});

describe("rowEventOf", () => {
  it("keeps what a row shows: an inbound message's text or content and its media link, and nothing of the payload or headers", () => {
    const image = rowEventOf(
      ev(1, { kind: "inbound", messageType: "image", text: null, payload: { image: { url: "https://example.com/cat.jpg" } } }),
    );
    expect(image.mediaUrl).toBe("https://example.com/cat.jpg");
    expect(image.text).toBe('{"image":{"url":"https://example.com/cat.jpg"}}');
    expect(rowEventOf(ev(2, { kind: "sms-inbound", text: "hi" })).text).toBe("hi");
    const status = rowEventOf(ev(3, { text: "ignored" }));
    expect(status.text).toBeNull();
    expect(status.mediaUrl).toBeNull();
    expect(Object.keys(status)).not.toEqual(expect.arrayContaining(["payload"]));
    expect(Object.keys(status)).not.toEqual(expect.arrayContaining(["headers"]));
  });
});
