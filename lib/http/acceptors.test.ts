import { createServer, type Server as HttpServer } from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { addAcceptors, closeAcceptors } from "@/lib/http/acceptors";
import { listenerQueue, statusLineOf } from "@/test/support/listener";

/** Blocks this thread, as a saturated server's loop turn does. */
function blockFor(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

function listening(server: HttpServer, backlog = 511): Promise<number> {
  return new Promise((resolve) =>
    server.listen({ port: 0, host: "127.0.0.1", backlog }, () => resolve((server.address() as net.AddressInfo).port)),
  );
}

function get(port: number): Promise<string> {
  return statusLineOf(net.connect(port, "127.0.0.1"), "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
}

/** Connections the server accepts in each loop turn after `count` connected while it was blocked. */
async function acceptsPerTurn(server: HttpServer, port: number, count: number): Promise<number[]> {
  let turn = 0;
  const perTurn: number[] = [];
  server.on("connection", () => (perTurn[turn] = (perTurn[turn] ?? 0) + 1));
  const clients = Array.from({ length: count }, () => net.connect(port, "127.0.0.1"));
  // The kernel completes the handshakes and queues the connections while this thread is busy.
  blockFor(200);
  let counting = true;
  const tick = () => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  while (perTurn.reduce((n, c) => n + (c ?? 0), 0) < count) await new Promise((resolve) => setTimeout(resolve, 10));
  counting = false;
  for (const client of clients) client.destroy();
  return perTurn.filter((c) => c !== undefined);
}

describe("addAcceptors", () => {
  const servers: HttpServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  function httpServer(): HttpServer {
    const server = createServer((_req, res) => res.end("ok"));
    servers.push(server);
    return server;
  }

  it("accepts one queued connection per loop turn with the server's handle alone (the reason for this module)", async () => {
    const server = httpServer();
    const port = await listening(server);
    expect(Math.max(...(await acceptsPerTurn(server, port, 8)))).toBe(1);
  });

  it("accepts one queued connection per handle per loop turn with copies", async () => {
    const server = httpServer();
    const port = await listening(server);
    const copies = await addAcceptors(server, 3, 511);
    expect(copies).toHaveLength(3);
    // Four handles: the server's own and three copies, each taking one connection in the first turn.
    expect((await acceptsPerTurn(server, port, 8))[0]).toBe(4);
    await closeAcceptors(copies);
  });

  it("serves what the copies accept as the HTTP server's own requests", async () => {
    const server = httpServer();
    const port = await listening(server);
    const copies = await addAcceptors(server, 2, 511);
    const lines = await Promise.all(Array.from({ length: 50 }, () => get(port)));
    expect(lines).toEqual(Array.from({ length: 50 }, () => "HTTP/1.1 200 OK"));
    await closeAcceptors(copies);
  });

  it("keeps the server's listen backlog", async () => {
    const server = httpServer();
    const port = await listening(server, 1_000);
    const copies = await addAcceptors(server, 2, 1_000);
    // A copy that listened with Node's default would have set it to 511.
    expect(listenerQueue(port).backlog).toBe(1_000);
    await closeAcceptors(copies);
  });

  it("stops accepting once the server and every copy are closed", async () => {
    const server = httpServer();
    const port = await listening(server);
    const copies = await addAcceptors(server, 2, 511);
    await Promise.all([new Promise((resolve) => server.close(resolve)), closeAcceptors(copies)]);
    await expect(get(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("adds nothing when asked for none", async () => {
    const server = httpServer();
    await listening(server);
    expect(await addAcceptors(server, 0, 511)).toEqual([]);
  });
});
