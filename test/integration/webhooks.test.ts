import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import { ackOf, getJson, latestRejection, listAllEvents, postWebhook, sendRaw, statusBody, WEBHOOK_PATHS } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { messagesFixtures, sha256Hex, signedHeaders, TEST_API_KEY, TEST_APPLICATION_ID, TEST_SECRET } from "@/test/support/vonage";

/** Both Messages webhooks over real HTTP against the real server and a real SQLite file. */

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    env: {
      // Pairs only, so an unknown api_key is refused rather than tried against a fallback.
      VONAGE_SIGNATURE_SECRET: `${TEST_API_KEY}:${TEST_SECRET},acct2:another-secret-0000000000`,
      VONAGE_APPLICATION_ID: TEST_APPLICATION_ID,
      DATABASE_BUSY_TIMEOUT_MS: "1000",
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

const eventCount = async () => (await getJson<{ events: number }>(server.url, "/api/health")).body.events;

describe("accepted deliveries", () => {
  it.each(messagesFixtures().map((f) => [f.name, f] as const))("stores %s", async (_name, fixture) => {
    // The fixtures share message_uuids; make each body unique so each is a new event.
    const body = fixture.body.replace(
      /"timestamp": ?"[^"]+"/,
      `"timestamp":"2026-11-27T10:00:0${Math.floor(Math.random() * 10)}.${Date.now() % 1000}Z"`,
    );
    const response = await postWebhook(server.url, fixture.kind, body);
    expect(response.status).toBe(200);
    const { id, duplicate } = ackOf(response);
    expect(duplicate).toBe(false);

    const { body: page } = await getJson<{ events: EventJson[] }>(server.url, `/api/events?limit=1`);
    const event = page.events[0]!;
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(event).toMatchObject({
      id,
      kind: fixture.kind,
      messageUuid: parsed.message_uuid,
      channel: parsed.channel,
      verification: "verified",
      hashForm: "raw",
      apiKey: TEST_API_KEY,
      applicationId: TEST_APPLICATION_ID,
      duplicates: 0,
    });
    expect(event.payload).toEqual(parsed);
    expect(event.headers.authorization).toBe("Bearer [redacted]");
    expect(event.receivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    if (fixture.kind === "inbound") expect(event.messageType ?? "text").toBe(parsed.message_type ?? "text");
  });
});

describe("refused deliveries", () => {
  const body = statusBody({ message_uuid: "refused-0000" });
  const cases: [string, () => Promise<Response>, number, string][] = [
    ["no Authorization header", () => postWebhook(server.url, "status", body, { unsigned: true }), 503, "missing_token"],
    [
      "a malformed token",
      () => postWebhook(server.url, "status", body, { unsigned: true, headers: { authorization: "Bearer abc" } }),
      401,
      "malformed_token",
    ],
    ["alg none", () => postWebhook(server.url, "status", body, { alg: "none" }), 401, "bad_algorithm"],
    ["an RS256 header", () => postWebhook(server.url, "status", body, { alg: "RS256" }), 401, "bad_algorithm"],
    ["a wrong secret", () => postWebhook(server.url, "status", body, { secret: "wrong-secret-xxxxxxxx" }), 401, "bad_signature"],
    ["an unknown api_key", () => postWebhook(server.url, "status", body, { claims: { api_key: "nobody" } }), 401, "unknown_api_key"],
    ["a wrong issuer", () => postWebhook(server.url, "status", body, { claims: { iss: "Mallory" } }), 401, "wrong_issuer"],
    [
      "another application",
      () => postWebhook(server.url, "status", body, { claims: { application_id: "99999999-bbbb-cccc-dddd-0123456789ab" } }),
      401,
      "wrong_application",
    ],
    ["a stale token", () => postWebhook(server.url, "status", body, { iatOffset: -90_000 }), 401, "stale_token"],
    ["a future token", () => postWebhook(server.url, "status", body, { iatOffset: 3600 }), 401, "future_token"],
    ["a missing iat", () => postWebhook(server.url, "status", body, { claims: { iat: undefined } }), 401, "missing_claim"],
    [
      "an iat that is a string",
      () => postWebhook(server.url, "status", body, { claims: { iat: String(Math.floor(Date.now() / 1000)) } }),
      401,
      "malformed_token",
    ],
    ["an exp that is a string", () => postWebhook(server.url, "status", body, { claims: { exp: "tomorrow" } }), 401, "malformed_token"],
    [
      "a tampered body",
      async () =>
        fetch(`${server.url}${WEBHOOK_PATHS.status}`, {
          method: "POST",
          headers: await signedHeaders(body),
          body: body.replace("delivered", "rejected"),
        }),
      401,
      "payload_hash_mismatch",
    ],
    ["signed malformed JSON", () => postWebhook(server.url, "status", "{not json"), 400, "malformed_json"],
    ["a signed JSON array", () => postWebhook(server.url, "inbound", "[1,2,3]"), 400, "malformed_json"],
    ["a body over 1 MiB", () => postWebhook(server.url, "status", JSON.stringify({ pad: "x".repeat(1024 * 1024) })), 413, "body_too_large"],
    ["a GET", () => fetch(`${server.url}${WEBHOOK_PATHS.inbound}`), 405, "method_not_allowed"],
  ];

  it.each(cases)("refuses %s and records why", async (_name, send, status, reason) => {
    const before = await eventCount();
    const response = await send();
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(reason);
    if (status === 503) expect(response.headers.get("retry-after")).toBe("5");

    const rejection = (await latestRejection(server.url))!;
    expect(rejection).toMatchObject({ reason, httpStatus: status, sourceIp: "127.0.0.1" });
    expect(rejection.detail.length).toBeGreaterThan(10);
    expect(await eventCount()).toBe(before);
    if (rejection.headers.authorization) expect(rejection.headers.authorization).toMatch(/\[redacted\]$/);
    expect(JSON.stringify(rejection)).not.toContain(TEST_SECRET);
  });

  it("refuses a body over 1 MiB sent without Content-Length, keeping its first 64 KiB", async () => {
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${server.url}${WEBHOOK_PATHS.status}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer x.y.z" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    const rejection = (await latestRejection(server.url)) as RejectionJson;
    expect(rejection).toMatchObject({ reason: "body_too_large", bodyTruncated: true });
    expect(rejection.body.length).toBe(64 * 1024);
    expect(rejection.bodyBytes).toBeGreaterThan(1024 * 1024);
  });

  it("stores the decoded claims of a refused token, never the token", async () => {
    await postWebhook(server.url, "status", body, { iatOffset: -90_000 });
    const rejection = (await latestRejection(server.url))!;
    expect(rejection.tokenClaims).toMatchObject({ header: { alg: "HS256" }, claims: { iss: "Vonage", api_key: TEST_API_KEY } });
  });
});

describe("methods", () => {
  // Messages API webhooks are POSTed; SMS API ones come as GET or POST (test/integration/sms.test.ts).
  const refused: [string, string, string][] = [
    ["OPTIONS", WEBHOOK_PATHS.status, "POST"],
    ["TRACE", WEBHOOK_PATHS.status, "POST"],
    ["HEAD", WEBHOOK_PATHS.inbound, "POST"],
    ["PUT", WEBHOOK_PATHS.inbound, "POST"],
    ["PROPFIND", WEBHOOK_PATHS.status, "POST"],
    ["OPTIONS", "/webhooks/inbound-sms", "GET, POST"],
    ["TRACE", "/webhooks/delivery-receipt", "GET, POST"],
    ["HEAD", "/webhooks/delivery-receipt", "GET, POST"],
  ];

  it.each(refused)("refuses %s on %s with 405 and Allow, and records it", async (method, path, allow) => {
    const response = await sendRaw(`${server.url}${path}`, method);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    const rejection = (await latestRejection(server.url))!;
    expect(rejection).toMatchObject({ reason: "method_not_allowed", method, endpoint: path, httpStatus: 405, sourceIp: "127.0.0.1" });
  });

  it.each([["/api/health"], ["/"], ["/webhooks/no-such-endpoint"]])("answers TRACE on %s with 405, not 500", async (path) => {
    const response = await sendRaw(`${server.url}${path}`, "TRACE");
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBeTruthy();
  });
});

describe("large headers", () => {
  it("reads a 20 KB token to the end, and refuses and records it like any bad token", async () => {
    const response = await sendRaw(`${server.url}${WEBHOOK_PATHS.status}`, "POST", { authorization: `Bearer ${"a".repeat(20_000)}` });
    expect(response.status).toBe(401);
    expect(await latestRejection(server.url)).toMatchObject({ reason: "malformed_token", httpStatus: 401, endpoint: WEBHOOK_PATHS.status });
  });

  it("answers headers over 64 KiB 431, closes the connection, and records headers_too_large", async () => {
    const response = await sendRaw(`${server.url}${WEBHOOK_PATHS.status}`, "POST", { "x-padding": "p".repeat(80_000) });
    expect(response.status).toBe(431);
    expect(response.headers.connection).toBe("close");
    const rejection = (await latestRejection(server.url))!;
    expect(rejection).toMatchObject({ reason: "headers_too_large", httpStatus: 431, endpoint: WEBHOOK_PATHS.status, method: "POST" });
    expect(rejection.sourceIp).toBe("127.0.0.1");
    expect(JSON.stringify(rejection).length).toBeLessThan(8_000);
  });
});

describe("duplicates", () => {
  it("answers 200 to a retried delivery, adds no row and counts it", async () => {
    const body = statusBody();
    const first = ackOf(await postWebhook(server.url, "status", body));
    const retry = await postWebhook(server.url, "status", body);
    expect(retry.status).toBe(200);
    expect(ackOf(retry)).toEqual({ id: first.id, duplicate: true });
    expect(await retry.text()).toBe("");
    const events = await listAllEvents(server.url, `message_id=${JSON.parse(body).message_uuid}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: first.id, duplicates: 1 });
    expect(events[0]!.lastDuplicateAt).not.toBeNull();
  });

  it("keeps one row when 25 copies arrive at the same moment", async () => {
    const body = statusBody();
    const responses = await Promise.all(Array.from({ length: 25 }, () => postWebhook(server.url, "status", body)));
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(200));
    const results = responses.map(ackOf);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const events = await listAllEvents(server.url, `message_id=${JSON.parse(body).message_uuid}`);
    expect(events).toHaveLength(1);
    expect(events[0]!.duplicates).toBe(24);
  });

  it("stores a body re-spaced in transit once: the key follows what the signature covered", async () => {
    const compact = statusBody();
    const parsed = JSON.parse(compact) as Record<string, unknown>;
    const variants = [
      JSON.stringify(parsed, null, 2),
      JSON.stringify(parsed, null, "\t"),
      ` ${compact}`,
      `${compact}\n`,
      compact.replace(/,/g, ", "),
    ];
    const acks = [];
    for (const variant of variants) {
      // Each copy signed afresh (its own jti), over the compact form: only the body's form differs.
      const headers = await signedHeaders(compact, { claims: { payload_hash: sha256Hex(compact) } });
      const response = await fetch(`${server.url}${WEBHOOK_PATHS.status}`, { method: "POST", headers, body: variant });
      expect(response.status).toBe(200);
      acks.push(ackOf(response));
    }
    expect(new Set(acks.map((a) => a.id)).size).toBe(1);
    expect(acks.filter((a) => a.duplicate)).toHaveLength(variants.length - 1);
    const events = await listAllEvents(server.url, `message_id=${parsed.message_uuid as string}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ hashForm: "compact", duplicates: variants.length - 1 });
  });

  it("counts the same token (its jti) seen again as a replay, even at the other endpoint", async () => {
    const body = statusBody();
    const headers = await signedHeaders(body);
    const first = ackOf(await fetch(`${server.url}${WEBHOOK_PATHS.status}`, { method: "POST", headers, body }));
    const replayed = await fetch(`${server.url}${WEBHOOK_PATHS.inbound}`, { method: "POST", headers, body });
    expect(ackOf(replayed)).toEqual({ id: first.id, duplicate: true });
    const stored = await listAllEvents(server.url, `message_id=${JSON.parse(body).message_uuid}`);
    expect(stored.map((e) => [e.kind, e.duplicates])).toEqual([["status", 1]]);
    // A genuine retry is signed afresh (a new jti) and is still recognised by its body.
    expect(ackOf(await postWebhook(server.url, "status", body))).toEqual({ id: first.id, duplicate: true });
  });

  it("stores the same body on the other endpoint as a different event", async () => {
    const body = statusBody();
    const a = ackOf(await postWebhook(server.url, "status", body));
    const b = ackOf(await postWebhook(server.url, "inbound", body));
    expect(b.duplicate).toBe(false);
    expect(b.id).not.toBe(a.id);
  });
});

// SQLite's file lock; PostgreSQL being unreachable is tested in test/scale-out.
describe.runIf(!onPostgres)("a locked SQLite database", () => {
  it("answers 503 with Retry-After while locked, then stores the retry exactly once", async () => {
    const body = statusBody();
    const holder = new Database(server.databaseFile);
    holder.exec("BEGIN IMMEDIATE");
    try {
      const response = await postWebhook(server.url, "status", body);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    const retry = await postWebhook(server.url, "status", body);
    expect(retry.status).toBe(200);
    const events = await listAllEvents(server.url, `message_id=${JSON.parse(body).message_uuid}`);
    expect(events).toHaveLength(1);
    expect(events[0]!.duplicates).toBe(0);
  });

  it("waits for a short lock instead of failing", async () => {
    const body = statusBody();
    const holder = new Database(server.databaseFile);
    holder.exec("BEGIN IMMEDIATE");
    const pending = postWebhook(server.url, "status", body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    holder.exec("COMMIT");
    holder.close();
    expect((await pending).status).toBe(200);
  });

  it("keeps answering reads and health checks while a write waits", async () => {
    const holder = new Database(server.databaseFile);
    holder.exec("BEGIN IMMEDIATE");
    try {
      const order: string[] = [];
      const pending = postWebhook(server.url, "status", statusBody()).then((r) => {
        order.push("webhook");
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const health = await fetch(`${server.url}/api/health`);
      order.push("health");
      expect(health.status).toBe(200);
      expect((await pending).status).toBe(503);
      // The write waits asynchronously, so the event loop answers the health check first.
      expect(order).toEqual(["health", "webhook"]);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });
});
