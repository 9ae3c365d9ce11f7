import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CountWorker } from "@/lib/db/count-worker-host";

/** The count worker on a real SQLite file: the answers, an error, and a restart after it stops. */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwc-count-"));
const file = path.join(dir, "count.db");
const db = new Database(file);
db.exec(`CREATE TABLE "t" ("id" INTEGER PRIMARY KEY, "kind" TEXT NOT NULL)`);
const insert = db.prepare(`INSERT INTO "t" ("id", "kind") VALUES (?, ?)`);
db.transaction(() => {
  for (let id = 1; id <= 3000; id++) insert.run(id, id % 3 === 0 ? "a" : "b");
})();
const worker = new CountWorker(file);

afterAll(async () => {
  await worker.stop();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("CountWorker", () => {
  it("counts on its own connection, with bound values", async () => {
    expect(await worker.count(`SELECT COUNT(*) FROM "t"`, [])).toBe(3000);
    expect(await worker.count(`SELECT COUNT(*) FROM "t" WHERE "kind" = ? AND "id" <= ?`, ["a", 300])).toBe(100);
    // Concurrent requests each get their own answer.
    const counts = await Promise.all([1, 2, 3].map((n) => worker.count(`SELECT COUNT(*) FROM "t" WHERE "id" <= ?`, [n * 1000])));
    expect(counts).toEqual([1000, 2000, 3000]);
  });

  it("sees rows committed after it started", async () => {
    db.prepare(`INSERT INTO "t" ("kind") VALUES ('c')`).run();
    expect(await worker.count(`SELECT COUNT(*) FROM "t" WHERE "kind" = ?`, ["c"])).toBe(1);
  });

  it("rejects a bad query, and starts again after it stops", async () => {
    await expect(worker.count(`SELECT COUNT(*) FROM "missing"`, [])).rejects.toThrow(/no such table/);
    await worker.stop();
    expect(await worker.count(`SELECT COUNT(*) FROM "t"`, [])).toBe(3001);
  });
});
