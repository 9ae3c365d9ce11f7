import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { closeSqliteWriteConnection, configureConnection, createDatabase, isDatabaseBusy } from "@/lib/db/client";
import { loadMigrations, migrateSqlite } from "@/lib/db/migrate";
import { sqliteDate } from "@/lib/db/sqlite-date";
import type { StoredRejection } from "@/lib/events/rejection-sampling";
import type { NewEvent } from "@/lib/events/store";
import { writeEvents, writeRejections } from "@/lib/events/write";

/** The SQLite write path on a real SQLite file, with another connection playing a second process. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwc-write-"));
const file = path.join(dir, "write.db");
process.env.DATABASE_URL = `file:${file}`;
migrateSqlite(file, loadMigrations(path.join(process.cwd(), "prisma", "migrations")));
const db = createDatabase(getConfig());
await configureConnection(db);
const other = new Database(file, { timeout: 0 });

afterAll(async () => {
  other.close();
  closeSqliteWriteConnection();
  await db.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

function event(n: number, tokenId: string | null = null): NewEvent {
  const rawBody = JSON.stringify({ n });
  return {
    kind: "status",
    messageUuid: `aaaaaaaa-0000-4000-8000-00000000000${n}`,
    status: "delivered",
    channel: "sms",
    messageType: null,
    from: "Vonage",
    to: "447700900000",
    clientRef: 'ref "1"\u0000 é',
    errorCode: null,
    errorTitle: null,
    errorDetail: null,
    price: "0.0333",
    currency: "EUR",
    timestamp: new Date(Date.UTC(2026, 11, 3, 12, 0, n)),
    text: null,
    networkCode: null,
    concat: { ref: "r1", part: n, total: 3 },
    wireForm: null,
    receivedAt: new Date(Date.UTC(2026, 11, 3, 12, 1, n)),
    verification: "verified",
    hashForm: null,
    apiKey: "abcd1234",
    applicationId: null,
    rawBody,
    payload: { n },
    headers: { "content-type": "application/json" },
    tokenId,
  };
}

describe("writeEvents on SQLite", () => {
  it("gives new events the next ids in order and counts repeats, in the batch and of stored rows", async () => {
    const first = await writeEvents([event(1), event(2, "jti-2"), event(1)], ["k1", "k2", "k1"]);
    expect(first.map((o) => [o.id, o.duplicate])).toEqual([
      [1, false],
      [2, false],
      [1, true],
    ]);
    // A known key, and the same token under another key (a replay at another endpoint).
    const second = await writeEvents([event(3), event(1), event(9, "jti-2")], ["k3", "k1", "k9"]);
    expect(second.map((o) => [o.id, o.duplicate])).toEqual([
      [3, false],
      [1, true],
      [2, true],
    ]);
    const rows = other.prepare(`SELECT "id", "duplicates", "last_duplicate_at" FROM "events" ORDER BY "id"`).all();
    expect(rows).toEqual([
      { id: 1, duplicates: 2, last_duplicate_at: sqliteDate(event(1).receivedAt) },
      { id: 2, duplicates: 1, last_duplicate_at: sqliteDate(event(9).receivedAt) },
      { id: 3, duplicates: 0, last_duplicate_at: null },
    ]);
  });

  it("stores each value as Prisma's own writes do, so Prisma reads it back", async () => {
    const stored = other
      .prepare(
        `SELECT "received_at", "timestamp", "client_ref", "concat_part", typeof("concat_part") AS "part_type", "headers" FROM "events" WHERE "id" = 3`,
      )
      .get();
    expect(stored).toEqual({
      received_at: sqliteDate(event(3).receivedAt),
      timestamp: sqliteDate(event(3).timestamp!),
      client_ref: 'ref "1"\u0000 é',
      concat_part: 3,
      part_type: "integer",
      headers: '{"content-type":"application/json"}',
    });
    const read = await db.event.findUniqueOrThrow({ where: { id: 3 } });
    expect(read.receivedAt).toEqual(event(3).receivedAt);
    expect(read.concatTotal).toBe(3);
  });

  it("fails at once with a busy error while another process holds the lock, and writes once it is free", async () => {
    other.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      const error: unknown = await writeEvents([event(4)], ["k4"]).catch((e: unknown) => e);
      expect(isDatabaseBusy(error)).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      other.exec("ROLLBACK");
    }
    expect((await writeEvents([event(4)], ["k4"])).map((o) => o.id)).toEqual([4]);
  });
});

describe("writeRejections on SQLite", () => {
  const rejection = (n: number): StoredRejection => ({
    receivedAt: new Date(Date.UTC(2026, 11, 3, 13, 0, n)),
    endpoint: "/webhooks/message-status",
    method: "POST",
    reason: "bad_signature",
    detail: `refusal ${n}`,
    httpStatus: 401,
    sourceIp: "127.0.0.1",
    headers: { "x-n": String(n) },
    tokenClaims: null,
    body: "{}",
    bodyBytes: 2,
    bodyTruncated: n % 2 === 1,
    repeats: 1,
  });

  it("inserts a batch and keeps the newest maxRows", async () => {
    await writeRejections([rejection(1), rejection(2), rejection(3)], 2);
    const rows = other.prepare(`SELECT "detail", "received_at", "body_truncated", "token_claims" FROM "rejections" ORDER BY "id"`).all();
    expect(rows).toEqual([
      { detail: "refusal 2", received_at: sqliteDate(rejection(2).receivedAt), body_truncated: 0, token_claims: null },
      { detail: "refusal 3", received_at: sqliteDate(rejection(3).receivedAt), body_truncated: 1, token_claims: null },
    ]);
  });
});
