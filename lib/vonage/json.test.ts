import { describe, expect, it } from "vitest";
import { jsonDepth, stripBom } from "@/lib/vonage/json";

describe("jsonDepth", () => {
  it.each([
    ["{}", 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"text":"[[[{{{ not brackets \\" [[["}', 1],
    ["42", 0],
  ])("%s nests %i deep", (text, depth) => {
    expect(jsonDepth(text, Infinity)).toBe(depth);
  });

  it("stops just above the limit on a deep body, without recursion", () => {
    expect(jsonDepth("[".repeat(1_000_000), 64)).toBe(65);
  });
});

describe("stripBom", () => {
  it("drops one leading byte-order mark only", () => {
    expect(stripBom("\uFEFF{}")).toBe("{}");
    expect(stripBom('{"a":"\uFEFF"}')).toBe('{"a":"\uFEFF"}');
  });
});
