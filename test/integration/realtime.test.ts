import { io, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EventJson } from "@/lib/events/types";
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from "@/lib/realtime/contract";
import { ackOf, postWebhook, statusBody } from "@/test/support/http";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/** The bus hand-off from route handlers to Socket.IO, and the no-gap catch-up contract. */

let server: RunningServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.disconnect();
});
afterAll(async () => {
  await server?.stop();
});

function connect(auth: HandshakeAuth): { socket: Socket<ServerToClientEvents, ClientToServerEvents>; received: EventJson[] } {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
    auth: { token: TEST_API_TOKEN, ...auth },
    transports: ["websocket"],
  });
  sockets.push(socket);
  const received: EventJson[] = [];
  socket.on("events", (events) => received.push(...events));
  return { socket, received };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function post(count: number, overrides: Record<string, unknown> = {}): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await postWebhook(server.url, "status", statusBody(overrides));
    ids.push(ackOf(response).id);
  }
  return ids;
}

describe("live events", () => {
  it("reach a connected client from the route handlers, in id order", async () => {
    const { socket, received } = connect({});
    await until(() => socket.connected, "connection");
    const ids = await post(5);
    await until(() => received.length >= 5, "5 events");
    expect(received.map((e) => e.id)).toEqual(ids);
    expect(received[0]).toMatchObject({ kind: "status", verification: "verified" });
  });

  it("catch up from the client's last id, then continue live, with no gap or repeat", async () => {
    const before = await post(4);
    const { socket, received } = connect({ after: before[0]! });
    await until(() => socket.connected, "connection");
    const after = await post(3);
    await until(() => received.length >= 6, "6 events");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.map((e) => e.id)).toEqual([...before.slice(1), ...after]);
  });

  it("apply the client's filter to the catch-up and to live events alike", async () => {
    const start = (await post(1))[0]!;
    await post(2, { status: "rejected" });
    const { socket, received } = connect({ after: start, filter: { status: "rejected" } });
    await until(() => socket.connected, "connection");
    await post(2, { status: "delivered" });
    await post(1, { status: "rejected" });
    await until(() => received.length >= 3, "3 rejected events");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.map((e) => e.status)).toEqual(["rejected", "rejected", "rejected"]);
  });

  it("deliver a concurrent burst to every socket once, in order, also to one that joins mid-burst", async () => {
    // Live events are gathered per flush and broadcast once per filter (lib/realtime/io.ts):
    // two sockets share a filter, one has its own, and one connects while the burst runs.
    const start = (await post(1))[0]!;
    const all = [connect({ after: start }), connect({ after: start })];
    const rejected = connect({ after: start, filter: { status: "rejected" } });
    await until(() => [...all, rejected].every((c) => c.socket.connected), "connections");
    const send = (status: string) =>
      Promise.all(Array.from({ length: 25 }, () => postWebhook(server.url, "status", statusBody({ status })).then((r) => ackOf(r).id)));
    const first = await Promise.all([send("delivered"), send("rejected")]);
    const late = connect({ after: start });
    const second = await Promise.all([send("delivered"), send("rejected")]);
    const ids = [...first, ...second].flat().sort((a, b) => a - b);
    const rejectedIds = [...first[1], ...second[1]].sort((a, b) => a - b);

    await until(
      () => [...all, late].every((c) => c.received.length >= ids.length) && rejected.received.length >= rejectedIds.length,
      "every event",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const c of [...all, late]) expect(c.received.map((e) => e.id)).toEqual(ids);
    expect(rejected.received.map((e) => e.id)).toEqual(rejectedIds);
  });

  it("refuses a bad filter at the handshake", async () => {
    const socket = io(server.url, {
      auth: { token: TEST_API_TOKEN, filter: { kind: "nonsense" } },
      transports: ["websocket"],
      reconnection: false,
    });
    sockets.push(socket);
    const error = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
    expect(error.message).toMatch(/bad filter/);
  });
});
