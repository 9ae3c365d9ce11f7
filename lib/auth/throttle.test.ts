import { describe, expect, it } from "vitest";
import { delayAfterFailures, LoginThrottle } from "@/lib/auth/throttle";

describe("LoginThrottle", () => {
  it("doubles the wait with each failure, up to a cap", () => {
    expect([1, 2, 3, 4, 5, 10, 50].map(delayAfterFailures)).toEqual([0, 500, 1000, 2000, 4000, 30_000, 30_000]);
  });

  it("keeps addresses apart, forgets on success and after 15 quiet minutes", () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(() => now);
    throttle.fail("a");
    throttle.fail("a");
    expect(throttle.waitMs("a")).toBe(500);
    expect(throttle.waitMs("b")).toBe(0);
    now += 400;
    expect(throttle.waitMs("a")).toBe(100);
    throttle.succeed("a");
    expect(throttle.waitMs("a")).toBe(0);
    throttle.fail("c");
    throttle.fail("c");
    throttle.fail("c");
    now += 15 * 60_000 + 1;
    expect(throttle.waitMs("c")).toBe(0);
    expect(throttle.fail("c")).toBe(1);
  });
});
