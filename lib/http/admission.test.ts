import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { setWebhookAdmission, WebhookAdmission, webhooksInProgress } from "@/lib/http/admission";

/** A response that records what was written, and can be "closed" like a finished request. */
function exchange() {
  const written: { status?: number; headers?: Record<string, string>; body?: string } = {};
  let onClose: (() => void) | undefined;
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      written.status = status;
      written.headers = headers;
    },
    end(body: string) {
      written.body = body;
    },
    once(_event: "close", listener: () => void) {
      onClose = listener;
    },
  } as unknown as ServerResponse;
  const req = { resume() {} } as unknown as IncomingMessage;
  return { req, res, written, close: () => onClose?.() };
}

function blockFor(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

let admission: WebhookAdmission | undefined;
afterEach(() => admission?.close());

describe("webhook admission", () => {
  it("sheds beyond the number in progress, and admits again when one finishes", () => {
    admission = new WebhookAdmission(2, 5, 10_000);
    const [a, b, c] = [exchange(), exchange(), exchange()];
    expect(admission.admit(a.req, a.res)).toBe(true);
    expect(admission.admit(b.req, b.res)).toBe(true);
    expect(admission.admit(c.req, c.res)).toBe(false);
    expect(c.written.status).toBe(503);
    expect(c.written.headers).toMatchObject({ "retry-after": "5" });
    expect(JSON.parse(c.written.body!)).toMatchObject({ error: "overloaded" });
    a.close();
    const d = exchange();
    expect(admission.admit(d.req, d.res)).toBe(true);
  });

  it("tells other work how many webhooks are in progress (what exports give way to)", () => {
    admission = new WebhookAdmission(1, 5, 10_000);
    expect(webhooksInProgress()).toBe(0); // no admission published: nothing to give way to
    setWebhookAdmission(admission);
    try {
      const [a, b] = [exchange(), exchange()];
      admission.admit(a.req, a.res);
      admission.admit(b.req, b.res); // shed: not in progress
      expect(webhooksInProgress()).toBe(1);
      a.close();
      expect(webhooksInProgress()).toBe(0);
    } finally {
      setWebhookAdmission(undefined);
    }
  });

  it("sheds while the event loop keeps running later than the limit, and admits once it catches up", async () => {
    admission = new WebhookAdmission(1000, 5, 100, 10);
    await sleep(30);
    const before = exchange();
    expect(admission.admit(before.req, before.res)).toBe(true);

    // One slow turn (say, a module loaded on first use), then normal ones: not overload.
    blockFor(300);
    await sleep(40);
    const once = exchange();
    expect(admission.admit(once.req, once.res)).toBe(true);

    // Every turn slow: each tick of the probe timer (due every 10 ms) runs ~150 ms late.
    for (let turn = 0; turn < 6; turn++) {
      blockFor(150);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const during = exchange();
    expect(admission.admit(during.req, during.res)).toBe(false);
    expect(during.written.status).toBe(503);
    expect(JSON.parse(during.written.body!).detail).toMatch(/ms behind/);

    await sleep(60);
    const after = exchange();
    expect(admission.admit(after.req, after.res)).toBe(true);
    expect(admission.shedTotal).toBe(1);
  });
});
