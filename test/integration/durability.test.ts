import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { listAllEvents, postWebhook, statusBody } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { makeDataDir, ROOT, SERVE, startServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/** Start-up, restarts and crashes: nothing acknowledged is ever lost. */

describe("start-up", () => {
  it("refuses to start with invalid configuration, naming every problem", () => {
    const result = spawnSync(SERVE, {
      cwd: ROOT,
      env: {
        ...process.env,
        ENV_FILE: "",
        PORT: "http",
        SIGNATURE_MAX_AGE_SECONDS: "0",
        DATABASE_URL: "mysql://db",
        NODE_ENV: "production",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid configuration");
    for (const name of ["PORT", "SIGNATURE_MAX_AGE_SECONDS", "DATABASE_URL"]) expect(result.stderr).toContain(name);
  });

  it("creates the database, applies migrations once, and keeps data across restarts", async () => {
    const dataDir = makeDataDir();
    const env = { VONAGE_SIGNATURE_SECRET: TEST_SECRET };
    const first = await startServer({ dataDir, env });
    expect(first.output()).toMatch(/applied \d+_init/);
    expect(first.output()).toMatch(onPostgres ? /\[db\] postgresql=\d+/ : /journal_mode=wal synchronous=2/);
    expect((await postWebhook(first.url, "status", statusBody())).status).toBe(200);
    await first.stop();

    const second = await startServer({ dataDir, env });
    expect(second.output()).toContain("schema up to date");
    expect(await listAllEvents(second.url)).toHaveLength(1);
    await second.stop();
  });
});

describe("a crash under load", () => {
  it("keeps every acknowledged event, and Vonage's retries fill in the rest exactly once", async () => {
    const dataDir = makeDataDir();
    const env = { VONAGE_SIGNATURE_SECRET: TEST_SECRET };
    const server = await startServer({ dataDir, env });
    const bodies = Array.from({ length: 400 }, (_, i) => statusBody({ client_ref: `crash-${i}` }));
    const acked = new Set<string>();
    let next = 0;
    let killed = false;

    const worker = async () => {
      while (next < bodies.length && !killed) {
        const body = bodies[next++]!;
        try {
          const response = await postWebhook(server.url, "status", body);
          if (response.status === 200) acked.add(body);
          if (acked.size >= 120 && !killed) {
            killed = true;
            await server.kill();
          }
        } catch {
          // Connection refused or reset by the crash: not acknowledged, Vonage will retry.
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(killed).toBe(true);

    const restarted = await startServer({ dataDir, env });
    const stored = new Set((await listAllEvents(restarted.url)).map((e) => JSON.stringify(e.payload)));
    for (const body of acked) expect(stored.has(JSON.stringify(JSON.parse(body)))).toBe(true);

    // Vonage retries everything that was not answered 200; some of it was stored before the crash.
    for (const body of bodies) expect((await postWebhook(restarted.url, "status", body)).status).toBe(200);
    const events = await listAllEvents(restarted.url);
    expect(events).toHaveLength(bodies.length);
    expect(new Set(events.map((e) => e.clientRef)).size).toBe(bodies.length);
    await restarted.stop();
  });
});
