import { describe, expect, it } from "vitest";
import { remember, shared } from "@/lib/remember";

describe("remember", () => {
  it("makes the value once and keeps it where another copy of the module finds it", () => {
    let made = 0;
    const first = remember("remember-test", () => ({ made: ++made }));
    expect(remember("remember-test", () => ({ made: ++made }))).toBe(first);
    expect(made).toBe(1);
    // What a second copy of lib/remember.ts (Next's bundle, server.ts) reads.
    expect((globalThis as unknown as Record<symbol, unknown>)[Symbol.for("vonage-console.remember-test")]).toBe(first);
  });

  it("shares a box that is empty until one side sets it", () => {
    expect(shared<number>("shared-test").current).toBeUndefined();
    shared<number>("shared-test").current = 7;
    expect(shared<number>("shared-test").current).toBe(7);
  });
});
