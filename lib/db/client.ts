import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { PrismaClient as PostgresClient } from "@/lib/generated/postgres/client.ts";
import { PrismaClient } from "@/lib/generated/sqlite/client.ts";
import { getConfig, type Config } from "@/lib/config";
import { preparePrivateSqliteFile } from "@/lib/db/sqlite-file";
import { remember, shared } from "@/lib/remember";

/**
 * The Prisma client, made once per process and kept on globalThis so that server.ts and
 * the route handlers Next bundles separately share one connection.
 * SQLite by default; PostgreSQL when DATABASE_URL says so. Both clients are generated from
 * the same data model (prisma/schema.prisma), so they have the same API: the rest of the
 * code sees one `Database` type.
 */

export type Database = PrismaClient;

/** Closed on shutdown, so a box: the next caller opens a new one. */
const writeConnection = () => shared<BetterSqlite3.Database>("write-db");

function createPostgresPool(config: Config): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.databasePoolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that breaks (PostgreSQL restarted) must not crash the process; the
  // next query gets a new connection, or an error that the caller answers with 503.
  pool.on("error", (error) => console.error("[db] PostgreSQL connection lost:", error.message));
  return pool;
}

/** The process's PostgreSQL pool, shared by Prisma and the bulk read path (lib/db/scan.ts). */
export function getPostgresPool(): pg.Pool {
  return remember("pg-pool", () => createPostgresPool(getConfig()));
}

/**
 * SQLite settings, chosen in docs/decisions/003-sqlite-durability.md:
 * - WAL, so the dashboard's reads never block a webhook's write;
 * - synchronous=FULL, so an acknowledged event survives power loss, not just a crash;
 * - busy_timeout=0: better-sqlite3 waits for a lock by blocking the whole event loop,
 *   so waiting for a locked database is done asynchronously by the writer instead.
 */
const SQLITE_PRAGMAS = ["journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON", "busy_timeout = 0"];

/** A client for any configuration (the copy command opens two); the app uses getDatabase(). */
export function createDatabase(config: Config, pool?: pg.Pool): Database {
  if (config.databaseKind === "postgresql") {
    return new PostgresClient({ adapter: new PrismaPg(pool ?? createPostgresPool(config)) }) as unknown as Database;
  }
  if (!config.sqlitePath) throw new Error("DATABASE_URL names no SQLite file");
  preparePrivateSqliteFile(config.sqlitePath);
  const adapter = new PrismaBetterSQLite3({ url: config.sqlitePath, timeout: 0 });
  return new PrismaClient({ adapter });
}

/** Applies the connection settings; returns them as the database reports them, for the start-up log. */
export async function configureConnection(db: Database): Promise<Record<string, string>> {
  const applied: Record<string, string> = {};
  if (getConfig().databaseKind === "postgresql") {
    const [row] = await db.$queryRawUnsafe<{ server_version: string }[]>("SHOW server_version");
    return { postgresql: row?.server_version.split(" ")[0] ?? "?", pool: String(getConfig().databasePoolSize) };
  }
  for (const pragma of SQLITE_PRAGMAS) {
    const name = pragma.split("=")[0]!.trim();
    await db.$queryRawUnsafe(`PRAGMA ${pragma}`);
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
    applied[name] = String(Object.values(rows[0] ?? {})[0]);
  }
  return applied;
}

/** The client for reads (the API, the live catch-up), single-statement writes, and PostgreSQL's batches. */
export function getDatabase(): Database {
  return remember("db", () => {
    const config = getConfig();
    return createDatabase(config, config.databaseKind === "postgresql" ? getPostgresPool() : undefined);
  });
}

/**
 * The connection the batch writers commit through on SQLite: the driver itself, not a Prisma
 * client. A batch is one synchronous transaction on it (lib/events/write.ts): through Prisma's
 * interactive transaction the same batches cost the ingest worker about twice the CPU per
 * webhook (docs/decisions/037-sqlite-writes-stay-on-the-driver.md).
 * Being synchronous, no read on another connection can ever see its rows before the commit.
 * Prisma still owns the schema, the migrations and every other query.
 */
export function getSqliteWriteConnection(): BetterSqlite3.Database {
  const connection = writeConnection();
  if (!connection.current) {
    const config = getConfig();
    if (!config.sqlitePath) throw new Error("DATABASE_URL names no SQLite file");
    preparePrivateSqliteFile(config.sqlitePath);
    const db = new BetterSqlite3(config.sqlitePath, { timeout: 0 });
    for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
    connection.current = db;
  }
  return connection.current;
}

/** SQLite reports a held lock as SQLITE_BUSY; Prisma surfaces it as a socket timeout. */
export function isDatabaseBusy(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${String((error as Error)?.message ?? error)}`;
  return /SQLITE_BUSY|SocketTimeout|database is locked|P1008|Socket timeout/i.test(text);
}

/** Closes the SQLite write connection, if open (on shutdown; in-flight batches are committed by then). */
export function closeSqliteWriteConnection(): void {
  const connection = writeConnection();
  connection.current?.close();
  connection.current = undefined;
}
