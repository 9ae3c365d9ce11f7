import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postWebhook, statusBody } from "@/test/support/http";
import { listenerQueue, statusLineOf } from "@/test/support/listener";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * Beyond MAX_CONCURRENT_WEBHOOKS in progress, webhooks are shed with 503 + Retry-After at once;
 * a burst of new connections waits in the kernel's queue instead of being dropped.
 */

// The requests in progress are held by a SQLite write lock, which PostgreSQL has no file for.
describe.runIf(!onPostgres)("overload", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, MAX_CONCURRENT_WEBHOOKS: "3", DATABASE_BUSY_TIMEOUT_MS: "10000" },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers the webhook beyond the limit 503 with Retry-After before the held ones finish, and loses none it accepted", async () => {
    const holder = new Database(server.databaseFile);
    holder.exec("BEGIN IMMEDIATE");
    const order: string[] = [];
    const held = Array.from({ length: 3 }, () => statusBody());
    const pending = held.map((body) => postWebhook(server.url, "status", body).then((r) => (order.push("held"), r)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const shed = await postWebhook(server.url, "status", statusBody());
    order.push("shed");
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("5");
    expect(await shed.json()).toMatchObject({ error: "overloaded" });

    holder.exec("COMMIT");
    holder.close();
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(order[0]).toBe("shed");
    for (const body of held) {
      const { body: page } = await getJson<{ events: unknown[] }>(server.url, `/api/events?message_id=${JSON.parse(body).message_uuid}`);
      expect(page.events).toHaveLength(1);
    }
    // Capacity comes back as soon as the held requests are done.
    expect((await postWebhook(server.url, "status", statusBody())).status).toBe(200);
    await expect.poll(() => server.output()).toMatch(/overloaded: answered 1 webhook\(s\) 503/);
  });

  // The kernel caps any backlog at net.core.somaxconn (4096 on current kernels, 128 before 5.4).
  const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
  it.skipIf(somaxconn < 1_000)(
    "queues a burst of new connections while the server is busy, then answers every one",
    async () => {
      // A stopped process accepts nothing: what it will serve later is what the kernel queued for
      // it, at most its listen backlog (+1). Node's default, 511, would cap this at 512 and drop
      // the rest's SYNs, which their senders retransmit only after 1 s, 3 s, 7 s.
      const count = 1_000;
      process.kill(server.pid, "SIGSTOP");
      const sockets: net.Socket[] = [];
      try {
        for (let i = 0; i < count; i++) sockets.push(net.connect(server.port, "127.0.0.1"));
        await expect.poll(() => listenerQueue(server.port).queued, { timeout: 15_000, interval: 100 }).toBe(count);
      } finally {
        process.kill(server.pid, "SIGCONT");
      }
      const statuses = await Promise.all(
        sockets.map((socket) => statusLineOf(socket, "GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")),
      );
      expect(statuses.filter((s) => s === "HTTP/1.1 200 OK")).toHaveLength(count);
    },
    60_000,
  );

  it("keeps an idle connection open for 65 s, and tells the sender", async () => {
    // A sender's pool that drops idle connections at the server's timeout races with the server.
    const head = await responseHeadOf(net.connect(server.port, "127.0.0.1"), "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head).toMatch(/\r\nKeep-Alive: timeout=65\r\n/i);
  });
});

/** The status line and headers of the first response on a connection, which is then closed. */
function responseHeadOf(socket: net.Socket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.destroy();
      resolve(data.slice(0, end + 2));
    });
    socket.on("error", reject);
    socket.write(request);
  });
}
