import { describe, expect, it } from "vitest";
import { webhookRequestOf, type WireRequest } from "@/lib/ingest/channel";
import { selectHeaders } from "@/lib/webhooks/delivery";

const wire = (headers: [string, string][]): WireRequest => ({
  route: "status",
  method: "POST",
  url: "http://console.test/webhooks/message-status",
  headers,
  body: { ok: true, bytes: new Uint8Array() },
});

describe("webhookRequestOf", () => {
  it("reads headers as a fetch Request would: any case, null when absent", () => {
    const request = webhookRequestOf(
      wire([
        ["authorization", "Bearer a.b.c"],
        ["content-type", "application/json"],
      ]),
    );
    expect(request.method).toBe("POST");
    expect(request.url).toBe("http://console.test/webhooks/message-status");
    expect(request.headers.get("Authorization")).toBe("Bearer a.b.c");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("x-missing")).toBeNull();
  });

  it("stores the same headers as the Request the HTTP thread received", () => {
    const received = new Request("http://console.test/webhooks/message-status", {
      method: "POST",
      headers: { Authorization: "Bearer a.b.c", "User-Agent": "Vonage", Cookie: "session=x", "X-Request-Id": "r1" },
    });
    const request = webhookRequestOf(wire([...received.headers]));
    expect(selectHeaders(request.headers)).toEqual(selectHeaders(received.headers));
    expect(selectHeaders(request.headers, ["authorization", "user-agent"])).toEqual({
      authorization: "Bearer [redacted]",
      "user-agent": "Vonage",
    });
  });
});
