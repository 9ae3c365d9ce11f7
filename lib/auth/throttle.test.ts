import { afterEach, describe, expect, it, vi } from "vitest";
import { createLoginThrottle, delayAfterFailures, type LoginThrottle } from "@/lib/auth/throttle";

const fail = (throttle: LoginThrottle, address: string) => throttle.attempt(address, () => false);

describe("LoginThrottle", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("doubles the wait with each failure, up to a cap", () => {
    expect([1, 2, 3, 4, 5, 10, 50].map(delayAfterFailures)).toEqual([0, 500, 1000, 2000, 4000, 30_000, 30_000]);
  });

  it("keeps addresses apart, forgets on success and after 15 quiet minutes", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const throttle = createLoginThrottle();
    await fail(throttle, "a");
    await fail(throttle, "a");
    expect(await throttle.waitMs("a")).toBe(500);
    expect(await throttle.waitMs("b")).toBe(0);
    vi.advanceTimersByTime(400);
    expect(await throttle.waitMs("a")).toBe(100);
    expect(await throttle.attempt("a", () => true)).toEqual({ outcome: "wait", waitMs: 100 });
    vi.advanceTimersByTime(100);
    expect(await throttle.attempt("a", () => true)).toEqual({ outcome: "accepted" });
    expect(await throttle.waitMs("a")).toBe(0);
    expect(await fail(throttle, "a")).toEqual({ outcome: "refused", failures: 1 });

    // Each failure restarts the 15 minutes.
    await fail(throttle, "c");
    vi.advanceTimersByTime(10 * 60_000);
    await fail(throttle, "c");
    vi.advanceTimersByTime(10 * 60_000);
    expect(await fail(throttle, "c")).toEqual({ outcome: "refused", failures: 3 });
    vi.advanceTimersByTime(15 * 60_000 + 1);
    expect(await throttle.waitMs("c")).toBe(0);
    expect(await fail(throttle, "c")).toEqual({ outcome: "refused", failures: 1 });
  });

  it("checks parallel attempts from one address one after another", async () => {
    const throttle = createLoginThrottle();
    let checked = 0;
    const results = await Promise.all(Array.from({ length: 10 }, () => throttle.attempt("p", () => (checked++, false))));
    expect(checked).toBe(2);
    expect(results.map((r) => r.outcome)).toEqual(["refused", "refused", ...Array<string>(8).fill("wait")]);
  });

  it("counts in memory while Redis cannot be reached, so logins still work", async () => {
    // Nothing listens on port 1.
    const throttle = createLoginThrottle("redis://127.0.0.1:1");
    try {
      expect(await fail(throttle, "r")).toEqual({ outcome: "refused", failures: 1 });
      expect(await fail(throttle, "r")).toEqual({ outcome: "refused", failures: 2 });
      expect(await throttle.attempt("r", () => true)).toMatchObject({ outcome: "wait" });
      expect(await throttle.attempt("s", () => true)).toEqual({ outcome: "accepted" });
    } finally {
      await throttle.close();
    }
  });
});
