import fs from "node:fs";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { getDatabase, getSqliteWriteConnection, isDatabaseBusy } from "@/lib/db/client";
import { sqliteDate } from "@/lib/db/sqlite-date";

/**
 * Can a webhook be stored right now? Asked by /api/health, answered where the write path is
 * (the ingest worker): a real commit to a one-row table, the free space on the SQLite file's
 * disk, and whether the last write of an event or a rejection failed. `SELECT 1` answered "ok"
 * with a full disk and a read-only database (docs/decisions/023-storage-health.md).
 */

export interface StorageCheck {
  /** A webhook could be committed now. */
  writable: boolean;
  /** Why not, in words for the operator; null when writable. */
  problem: string | null;
  /** Free space on the SQLite file's disk; null on PostgreSQL. */
  freeBytes: number | null;
  /** The last failed write of an event or rejection, when none has succeeded since. */
  lastWriteError: { at: string; message: string } | null;
}

/**
 * Below this much free space the next write may fail: a webhook body is up to 1 MiB, and the
 * WAL grows by a few pages per commit until the next checkpoint.
 */
const MIN_FREE_BYTES = 8 * 1024 * 1024;

let lastWriteError: StorageCheck["lastWriteError"] = null;

/** Called by the batch writers after every batch: a success clears an earlier failure. */
export function noteWriteOutcome(error?: unknown): void {
  if (error === undefined) lastWriteError = null;
  else if (!isDatabaseBusy(error)) lastWriteError = { at: new Date().toISOString(), message: messageOf(error) };
}

export async function checkStorage(): Promise<StorageCheck> {
  const config = getConfig();
  const freeBytes = config.sqlitePath ? freeBytesOn(path.dirname(config.sqlitePath)) : null;
  const failed = (problem: string): StorageCheck => ({ writable: false, problem, freeBytes, lastWriteError });
  try {
    await writeProbe();
  } catch (error) {
    // Another writer holds the lock: the database works, and webhooks wait for it (writer.ts).
    if (!isDatabaseBusy(error)) return failed(`a test write failed: ${messageOf(error)}`);
  }
  if (freeBytes !== null && freeBytes < MIN_FREE_BYTES) {
    return failed(`only ${(freeBytes / 1024 / 1024).toFixed(1)} MiB free on the database's disk`);
  }
  if (lastWriteError) return failed(`the last write failed: ${lastWriteError.message}`);
  return { writable: true, problem: null, freeBytes, lastWriteError };
}

async function writeProbe(): Promise<void> {
  const now = new Date();
  if (getConfig().databaseKind === "sqlite") {
    getSqliteWriteConnection()
      .prepare(
        `INSERT INTO "health_probes" ("id", "checked_at") VALUES (1, ?) ON CONFLICT ("id") DO UPDATE SET "checked_at" = excluded."checked_at"`,
      )
      .run(sqliteDate(now));
    return;
  }
  await getDatabase().$executeRaw`INSERT INTO "health_probes" ("id", "checked_at") VALUES (1, ${now})
    ON CONFLICT ("id") DO UPDATE SET "checked_at" = excluded."checked_at"`;
}

function freeBytesOn(directory: string): number | null {
  try {
    const stats = fs.statfsSync(directory);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}
