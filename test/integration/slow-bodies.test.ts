import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RejectionJson } from "@/lib/events/types";
import { ackOf, getJson, postWebhook, statusBody, WEBHOOK_PATHS } from "@/test/support/http";
import { startServer, type RunningServer } from "@/test/support/server";
import { SMS_PATHS } from "@/test/support/sms";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * A webhook holds an admission slot only once its body has arrived: senders that trickle a
 * body hold none, are cut off by the body deadline, and only a few at a time per address.
 */

/** A request whose body (1,000 bytes declared) trickles in a byte every 500 ms until the server answers or closes. */
interface SlowBody {
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
  /** The response's status line and headers, as soon as they arrive. */
  head: Promise<string>;
  socket: net.Socket;
}

const open: net.Socket[] = [];

function slowBody(port: number, path: string = WEBHOOK_PATHS.status): SlowBody {
  const socket = net.connect(port, "127.0.0.1");
  open.push(socket);
  socket.setEncoding("utf8");
  socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
  const trickle = setInterval(() => socket.writable && socket.write(" "), 500);
  let data = "";
  let onHead: (head: string) => void;
  const head = new Promise<string>((resolve) => (onHead = resolve));
  socket.on("data", (chunk: string) => {
    data += chunk;
    const end = data.indexOf("\r\n\r\n");
    if (end >= 0) onHead(data.slice(0, end + 2));
  });
  // A reset after the answer (the server closed with our trickled bytes unread) is a close too.
  socket.on("error", () => undefined);
  const closed = new Promise<string>((resolve) =>
    socket.on("close", () => {
      clearInterval(trickle);
      resolve(data);
    }),
  );
  return { closed, head, socket };
}

/** Resolves with the value, or rejects after `ms`: a request the server never answers fails the test instead of hanging it. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

afterEach(() => {
  for (const socket of open.splice(0)) socket.destroy();
});

describe("slow bodies against a small admission limit", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, MAX_CONCURRENT_WEBHOOKS: "4", WEBHOOK_BODY_TIMEOUT_MS: "3000" },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("stores a signed webhook while 8 senders trickle their bodies, to Messages and SMS endpoints", async () => {
    const slow = Array.from({ length: 8 }, (_, i) => slowBody(server.port, i % 2 === 0 ? WEBHOOK_PATHS.status : SMS_PATHS["sms-dlr"]));
    await settle();
    const body = statusBody();
    const response = await postWebhook(server.url, "status", body);
    expect(response.status).toBe(200);
    const { id } = ackOf(response);
    const query = `/api/events?message_id=${JSON.parse(body).message_uuid}`;
    const { body: page } = await getJson<{ events: { id: number }[] }>(server.url, query);
    expect(page.events.map((event) => event.id)).toEqual([id]);
    // None of them was answered meanwhile: they were only waited for.
    for (const { socket } of slow) expect(socket.destroyed).toBe(false);
  });

  it("answers a body not complete by the deadline 408, closes the connection and records body_timeout", async () => {
    const slow = Array.from({ length: 8 }, () => slowBody(server.port));
    const answers = await within(8_000, Promise.all(slow.map((s) => s.closed)), "close of every trickling connection");
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain('"error":"body_timeout"');
    }
    const { body } = await getJson<{ rejections: RejectionJson[] }>(server.url, "/api/rejections?limit=20");
    const timeouts = body.rejections.filter((r) => r.reason === "body_timeout");
    expect(timeouts.length).toBeGreaterThanOrEqual(8);
    expect(timeouts[0]).toMatchObject({
      endpoint: WEBHOOK_PATHS.status,
      method: "POST",
      httpStatus: 408,
      sourceIp: "127.0.0.1",
      bodyBytes: 1000,
    });
    expect(timeouts[0]!.body.startsWith("{")).toBe(true);
    expect(timeouts[0]!.bodyTruncated).toBe(true);
  });
});

describe("slow bodies from one address", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, MAX_PENDING_BODIES_PER_ADDRESS: "3" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("does not hold back bodies that arrive at once: a burst from one address (a tunnel, a proxy) is all stored", async () => {
    const responses = await Promise.all(Array.from({ length: 60 }, () => postWebhook(server.url, "status", statusBody())));
    expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
  });

  it("answers the 4th concurrent slow body 429 with Retry-After and closes it, and counts it in the log", async () => {
    const held = Array.from({ length: 3 }, () => slowBody(server.port));
    await settle();
    const fourth = slowBody(server.port);
    const answer = await within(3_000, fourth.closed, "answer to the 4th slow body");
    expect(answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(answer).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    for (const { socket } of held) expect(socket.destroyed).toBe(false);
    await expect.poll(() => server.output()).toMatch(/answered 1 webhook\(s\) 429 in the last second/);

    // Once they are gone, the address may send again.
    for (const { socket } of held) socket.destroy();
    await settle();
    expect((await postWebhook(server.url, "status", statusBody())).status).toBe(200);
  });
});
