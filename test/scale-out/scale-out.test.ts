import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import type { ClientToServerEvents, ServerToClientEvents, WebhookCall } from "@/lib/realtime/contract";
import { ackOf, getJson, latestRejection, listAllEvents, postWebhook, statusBody } from "@/test/support/http";
import { ensureTestDatabase } from "@/test/support/postgres";
import { TestRedis } from "@/test/support/redis";
import { makeDataDir, ROOT, startServer, type RunningServer } from "@/test/support/server";
import { TcpProxy } from "@/test/support/tcp-proxy";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/**
 * Several instances on the machine's real PostgreSQL, joined by a real Redis: no gaps and no
 * duplicates across instances, and the failures a team will meet (Redis, an instance, the
 * database going away). Runs in the "postgres" Vitest project only.
 */

const ENV = { VONAGE_SIGNATURE_SECRET: TEST_SECRET };
const PASSWORD = "correct horse battery staple";
const sockets: Socket[] = [];

function liveClient(url: string, after: number) {
  let last = after;
  const received: EventJson[] = [];
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    auth: (cb) => cb({ token: TEST_API_TOKEN, after: last }),
    transports: ["websocket"],
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
  });
  sockets.push(socket);
  socket.on("events", (events) => {
    received.push(...events);
    last = events[events.length - 1]!.id;
  });
  return {
    socket,
    received,
    connected: () => new Promise<void>((resolve) => (socket.connected ? resolve() : socket.once("connect", () => resolve()))),
  };
}

async function until(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Posts bodies at the given concurrency; returns the acknowledged ids. */
async function sendAll(url: string, bodies: string[], concurrency = 20): Promise<number[]> {
  const ids: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const response = await postWebhook(url, "status", bodies[next++]!);
        expect(response.status).toBe(200);
        ids.push(ackOf(response).id);
      }
    }),
  );
  return ids.sort((x, y) => x - y);
}

async function newestId(server: RunningServer): Promise<number> {
  return (await getJson<{ events: EventJson[] }>(server.url, "/api/events?limit=1")).body.events[0]?.id ?? 0;
}

function expectInOrderOnce(received: EventJson[], expected: number[]) {
  const ids = received.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
  for (const id of expected) expect(ids).toContain(id);
}

describe("two instances on one PostgreSQL, joined by Redis", () => {
  let redis: TestRedis;
  let databaseUrl: string;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    redis = await TestRedis.start();
    databaseUrl = await ensureTestDatabase(`scale_${randomUUID()}`);
    const env = { ...ENV, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, DASHBOARD_PASSWORD: PASSWORD };
    // Started at the same moment: the migrations must still be applied once.
    [a, b] = await Promise.all([startServer({ env }), startServer({ env })]);
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it("applied each migration once although both instances started at once", async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; n: string }>(
      `SELECT migration_name, COUNT(*) AS n FROM "_prisma_migrations" GROUP BY migration_name`,
    );
    await client.end();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Number(row.n)).toBe(1);
  });

  it("failed logins on A slow the same address down on B (the throttle is kept in Redis), and Redis down stops no login", async () => {
    const attempt = (server: RunningServer, password: string) =>
      fetch(`${server.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
        body: new URLSearchParams({ password }),
      });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Four failures on A, each after the previous one's wait: the fourth asks for 2 s.
    for (const pause of [0, 0, 600, 1100]) {
      await sleep(pause);
      expect((await attempt(a, "wrong")).headers.get("location")).toMatch(/error=invalid/);
    }
    const refused = await attempt(b, PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("2");

    await redis.stop();
    try {
      const response = await attempt(b, PASSWORD);
      expect(response.status).toBe(303);
      expect(response.headers.get("set-cookie")).toMatch(/^vwc_session=/);
    } finally {
      await redis.restart();
    }
  });

  it("1,000 webhooks sent to A all reach a client connected to B, once each, in order", async () => {
    const client = liveClient(b.url, await newestId(b));
    await client.connected();
    const acked = await sendAll(
      a.url,
      Array.from({ length: 1000 }, () => statusBody()),
    );
    await until(() => client.received.length >= 1000, "1,000 events on B");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.received).toHaveLength(1000);
    expectInOrderOnce(client.received, acked);
  });

  it("a refusal recorded on A reaches a client of B that asked for refusals and activity", async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(b.url, {
      auth: { token: TEST_API_TOKEN, streams: ["rejections", "activity"] },
      transports: ["websocket"],
    });
    sockets.push(socket);
    const rejections: RejectionJson[] = [];
    const activity: WebhookCall[] = [];
    socket.on("rejections", (rows) => rejections.push(...rows));
    socket.on("activity", (calls) => activity.push(...calls));
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));

    expect((await postWebhook(a.url, "status", statusBody(), { unsigned: true })).status).toBe(503);
    await until(() => rejections.length >= 1 && activity.length >= 1, "the refusal on B");
    const stored = await latestRejection(b.url);
    expect(rejections).toEqual([stored]);
    expect(activity).toEqual([{ endpoint: "/webhooks/message-status", at: stored!.receivedAt, outcome: "refused" }]);
  });

  it("copies of one delivery split across both instances at the same moment give one row and 200 each", async () => {
    const body = statusBody();
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => postWebhook(i % 2 ? a.url : b.url, "status", body)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const events = await listAllEvents(a.url, `message_id=${JSON.parse(body).message_uuid}`);
    expect(events).toHaveLength(1);
    expect(events[0]!.duplicates).toBe(19);
  });

  it("a write that starts first but commits last still gets the lower id, and a client resuming in between misses nothing", async () => {
    const before = await newestId(a);
    // T1 takes the write lock and its id, as every writer does (lib/events/store.ts), then waits.
    const t1 = new pg.Client({ connectionString: databaseUrl });
    await t1.connect();
    await t1.query("BEGIN");
    await t1.query("SELECT pg_advisory_xact_lock(7340212)");
    const { rows } = await t1.query<{ id: number }>(`SELECT COALESCE(MAX("id"), 0) + 1 AS id FROM "events"`);
    const t1Id = rows[0]!.id;
    const t1Uuid = randomUUID();
    await t1.query(
      `INSERT INTO "events" ("id", "kind", "dedupe_key", "message_uuid", "received_at", "verification", "raw_body", "headers")
       VALUES ($1, 'status', $2, $3, now(), 'unverified', $4, '{}')`,
      [t1Id, randomUUID(), t1Uuid, JSON.stringify({ message_uuid: t1Uuid })],
    );

    // T2, a webhook that arrives later, must wait for T1: it cannot commit first.
    const t2 = postWebhook(a.url, "status", statusBody());
    const client = liveClient(b.url, before);
    await client.connected();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.received).toEqual([]);

    await t1.query("COMMIT");
    await t1.end();
    const response = await t2;
    expect(response.status).toBe(200);
    const t2Id = ackOf(response).id;
    expect(t2Id).toBeGreaterThan(t1Id);
    await until(() => client.received.length >= 2, "both events");
    expect(client.received.map((e) => e.id)).toEqual([t1Id, t2Id]);
  });

  it("while Redis restarts, B's client still ends with every event", async () => {
    const client = liveClient(b.url, await newestId(b));
    await client.connected();
    const bodies = Array.from({ length: 150 }, () => statusBody());
    const sending = (async () => {
      const ids: number[] = [];
      for (const [i, body] of bodies.entries()) {
        ids.push(...(await sendAll(a.url, [body], 1)));
        if (i === 50) await redis.stop();
        if (i === 100) await redis.restart();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return ids;
    })();
    const acked = await sending;
    await until(() => client.received.length >= bodies.length, "150 events on B");
    expectInOrderOnce(client.received, acked);
    expect(client.received).toHaveLength(bodies.length);
  });

  it("when instance B is killed, its client reconnects to A through the load balancer and misses nothing", async () => {
    const balancer = new TcpProxy({ host: "127.0.0.1", port: b.port });
    await balancer.listen();
    const client = liveClient(`http://127.0.0.1:${balancer.port}`, await newestId(a));
    await client.connected();
    const first = await sendAll(
      a.url,
      Array.from({ length: 50 }, () => statusBody()),
    );
    await until(() => client.received.length >= 50, "the first 50");

    await b.kill();
    balancer.setTarget({ host: "127.0.0.1", port: a.port });
    const second = await sendAll(
      a.url,
      Array.from({ length: 50 }, () => statusBody()),
    );
    await until(() => client.received.length >= 100, "all 100 after failing over");
    expectInOrderOnce(client.received, [...first, ...second]);
    expect(client.received).toHaveLength(100);
    await balancer.close();
  });
});

describe("PostgreSQL unreachable", () => {
  it("answers webhooks 503 with Retry-After, then stores the retries once after it returns", async () => {
    const link = new TcpProxy({ host: "127.0.0.1", port: 5432 });
    await link.listen();
    const databaseUrl = await ensureTestDatabase(`down_${randomUUID()}`);
    const viaLink = new URL(databaseUrl);
    viaLink.port = String(link.port);
    const server = await startServer({ env: { ...ENV, DATABASE_URL: viaLink.toString(), DATABASE_POOL_SIZE: "2" } });
    try {
      const body = statusBody();
      link.cut();
      const refused = await postWebhook(server.url, "status", body);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(((await refused.json()) as { error: string }).error).toBe("storage_unavailable");

      link.restore();
      // Vonage retries until it gets a 200.
      let retry: Response;
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        retry = await postWebhook(server.url, "status", body);
      } while (retry.status !== 200);
      const again = await postWebhook(server.url, "status", body);
      expect(ackOf(again)).toMatchObject({ duplicate: true });
      expect(await listAllEvents(server.url, `message_id=${JSON.parse(body).message_uuid}`)).toHaveLength(1);
    } finally {
      await server.stop();
      await link.close();
    }
  });
});

describe("moving from SQLite to PostgreSQL", () => {
  it("copies every event and rejection with their ids, duplicates and times, and a second run adds nothing", async () => {
    const source = await startServer({ env: { ...ENV, DATABASE_URL: `file:${makeDataDir()}/events.db` } });
    const bodies = Array.from({ length: 30 }, () => statusBody());
    await sendAll(source.url, bodies);
    await postWebhook(source.url, "status", bodies[0]!);
    await postWebhook(source.url, "status", statusBody(), { secret: "wrong-secret-0000000000" });
    await postWebhook(source.url, "inbound", statusBody(), { unsigned: true });
    const events = await listAllEvents(source.url);
    const rejections = (await getJson<{ rejections: RejectionJson[] }>(source.url, "/api/rejections")).body.rejections;
    await source.stop();

    const target = await ensureTestDatabase(`copy_${randomUUID()}`);
    const copy = () =>
      spawnSync("npm", ["run", "--silent", "db:copy", "--", "--from", source.env.DATABASE_URL!, "--to", target], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
    const first = copy();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`events: ${events.length} read, ${events.length} added`);
    const second = copy();
    expect(second.stdout).toContain(`events: ${events.length} read, 0 added`);
    expect(second.stdout).toContain(`rejections: ${rejections.length} read, 0 added`);

    const copied = await startServer({ env: { ...ENV, DATABASE_URL: target } });
    try {
      expect(await listAllEvents(copied.url)).toEqual(events);
      expect((await getJson<{ rejections: RejectionJson[] }>(copied.url, "/api/rejections")).body.rejections).toEqual(rejections);
      expect(events.find((e) => e.duplicates === 1)).toBeDefined();
      // New events continue after the copied ids.
      const next = await sendAll(copied.url, [statusBody()]);
      expect(next[0]).toBe(Math.max(...events.map((e) => e.id)) + 1);
    } finally {
      await copied.stop();
    }
  }, 120_000);
});
