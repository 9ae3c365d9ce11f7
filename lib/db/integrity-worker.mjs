// One whole-file integrity check of the SQLite database (lib/db/integrity.ts), on a read-only
// connection of its own: it reads every page, which must not stop any other thread.
// Plain JavaScript: it needs nothing but the driver (why not Prisma: docs/decisions/034).
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

let problem = null;
try {
  const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
  db.pragma("cache_size = -2000");
  const rows = db.pragma("quick_check(10)", { simple: false });
  const lines = rows.map((row) => String(Object.values(row)[0]));
  if (!(lines.length === 1 && lines[0] === "ok")) problem = lines.join("; ").slice(0, 1000);
  db.close();
} catch (error) {
  problem = `${error.code ?? ""} ${error.message}`.trim();
}
parentPort.postMessage({ problem });
