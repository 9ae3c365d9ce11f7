import Database from "better-sqlite3";
import fs from "node:fs";
import http from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RejectionJson } from "@/lib/events/types";
import { apiAuth, getJson, statusBody, WEBHOOK_PATHS } from "@/test/support/http";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * Refusals cannot fill the disk (docs/decisions/021-rejection-sampling.md): past the first few
 * per address and window only samples and counts are kept, headers are capped, and
 * REJECTIONS_MAX_ROWS bounds the table.
 */

/** A refused webhook (a malformed token), sent from `localAddress` so the server sees that address. */
function refuse(
  server: RunningServer,
  localAddress = "127.0.0.1",
  headers: Record<string, string> = {},
  body = statusBody({ pad: "x".repeat(8000) }),
): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${server.url}${WEBHOOK_PATHS.status}`,
      { method: "POST", localAddress, headers: { "content-type": "application/json", authorization: "Bearer abc", ...headers } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode!));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** Sends `count` refusals, `concurrency` at a time. */
async function refuseMany(server: RunningServer, count: number, concurrency: number, addressOf: (i: number) => string = () => "127.0.0.1") {
  let next = 0;
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) statuses.push(await refuse(server, addressOf(next++)));
    }),
  );
  expect(statuses).toEqual(Array(count).fill(401));
}

async function allRejections(server: RunningServer): Promise<RejectionJson[]> {
  const page = await getJson<{ rejections: RejectionJson[] }>(server.url, "/api/rejections?limit=500");
  expect(page.status).toBe(200);
  return page.body.rejections;
}

/** Bytes the store holds: the SQLite file, or the PostgreSQL table with its TOAST and indexes. */
async function storedBytes(server: RunningServer): Promise<number> {
  if (onPostgres) {
    const client = new pg.Client({ connectionString: server.env.DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(`SELECT pg_total_relation_size('rejections') AS n`);
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }
  // The pages the file holds once the WAL is folded in. The WAL's own length counts commits,
  // not rows (every small commit appends whole pages), and varied from run to run with how many
  // batches the refusals happened to form.
  const db = new Database(server.databaseFile, { timeout: 5_000 });
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return fs.statSync(server.databaseFile).size;
}

describe("refusals from one address", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, REJECTIONS_WINDOW_SECONDS: "1", REJECTIONS_FULL_PER_ADDRESS: "20" },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps the first in full, then samples and counts: far fewer rows whose repeats add up to every refusal", async () => {
    const before = await storedBytes(server);
    await refuseMany(server, 500, 5);
    // The window is one second here; once it closes, the refusals not yet counted on a row get one.
    await expect.poll(async () => (await allRejections(server)).reduce((sum, r) => sum + r.repeats, 0), { timeout: 10_000 }).toBe(500);
    const rows = await allRejections(server);
    expect(rows.length).toBeLessThan(100);
    expect(rows.filter((r) => r.repeats === 1).length).toBeGreaterThanOrEqual(20);
    // 500 refusals of 8 KB each were 4 MB in full.
    expect((await storedBytes(server)) - before).toBeLessThan(1024 * 1024);

    const csv = await (await fetch(`${server.url}/api/rejections/export?format=csv`, { headers: apiAuth })).text();
    expect(csv.split("\r\n")[0]).toContain("repeats");
  });

  it("stores long headers cut, and says so", async () => {
    const long = "y".repeat(10_000);
    expect(await refuse(server, "127.0.0.1", { "x-long": long, "x-more-1": "z".repeat(2000), "x-more-2": "z".repeat(2000) }, "{}")).toBe(
      401,
    );
    await expect
      .poll(async () => (await allRejections(server)).some((r) => r.headers["x-long"] !== undefined), { timeout: 10_000 })
      .toBe(true);
    const rejection = (await allRejections(server)).find((r) => r.headers["x-long"] !== undefined)!;
    expect(rejection.headers["x-long"]!.length).toBeLessThan(1100);
    expect(rejection.headers["x-long"]).toMatch(/cut from 10000 bytes/);
    expect(JSON.stringify(rejection.headers).length).toBeLessThan(9 * 1024);
  });
});

describe("REJECTIONS_MAX_ROWS", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, REJECTIONS_MAX_ROWS: "50" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps at most that many rows, the newest, with refusals from many addresses", async () => {
    await refuseMany(server, 200, 4, (i) => `127.0.0.${2 + i}`);
    const rows = await allRejections(server);
    expect(rows.length).toBeLessThanOrEqual(50);
    expect(rows.length).toBeGreaterThan(0);
    const addresses = new Set(rows.map((r) => r.sourceIp));
    // Sent in order, four at a time: the newest rows come from the last addresses.
    expect(addresses.has("127.0.0.201")).toBe(true);
    expect(addresses.has("127.0.0.2")).toBe(false);
  });
});
