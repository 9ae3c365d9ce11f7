import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ackOf, getJson, postWebhook, statusBody } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { makeDataDir, startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * /api/health answers "ok" only while a webhook could be stored: it used to say "ok" with a full
 * disk, a read-only database and a database with damaged pages, because it only ran `SELECT 1`.
 */

interface Health {
  status: string;
  database: { problems: string[]; storage: { writable: boolean; freeBytes: number | null } | null };
}

const detailed = (server: RunningServer) => getJson<Health>(server.url, "/api/health");
const publicStatus = async (server: RunningServer) => (await fetch(`${server.url}/api/health`)).status;

describe("health on a working database", () => {
  it("is ok, and says a test write succeeded", async () => {
    const server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
    try {
      const { status, body } = await detailed(server);
      expect(status).toBe(200);
      expect(body).toMatchObject({ status: "ok", database: { problems: [], storage: { writable: true } } });
      if (!onPostgres) expect(body.database.storage!.freeBytes).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});

// Mounting a small file system needs root, which CI and these machines have.
const isRoot = process.getuid?.() === 0;

describe.runIf(!onPostgres && isRoot)("health on a small file system (tmpfs)", () => {
  // Mounted in beforeAll, never in the suite's body: Vitest runs a skipped suite's body too (on the
  // PostgreSQL project), and its afterAll would never unmount what the body mounted.
  let mountPoint = "";
  let server: RunningServer | undefined;
  beforeAll(() => {
    mountPoint = makeDataDir("vwc-tmpfs-");
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=32m", "tmpfs", mountPoint]);
  });
  afterAll(async () => {
    await server?.kill();
    // The server is gone, so nothing holds the file system: a plain unmount, then the folder can go.
    execFileSync("umount", [mountPoint]);
  });

  it("says degraded while the disk is nearly full, and ok again once it is not", async () => {
    const dataDir = path.join(mountPoint, "data");
    server = await startServer({ dataDir, env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
    expect(ackOf(await postWebhook(server.url, "status", statusBody())).duplicate).toBe(false);
    expect(await publicStatus(server)).toBe(200);

    // Fill the disk but for a few MiB.
    const filler = path.join(mountPoint, "filler");
    const { bavail, bsize } = fs.statfsSync(mountPoint);
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - 4 * 1024 * 1024)));
    await expect.poll(() => publicStatus(server!), { timeout: 10_000 }).toBe(503);
    const { body } = await detailed(server);
    expect(body.status).toBe("degraded");
    expect(body.database.problems.join(" ")).toMatch(/MiB free on the database's disk/);
    fs.rmSync(filler);
    await expect.poll(() => publicStatus(server!), { timeout: 10_000 }).toBe(200);

    expect((await postWebhook(server.url, "status", statusBody())).status).toBe(200);
  });
});

describe.runIf(!onPostgres && isRoot)("health on a database that cannot be written", () => {
  it("says degraded while the files are immutable (chattr +i), and ok again after", async () => {
    const server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
    const files = ["events.db", "events.db-wal"].map((name) => path.join(server.dataDir, name)).filter((file) => fs.existsSync(file));
    try {
      expect(await publicStatus(server)).toBe(200);
      execFileSync("chattr", ["+i", ...files]);
      await expect.poll(() => publicStatus(server), { timeout: 10_000 }).toBe(503);
      expect((await detailed(server)).body.database.problems.join(" ")).toMatch(/test write failed/);
    } finally {
      execFileSync("chattr", ["-i", ...files]);
    }
    await expect.poll(() => publicStatus(server), { timeout: 10_000 }).toBe(200);
    expect((await postWebhook(server.url, "status", statusBody())).status).toBe(200);
    await server.stop();
  });
});

describe.runIf(!onPostgres)("health on a damaged database file", () => {
  it("finds pages overwritten in the middle of the file at start-up, and says degraded", async () => {
    const dataDir = makeDataDir();
    const first = await startServer({ dataDir });
    await first.stop();
    // Enough rows for the events table to span hundreds of pages, then garbage over some of them.
    const file = path.join(dataDir, "events.db");
    const db = new Database(file);
    const insert = db.prepare(
      `INSERT INTO "events" ("kind", "dedupe_key", "received_at", "verification", "raw_body", "headers")
       VALUES ('status', ?, '2026-12-01T00:00:00.000+00:00', 'verified', ?, '{}')`,
    );
    db.transaction(() => {
      for (let i = 0; i < 5_000; i++) insert.run(`key-${i}`, JSON.stringify({ i, pad: "x".repeat(300) }));
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    const pages = Math.floor(fs.statSync(file).size / 4096);
    const fd = fs.openSync(file, "r+");
    for (let page = Math.floor(pages / 2); page < Math.floor(pages / 2) + 10; page++)
      fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096);
    fs.closeSync(fd);

    const server = await startServer({ dataDir });
    try {
      // SELECT 1 and a test write both still succeed here: only reading the whole file tells.
      await expect.poll(async () => (await detailed(server)).body.status, { timeout: 20_000 }).toBe("degraded");
      const { status, body } = await detailed(server);
      expect(status).toBe(503);
      expect(body.database.problems.join(" ")).toMatch(/damaged .*quick_check/);
      expect(await publicStatus(server)).toBe(503);
      expect(server.output()).toMatch(/integrity check FAILED/);
    } finally {
      await server.stop();
    }
  });
});
