import { describe, expect, it } from "vitest";
import { EventLog } from "@/components/realtime/event-log";
import type { EventJson } from "@/lib/events/types";

const ev = (id: number, kind: EventJson["kind"] = "status") =>
  ({ id, kind, payload: { big: "x".repeat(100) }, headers: { "user-agent": "Vonage" }, clientRef: "ref" }) as unknown as EventJson;
const ids = (list: EventJson[]) => list.map((e) => e.id);

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

  it("keeps an inbound event's payload, and drops what no row shows", () => {
    const log = new EventLog();
    log.addNewer([ev(2, "inbound"), ev(1, "status")]);
    const [inbound, status] = log.slice(0);
    expect(inbound!.payload).toEqual({ big: "x".repeat(100) });
    expect(status!.payload).toEqual({});
    expect(status!.headers).toEqual({});
    expect(status!.clientRef).toBeNull();
  });
});
