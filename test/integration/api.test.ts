import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventFilterSchema, matchesFilter } from "@/lib/events/filter";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import { ackOf, getJson, inboundBody, listAllEvents, postWebhook, statusBody } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/** The read API: filters, paging and errors, over HTTP against a seeded real database. */

let server: RunningServer;
const MESSAGE = "11111111-2222-4333-8444-555555555555";
const seeded: { id: number; body: Record<string, unknown>; kind: "status" | "inbound" }[] = [];

async function seed(kind: "status" | "inbound", body: string) {
  const response = await postWebhook(server.url, kind, body);
  expect(response.status).toBe(200);
  const { id } = ackOf(response);
  seeded.push({ id, kind, body: JSON.parse(body) as Record<string, unknown> });
}

beforeAll(async () => {
  server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
  // One message whose statuses arrive out of order: read, submitted, delivered.
  await seed("status", statusBody({ message_uuid: MESSAGE, status: "read", channel: "whatsapp", timestamp: "2026-11-27T10:05:00Z" }));
  await seed("status", statusBody({ message_uuid: MESSAGE, status: "submitted", channel: "whatsapp", timestamp: "2026-11-27T10:00:00Z" }));
  await seed(
    "status",
    statusBody({ message_uuid: MESSAGE, status: "delivered", channel: "whatsapp", timestamp: "2026-11-27T10:00:02.100Z" }),
  );
  for (let i = 0; i < 30; i++) {
    await seed(
      "status",
      statusBody({
        status: i % 3 === 0 ? "rejected" : "delivered",
        channel: i % 2 ? "sms" : "viber_service",
        to: `4477009${String(i).padStart(5, "0")}`,
      }),
    );
  }
  await seed(
    "status",
    statusBody({
      status: "rejected",
      channel: "whatsapp",
      error: { type: "https://developer.vonage.com/api-errors/messages#1340", title: "1340", detail: "Outside of the allowed window" },
    }),
  );
  await seed("inbound", inboundBody({ text: "Hello, where is my parcel?", from: "14155550100", client_ref: "order-42" }));
  await seed(
    "inbound",
    inboundBody({
      channel: "mms",
      message_type: "image",
      image: { url: "https://example.com/a.jpg", caption: "My parcel arrived broken" },
    }),
  );
  await seed("inbound", inboundBody({ channel: "sms", text: "100% sure_thing, not 100 sure" }));
});

afterAll(async () => {
  await server?.stop();
});

const ids = (events: EventJson[]) => events.map((e) => e.id);
const query = (q: string) =>
  getJson<{ events: EventJson[]; nextCursor: number | null; error?: string; detail?: string }>(server.url, `/api/events?${q}`);

describe("GET /api/events", () => {
  it("lists newest first with a default page of 100", async () => {
    const { body } = await query("");
    expect(ids(body.events)).toEqual(seeded.map((s) => s.id).sort((a, b) => b - a));
    expect(body.nextCursor).toBeNull();
  });

  it("pages backwards with before, and forwards with after, without gaps or repeats", async () => {
    const all = seeded.map((s) => s.id).sort((a, b) => b - a);
    const backwards: number[] = [];
    let cursor: number | null = null;
    do {
      const { body } = await query(`limit=7${cursor ? `&before=${cursor}` : ""}`);
      expect(body.events.length).toBeLessThanOrEqual(7);
      backwards.push(...ids(body.events));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(backwards).toEqual(all);

    const forwards: number[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const { body } = await query(`limit=6&after=${after}`);
      forwards.push(...ids(body.events));
      after = body.nextCursor;
    }
    expect(forwards).toEqual([...all].reverse());
  });

  it("filters by message ID, exact, ignoring spaces around a paste", async () => {
    const { body } = await query(`message_id=${encodeURIComponent(`  ${MESSAGE} `)}`);
    expect(body.events).toHaveLength(3);
    expect(new Set(body.events.map((e) => e.messageUuid))).toEqual(new Set([MESSAGE]));
    expect((await query(`message_id=${MESSAGE.slice(0, 20)}`)).body.events).toHaveLength(0);
  });

  it("filters by kind, status and channel, alone and combined", async () => {
    const count = (pred: (s: (typeof seeded)[number]) => boolean) => seeded.filter(pred).length;
    expect((await query("kind=inbound")).body.events).toHaveLength(3);
    expect((await query("status=rejected")).body.events).toHaveLength(count((s) => s.body.status === "rejected"));
    expect((await query("channel=sms&status=delivered")).body.events).toHaveLength(
      count((s) => s.kind === "status" && s.body.channel === "sms" && s.body.status === "delivered"),
    );
  });

  it("filters by phone number on either side, however it is typed", async () => {
    const { body } = await query(`phone=${encodeURIComponent("+44 7700 900004")}`);
    expect(body.events.map((e) => e.to)).toEqual(["447700900004"]);
    expect((await query("phone=14155550100")).body.events.map((e) => e.from)).toEqual(["14155550100"]);
  });

  it("filters by free text in the message body and by client_ref", async () => {
    expect((await query("text=PARCEL")).body.events).toHaveLength(2);
    expect((await query("text=broken")).body.events[0]!.messageType).toBe("image");
    expect((await query("text=100%25")).body.events).toHaveLength(1);
    expect((await query("text=e_t")).body.events).toHaveLength(1);
    expect((await query("text=0_s")).body.events).toHaveLength(0);
    expect((await query("client_ref=order-42")).body.events).toHaveLength(1);
  });

  it("filters by error code", async () => {
    const { body } = await query("error_code=1340");
    expect(body.events.map((e) => [e.status, e.error?.code])).toEqual([["rejected", "1340"]]);
    expect((await query("error_code=1250")).body.events).toHaveLength(0);
  });

  it("filters by time received", async () => {
    const all = (await query("")).body.events;
    const middle = all[10]!.receivedAt;
    const since = (await query(`since=${middle}&limit=500`)).body.events;
    expect(since.every((e) => e.receivedAt >= middle)).toBe(true);
    const until = (await query(`until=${middle}&limit=500`)).body.events;
    expect(since.length + until.length).toBe(all.length + all.filter((e) => e.receivedAt === middle).length);
    expect((await query("since=2999-01-01")).body.events).toHaveLength(0);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["before=1&after=2", "either before or after"],
    ["since=yesterday", "since"],
    ["kind=delivery", "kind"],
    ["colour=blue", "unknown parameter"],
    ["status=a&status=b", "more than once"],
  ])("answers 400 with a message for %s", async (q, message) => {
    const { status, body } = await query(q);
    expect(status).toBe(400);
    expect(body.error).toBe("bad_request");
    expect(body.detail).toContain(message);
  });
});

describe("the live filter and the database filter", () => {
  it.each([
    "status=delivered",
    "channel=sms&kind=status",
    `message_id=${MESSAGE}`,
    "phone=447700900004",
    "phone=%2B1%20415%20555%200100",
    "text=parcel",
    "text=PARCEL%20ARRIVED",
    "text=%25",
    "text=_",
    "client_ref=order-42",
    "error_code=1340",
    "kind=inbound&text=broken",
  ])("select the same events for %s", async (query) => {
    const all = await listAllEvents(server.url);
    const filter = eventFilterSchema.parse(Object.fromEntries(new URLSearchParams(query)));
    const fromDatabase = (await listAllEvents(server.url, query)).map((e) => e.id);
    expect(fromDatabase).toEqual(all.filter((e) => matchesFilter(e, filter)).map((e) => e.id));
  });
});

describe("GET /api/messages/:id", () => {
  it("returns every event of the message in the provider's time order", async () => {
    const { status, body } = await getJson<{ messageUuid: string; events: EventJson[] }>(server.url, `/api/messages/${MESSAGE}`);
    expect(status).toBe(200);
    expect(body.events.map((e) => e.status)).toEqual(["submitted", "delivered", "read"]);
  });

  it("answers 404 for a message it has never seen", async () => {
    expect((await getJson(server.url, "/api/messages/unknown-id")).status).toBe(404);
  });
});

describe("GET /api/rejections", () => {
  it("lists refusals newest first and filters by reason", async () => {
    await postWebhook(server.url, "status", statusBody(), { secret: "wrong-secret-zzzzzzzz" });
    await postWebhook(server.url, "status", statusBody(), { unsigned: true });
    const { body } = await getJson<{ rejections: RejectionJson[] }>(server.url, "/api/rejections");
    expect(body.rejections.map((r) => r.reason).slice(0, 2)).toEqual(["missing_token", "bad_signature"]);
    const filtered = await getJson<{ rejections: RejectionJson[] }>(server.url, "/api/rejections?reason=bad_signature");
    expect(filtered.body.rejections.every((r) => r.reason === "bad_signature")).toBe(true);
    expect((await getJson(server.url, "/api/rejections?reason=gremlins")).status).toBe(400);
  });
});

describe("GET /api/health", () => {
  it("reports the database, the verification mode and the counts", async () => {
    const { status, body } = await getJson<Record<string, unknown>>(server.url, "/api/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: "ok",
      database: { kind: onPostgres ? "postgresql" : "sqlite", reachable: true },
      verification: { mode: "verified", maxAgeSeconds: 86400 },
      events: seeded.length,
    });
    expect(JSON.stringify(body)).not.toContain(TEST_SECRET);
  });
});

describe("without a signature secret", () => {
  let open: RunningServer;
  beforeAll(async () => {
    open = await startServer();
  });
  afterAll(async () => {
    await open?.stop();
  });

  it("accepts unsigned and signed calls alike, marks them unverified, and says so loudly", async () => {
    expect((await postWebhook(open.url, "status", statusBody(), { unsigned: true })).status).toBe(200);
    expect((await postWebhook(open.url, "inbound", inboundBody(), { secret: "anything" })).status).toBe(200);
    const events = await listAllEvents(open.url);
    expect(events.map((e) => e.verification)).toEqual(["unverified", "unverified"]);
    const { body } = await getJson<{ verification: { mode: string; warning: string } }>(open.url, "/api/health");
    expect(body.verification.mode).toBe("unverified");
    expect(body.verification.warning).toContain("VONAGE_SIGNATURE_SECRET");
    expect(open.output()).toMatch(/WARNING: VONAGE_SIGNATURE_SECRET is not set/);
  });
});
