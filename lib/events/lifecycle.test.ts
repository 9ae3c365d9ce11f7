import { describe, expect, it } from "vitest";
import { finalStatus, formatDuration, messageCost, receiptLag, stepDelays, totalTime } from "@/lib/events/lifecycle";
import type { EventJson } from "@/lib/events/types";

const event = (id: number, status: string | null, timestamp: string | null, price: string | null = null): EventJson =>
  ({ id, status, timestamp, price, currency: price ? "EUR" : null }) as EventJson;

describe("finalStatus", () => {
  it("takes the furthest success, whatever the arrival order", () => {
    expect(finalStatus([event(1, "read", null), event(2, "submitted", null), event(3, "delivered", null)])).toEqual({
      status: "read",
      conflict: false,
    });
  });

  it("reports a failure when nothing succeeded, and flags success plus failure", () => {
    expect(finalStatus([event(1, "submitted", null), event(2, "rejected", null)])).toEqual({ status: "rejected", conflict: false });
    expect(finalStatus([event(1, "delivered", null), event(2, "rejected", null)])).toEqual({ status: "delivered", conflict: true });
  });

  it("has no status for inbound-only events", () => {
    expect(finalStatus([event(1, null, null)])).toEqual({ status: null, conflict: false });
  });
});

describe("messageCost", () => {
  it("takes the latest reported price: Vonage charges a message once", () => {
    expect(messageCost([event(1, "submitted", null, "0.0333"), event(2, "delivered", null, "0.0333")])).toEqual({
      currency: "EUR",
      amount: "0.0333",
    });
    expect(messageCost([event(1, "submitted", null)])).toBeNull();
  });
});

describe("stepDelays and formatDuration", () => {
  it("measures the time between steps in provider time", () => {
    const steps = [
      event(1, "submitted", "2026-01-01T00:00:00Z"),
      event(2, "delivered", "2026-01-01T00:00:02.1Z"),
      event(3, "read", "2026-01-01T00:03:02.1Z"),
    ];
    expect(stepDelays(steps).map((d) => (d === null ? null : formatDuration(d)))).toEqual([null, "2.1 s", "3 min"]);
  });

  it.each([
    [450, "450 ms"],
    [2100, "2.1 s"],
    [45_000, "45 s"],
    [150_000, "2 min 30 s"],
    [3_900_000, "1 h 5 min"],
    [183_600_000, "2 d 3 h"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("totalTime", () => {
  const submitted = event(1, "submitted", "2026-01-01T00:00:00Z");
  it("measures from submitted to the first report of the final status, in provider time", () => {
    const steps = [submitted, event(2, "delivered", "2026-01-01T00:00:04Z"), event(3, "read", "2026-01-01T00:01:00Z")];
    expect(totalTime(steps, "read")).toEqual({ status: "read", ms: 60_000 });
    expect(totalTime([submitted, event(2, "rejected", "2026-01-01T00:00:01.5Z")], "rejected")).toEqual({ status: "rejected", ms: 1500 });
  });

  it("has none without a final status or a submitted status to start from", () => {
    expect(totalTime([submitted], "submitted")).toBeNull();
    expect(totalTime([event(2, "delivered", "2026-01-01T00:00:04Z")], "delivered")).toBeNull();
    expect(totalTime([submitted, event(2, "delivered", null)], "delivered")).toBeNull();
  });
});

describe("receiptLag", () => {
  it("is the time from Vonage's timestamp to our receipt", () => {
    expect(receiptLag({ ...event(1, "delivered", "2026-01-01T00:00:00Z"), receivedAt: "2026-01-01T00:00:01.200Z" })).toBe(1200);
    expect(receiptLag({ ...event(1, "delivered", null), receivedAt: "2026-01-01T00:00:01.200Z" })).toBeNull();
  });
});
