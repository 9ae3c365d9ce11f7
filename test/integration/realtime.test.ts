import { io, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents, WebhookCall } from "@/lib/realtime/contract";
import { ackOf, getJson, inboundBody, latestRejection, postWebhook, statusBody } from "@/test/support/http";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/** The hand-off from the ingest worker to Socket.IO, the no-gap catch-up contract, and the other live streams. */

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

describe("live refusals and webhook activity", () => {
  function connectTo(streams: HandshakeAuth["streams"], { anonymous = false } = {}) {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
      auth: anonymous ? { streams } : { token: TEST_API_TOKEN, streams },
      transports: ["websocket"],
      reconnection: false,
    });
    sockets.push(socket);
    const got = { events: [] as EventJson[], rejections: [] as RejectionJson[], activity: [] as WebhookCall[] };
    socket.on("events", (events) => got.events.push(...events));
    socket.on("rejections", (rejections) => got.rejections.push(...rejections));
    socket.on("activity", (calls) => got.activity.push(...calls));
    return { socket, got };
  }

  it("a refusal reaches a socket that asked for refusals, as the read API serves it, and its call the activity stream", async () => {
    const listener = connectTo(["rejections", "activity"]);
    const eventsOnly = connectTo(undefined);
    await until(() => listener.socket.connected && eventsOnly.socket.connected, "connections");
    const refused = await postWebhook(server.url, "status", statusBody(), { unsigned: true });
    expect(refused.status).toBe(503);
    await until(() => listener.got.rejections.length >= 1, "the refusal");
    const stored = await latestRejection(server.url);
    expect(listener.got.rejections).toEqual([stored]);
    expect(stored).toMatchObject({ reason: "missing_token", endpoint: "/webhooks/message-status" });
    await until(() => listener.got.activity.length >= 1, "the refused call");
    expect(listener.got.activity).toEqual([{ endpoint: "/webhooks/message-status", at: stored!.receivedAt, outcome: "refused" }]);

    const id = ackOf(await postWebhook(server.url, "inbound", inboundBody())).id;
    await until(() => listener.got.activity.length >= 2, "the stored call");
    const { body } = await getJson<{ events: EventJson[] }>(server.url, `/api/events?after=${id - 1}&limit=1`);
    expect(body.events[0]?.id).toBe(id);
    expect(listener.got.activity[1]).toEqual({ endpoint: "/webhooks/inbound-message", at: body.events[0]!.receivedAt, outcome: "stored" });
    // Streams are what a socket asked for: no events here, no refusals on an events socket.
    expect(listener.got.events).toEqual([]);
    await until(() => eventsOnly.got.events.some((e) => e.id === id), "the event on the events socket");
    expect(eventsOnly.got.rejections).toEqual([]);
    expect(eventsOnly.got.activity).toEqual([]);
  });

  it("an unauthenticated socket is refused at the handshake and receives no refusal", async () => {
    const authorised = connectTo(["rejections"]);
    const anonymous = connectTo(["rejections", "activity"], { anonymous: true });
    const error = await new Promise<Error>((resolve) => anonymous.socket.on("connect_error", resolve));
    expect(error.message).toBe("unauthorized");
    await until(() => authorised.socket.connected, "the authorised connection");
    expect((await postWebhook(server.url, "status", statusBody(), { unsigned: true })).status).toBe(503);
    await until(() => authorised.got.rejections.length >= 1, "the refusal on the authorised socket");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(anonymous.socket.connected).toBe(false);
    expect(anonymous.got).toEqual({ events: [], rejections: [], activity: [] });
  });

  it("refuses an unknown stream at the handshake", async () => {
    const { socket } = connectTo(["rejections", "nonsense" as "rejections"]);
    const error = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
    expect(error.message).toMatch(/bad streams/);
  });
});
