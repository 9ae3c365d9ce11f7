// The count worker (lib/db/count.ts): runs COUNT queries on its own read-only connection, so a
// count that must read an index from disk never stops the HTTP thread's event loop.
// Plain JavaScript: it needs nothing but the driver, and starts in a few milliseconds
// (why not Prisma: docs/decisions/034).
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma("cache_size = -2000");

parentPort.on("message", ({ id, sql, values }) => {
  try {
    const row = db
      .prepare(sql)
      .raw(true)
      .get(...values);
    parentPort.postMessage({ id, count: Number(row[0]) });
  } catch (error) {
    parentPort.postMessage({ id, error: error.message });
  }
});
