import { describe, expect, it } from "vitest";
import { finalStatus, formatDuration, messageCost, stepDelays } from "@/lib/events/lifecycle";
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
