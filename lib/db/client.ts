import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/lib/generated/sqlite/client.ts";
import { getConfig, type Config } from "@/lib/config";

/**
 * The Prisma client, made once per process and kept on globalThis so that server.ts and
 * the route handlers Next bundles separately share one connection (style.md, habit 4).
 */

export type Database = PrismaClient;

const DB_KEY = Symbol.for("vonage-console.db");
type WithDb = typeof globalThis & { [DB_KEY]?: Database };

/**
 * SQLite settings, chosen in docs/decisions/0003-sqlite-durability.md:
 * - WAL, so the dashboard's reads never block a webhook's write;
 * - synchronous=FULL, so an acknowledged event survives power loss, not just a crash;
 * - busy_timeout=0: better-sqlite3 waits for a lock by blocking the whole event loop,
 *   so waiting for a locked database is done asynchronously by the writer instead.
 */
const SQLITE_PRAGMAS = ["journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON", "busy_timeout = 0"];

export function createDatabase(config: Config): Database {
  if (config.databaseKind !== "sqlite" || !config.sqlitePath) {
    throw new Error("PostgreSQL storage is not available in this build");
  }
  fs.mkdirSync(path.dirname(config.sqlitePath), { recursive: true });
  const adapter = new PrismaBetterSQLite3({ url: config.sqlitePath, timeout: 0 });
  return new PrismaClient({ adapter });
}

/** Applies the connection settings; returns them as SQLite reports them, for the start-up log. */
export async function configureConnection(db: Database): Promise<Record<string, string>> {
  const applied: Record<string, string> = {};
  for (const pragma of SQLITE_PRAGMAS) {
    const name = pragma.split("=")[0]!.trim();
    await db.$queryRawUnsafe(`PRAGMA ${pragma}`);
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
    applied[name] = String(Object.values(rows[0] ?? {})[0]);
  }
  return applied;
}

export function getDatabase(): Database {
  const store = globalThis as WithDb;
  store[DB_KEY] ??= createDatabase(getConfig());
  return store[DB_KEY];
}
