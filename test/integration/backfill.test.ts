import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadMigrations, migratePostgres, migrateSqlite } from "@/lib/db/migrate";
import type { EventJson } from "@/lib/events/types";
import type { InsightsJson, MessageJson } from "@/lib/messages/types";
import { getJson, listAllEvents, postWebhook, statusBody } from "@/test/support/http";
import { ensureTestDatabase, onPostgres } from "@/test/support/postgres";
import { seedEventsInChild } from "@/test/support/seed";
import { makeDataDir, ROOT, startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * A log stored by a console from before message states: the migration that adds them notes the
 * newest event, the console starts at once and fills the states in behind, while webhooks keep
 * arriving, and every message is counted once.
 */

const FIRST_WITH_MESSAGES = "20261203170000_message_states";
const EVENTS = 6000;
const PER_MESSAGE = 3;

let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop();
});

describe("filling in message states for an existing log", () => {
  it("folds every stored event in once, beside live webhooks, without holding up the start", async () => {
    const dataDir = makeDataDir();
    const folder = path.join(ROOT, onPostgres ? "prisma/postgres/migrations" : "prisma/migrations");
    const older = loadMigrations(folder).filter((m) => m.name < FIRST_WITH_MESSAGES);
    let target: string;
    if (onPostgres) {
      target = await ensureTestDatabase(path.basename(dataDir));
      await migratePostgres(target, older);
    } else {
      target = path.join(dataDir, "events.db");
      migrateSqlite(target, older);
    }
    await seedEventsInChild(target, { count: EVENTS, perMessage: PER_MESSAGE, tag: "old" });

    server = await startServer({ dataDir, env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, ...(onPostgres ? { DATABASE_URL: target } : {}) } });
    // A new status for a message of the old log, while its old events are being folded in.
    const [old] = (await getJson<{ events: EventJson[] }>(server.url, "/api/events?limit=1&client_ref=old-0")).body.events;
    const uuid = old!.messageUuid!;
    const live = await postWebhook(
      server.url,
      "status",
      statusBody({ message_uuid: uuid, status: "read", timestamp: new Date().toISOString() }),
    );
    expect(live.status).toBe(200);

    const deadline = Date.now() + 60_000;
    let insights: InsightsJson;
    for (;;) {
      insights = (await getJson<InsightsJson>(server.url, "/api/insights?channel=sms")).body;
      if (server.output().includes("message states filled in") || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(server.output()).toMatch(/\[messages\] message states filled in, up to event 6000/);
    insights = (await getJson<InsightsJson>(server.url, "/api/insights")).body;
    expect(insights.messages.total).toBe(EVENTS / PER_MESSAGE);
    expect(insights.backfillRemaining).toBe(0);

    const { body } = await getJson<{ events: EventJson[]; message: MessageJson }>(server.url, `/api/messages/${uuid}`);
    expect(body.message.events).toBe(PER_MESSAGE + 1);
    expect(body.message.events).toBe(body.events.length);
    expect(body.message.state).toBe("read");
    // Every seeded message once, and its events counted.
    const all = await listAllEvents(server.url, "kind=status");
    expect(new Set(all.map((e) => e.messageUuid)).size).toBe(insights.messages.total);
  }, 120_000);
});
