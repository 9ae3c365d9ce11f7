import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson, postWebhook, statusBody } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/** Beyond MAX_CONCURRENT_WEBHOOKS in progress, webhooks are shed with 503 + Retry-After at once. */

// The requests in progress are held by a SQLite write lock, which PostgreSQL has no file for.
describe.runIf(!onPostgres)("overload", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, MAX_CONCURRENT_WEBHOOKS: "3", DATABASE_BUSY_TIMEOUT_MS: "10000" } });
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
});
