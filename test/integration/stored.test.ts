import Database from "better-sqlite3";
import pg from "pg";
import { randomUUID } from "node:crypto";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import type { ServerToClientEvents } from "@/lib/realtime/contract";
import { ackOf, apiAuth, getJson, latestRejection, postWebhook, statusBody } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/**
 * What is stored can always be read (docs/decisions/020-stored-payloads.md): a body with a
 * byte-order mark, one nested 5,000 levels deep and a row damaged in the database itself
 * leave every reader working, and the events around them readable.
 */

let server: RunningServer;
const BOM = "\uFEFF";

beforeAll(async () => {
  server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
});
afterAll(async () => {
  await server?.stop();
});

/** Runs one statement on the server's own database file or PostgreSQL database. */
async function execute(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (onPostgres) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      const numbered = values.reduce<string>((text, _, i) => text.replace("?", `$${i + 1}`), sql);
      return (await client.query(numbered, values)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(server.databaseFile);
  try {
    const statement = db.prepare(sql);
    return statement.reader ? (statement.all(...values) as Record<string, unknown>[]) : (statement.run(...values), []);
  } finally {
    db.close();
  }
}

async function text(path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.url}${path}`, { headers: apiAuth });
  return { status: response.status, body: await response.text() };
}

/** Every event the API pages give for a client_ref, newest first. */
async function eventsOf(clientRef: string): Promise<EventJson[]> {
  const page = await getJson<{ events: EventJson[] }>(server.url, `/api/events?client_ref=${clientRef}&limit=500`);
  expect(page.status).toBe(200);
  return page.body.events;
}

/** Every event the Socket.IO catch-up sends from the start, until it has sent `untilId`. */
async function catchUp(untilId: number): Promise<EventJson[]> {
  const socket = io(server.url, { auth: { token: TEST_API_TOKEN, after: 0 }, transports: ["websocket"], reconnection: false });
  const received: EventJson[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`catch-up stopped after ${received.length} events`)), 10_000);
      socket.on("events", ((events) => {
        received.push(...events);
        if (events.some((e) => e.id >= untilId)) {
          clearTimeout(timer);
          resolve();
        }
      }) as ServerToClientEvents["events"]);
      socket.on("disconnect", (reason) => (clearTimeout(timer), reject(new Error(`disconnected: ${reason}`))));
      socket.on("connect_error", (error) => (clearTimeout(timer), reject(error)));
    });
  } finally {
    socket.disconnect();
  }
  return received;
}

/** Every reader that serves stored events gives the ids, and none of them fails. */
async function expectEveryReaderServes(clientRef: string, ids: number[]): Promise<EventJson[]> {
  const page = await eventsOf(clientRef);
  expect(page.map((e) => e.id).sort()).toEqual([...ids].sort());

  for (const uuid of new Set(page.flatMap((e) => e.messageUuid ?? []))) {
    const message = await text(`/api/messages/${uuid}`);
    expect(message.status).toBe(200);
  }

  const json = await text(`/api/events/export?format=json&client_ref=${clientRef}`);
  expect(json.status).toBe(200);
  expect((JSON.parse(json.body) as EventJson[]).map((e) => e.id).sort()).toEqual([...ids].sort());

  for (const query of [
    `format=ndjson&client_ref=${clientRef}`,
    `format=ndjson&mask=1&client_ref=${clientRef}`,
    `format=json&mask=1&client_ref=${clientRef}`,
  ]) {
    const exported = await text(`/api/events/export?${query}`);
    expect(exported.status).toBe(200);
    const lines = query.includes("ndjson")
      ? exported.body
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line) as EventJson)
      : (JSON.parse(exported.body) as EventJson[]);
    expect(lines.map((e) => e.id).sort()).toEqual([...ids].sort());
  }

  const csv = await text(`/api/events/export?format=csv&client_ref=${clientRef}`);
  expect(csv.status).toBe(200);
  for (const id of ids) expect(csv.body).toMatch(new RegExp(`^${id},`, "m"));

  const live = await catchUp(Math.max(...ids));
  for (const id of ids) expect(live.map((e) => e.id)).toContain(id);
  return page;
}

describe("stored payloads every reader can read", () => {
  it("stores a body with a byte-order mark without it, and every reader serves it and its neighbours", async () => {
    const clientRef = `bom-${randomUUID()}`;
    const before = ackOf(await postWebhook(server.url, "status", statusBody({ client_ref: clientRef }))).id;
    const body = statusBody({ client_ref: clientRef });
    const response = await postWebhook(server.url, "status", `${BOM}${body}`);
    expect(response.status).toBe(200);
    const bom = ackOf(response).id;
    const after = ackOf(await postWebhook(server.url, "status", statusBody({ client_ref: clientRef }))).id;

    const [row] = await execute(`SELECT "raw_body" FROM "events" WHERE "id" = ?`, [bom]);
    expect(row!.raw_body).toBe(body);
    const events = await expectEveryReaderServes(clientRef, [before, bom, after]);
    expect(events.find((e) => e.id === bom)!.payload).toEqual(JSON.parse(body));
  });

  it("refuses a body nested 5,000 levels deep with 400 too_deep, records it, and every reader still works", async () => {
    const clientRef = `deep-${randomUUID()}`;
    const before = ackOf(await postWebhook(server.url, "status", statusBody({ client_ref: clientRef }))).id;
    const deep = `{"client_ref":"${clientRef}","message_uuid":"${randomUUID()}","nested":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const response = await postWebhook(server.url, "status", deep);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("too_deep");
    const rejection = (await latestRejection(server.url)) as RejectionJson;
    expect(rejection).toMatchObject({ reason: "too_deep", httpStatus: 400 });
    expect(rejection.detail).toMatch(/64/);
    const after = ackOf(await postWebhook(server.url, "status", statusBody({ client_ref: clientRef }))).id;

    await expectEveryReaderServes(clientRef, [before, after]);
    const rejections = await text("/api/rejections/export?format=json");
    expect(rejections.status).toBe(200);
    expect((JSON.parse(rejections.body) as RejectionJson[]).some((r) => r.reason === "too_deep")).toBe(true);
  });

  it("serves a row damaged in the database (unparseable, nested too deep, or with a BOM) in the documented degraded form", async () => {
    const clientRef = `damaged-${randomUUID()}`;
    const before = ackOf(await postWebhook(server.url, "status", statusBody({ client_ref: clientRef }))).id;
    const [{ max }] = (await execute(`SELECT MAX("id") AS "max" FROM "events"`)) as [{ max: number }];
    const stored = ['{"broken": ', `{"deep":${"[".repeat(5000)}${"]".repeat(5000)}}`, `${BOM}{"ok":true}`];
    const damaged = stored.map((_, i) => Number(max) + 1 + i);
    for (const [i, rawBody] of stored.entries()) {
      await execute(
        `INSERT INTO "events" ("id", "kind", "dedupe_key", "client_ref", "received_at", "verification", "raw_body", "headers", "duplicates")
         VALUES (?, 'status', ?, ?, ?, 'unverified', ?, ?, 0)`,
        [
          damaged[i],
          randomUUID(),
          clientRef,
          onPostgres ? new Date() : new Date().toISOString().replace("Z", "+00:00"),
          rawBody,
          i === 0 ? "{not json" : "{}",
        ],
      );
    }
    const after = ackOf(await postWebhook(server.url, "status", statusBody({ client_ref: clientRef }))).id;

    const events = await expectEveryReaderServes(clientRef, [before, ...damaged, after]);
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.get(damaged[0]!)!.payload).toEqual({ _unreadable: expect.stringMatching(/JSON/), _stored: '{"broken": ' });
    expect(byId.get(damaged[1]!)!.payload).toMatchObject({ _unreadable: expect.stringMatching(/64/), _stored: stored[1] });
    expect(byId.get(damaged[2]!)!.payload).toEqual({ ok: true });
    expect(byId.get(damaged[0]!)!.headers).toMatchObject({ _unreadable: expect.any(String) });
  });

  it("serves a rejection whose stored headers and token claims are damaged", async () => {
    await postWebhook(server.url, "status", statusBody(), { secret: "wrong-secret-0000000000" });
    const { id } = (await latestRejection(server.url))!;
    await execute(`UPDATE "rejections" SET "headers" = ?, "token_claims" = ? WHERE "id" = ?`, [
      "{oops",
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
      id,
    ]);
    const page = await getJson<{ rejections: RejectionJson[] }>(server.url, "/api/rejections?limit=5");
    expect(page.status).toBe(200);
    expect(page.body.rejections.find((r) => r.id === id)).toMatchObject({
      headers: { _unreadable: expect.any(String) },
      tokenClaims: { _unreadable: expect.any(String) },
    });
    for (const format of ["json", "csv", "ndjson"]) expect((await text(`/api/rejections/export?format=${format}`)).status).toBe(200);
  });

  it("caps a refused token's claims nested too deep instead of storing them", async () => {
    const nested = JSON.parse(`${"[".repeat(200)}${"]".repeat(200)}`) as unknown;
    await postWebhook(server.url, "status", statusBody(), { secret: "wrong-secret-0000000000", claims: { nested } });
    const rejection = (await latestRejection(server.url))!;
    expect(rejection.reason).toBe("bad_signature");
    expect(rejection.tokenClaims).toEqual({ _omitted: expect.stringMatching(/64 levels/) });
  });
});
