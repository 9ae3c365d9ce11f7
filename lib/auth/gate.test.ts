import { describe, expect, it } from "vitest";
import { safeNext } from "@/lib/auth/gate";

describe("safeNext", () => {
  it.each([
    null,
    "",
    "//evil.example",
    "/\\evil.example",
    "/\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nset-cookie: x=1",
    "/messages/a\u0000b",
    "/messages/a\u007fb",
    "/messages/a\u0085b",
    "/\u3000/evil.example",
    "/\u00a0/evil.example",
    "/ /evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "\\\\evil.example",
  ])("sends %j to /", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it.each([
    ["/", "/"],
    ["/rejections", "/rejections"],
    ["/messages/msg-1?tab=raw#top", "/messages/msg-1?tab=raw#top"],
    // Still a path on this console once parsed; the literal "%09" is never decoded by a browser.
    ["/%09/evil.example", "/%09/evil.example"],
    ["/messages/é", "/messages/%C3%A9"],
    ["/a/../b", "/b"],
  ])("keeps %j as %j", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
