import { describe, expect, it } from "vitest";
import { bearerToken } from "@/lib/http/headers";

describe("bearerToken", () => {
  it("reads the token of a Bearer header, the scheme in any case", () => {
    expect(bearerToken("Bearer a.b.c")).toBe("a.b.c");
    expect(bearerToken("bearer   a.b.c")).toBe("a.b.c");
  });

  it("reads nothing from another scheme, a missing token or more than one word", () => {
    for (const header of [null, undefined, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a.b.c extra", "Bearera.b.c"]) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });
});
