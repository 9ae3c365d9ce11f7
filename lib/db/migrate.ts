import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Config } from "@/lib/config";
import { sqliteDate } from "@/lib/db/sqlite-date";
import { preparePrivateSqliteFile } from "@/lib/db/sqlite-file";
import { sha256 } from "@/lib/sha256";

/**
 * Applies the committed migrations at start-up (prisma/migrations for SQLite,
 * prisma/postgres/migrations for PostgreSQL), and records them in Prisma's own
 * `_prisma_migrations` table so `prisma migrate status` agrees. We run them ourselves
 * because the Prisma CLI cannot be relied on at run time here (docs/decisions/002).
 * Instances starting at once apply each migration exactly once. Through the drivers, not the
 * Prisma client, which runs one statement per call (docs/decisions/034).
 */

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export function loadMigrations(directory: string): Migration[] {
  return fs
    .readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(directory, name, "migration.sql"), "utf8");
      return { name, sql, checksum: sha256(sql).toString("hex") };
    });
}

const PRISMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export function migrateSqlite(file: string, migrations: Migration[]): MigrationReport {
  // The first thing to open the file at start-up.
  preparePrivateSqliteFile(file);
  const db = new Database(file, { timeout: 10_000 });
  try {
    db.exec(PRISMA_MIGRATIONS_TABLE);
    const report: MigrationReport = { applied: [], alreadyApplied: 0 };
    for (const migration of migrations) {
      // IMMEDIATE takes the write lock first, so two processes starting at once apply
      // each migration exactly once.
      const apply = db.transaction(() => {
        const done = db
          .prepare(
            `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .get(migration.name) as { checksum: string } | undefined;
        if (done) {
          if (done.checksum !== migration.checksum) {
            throw new Error(`migration ${migration.name} was changed after it was applied`);
          }
          return false;
        }
        const startedAt = sqliteDate(new Date());
        db.exec(migration.sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
        ).run(randomUUID(), migration.checksum, sqliteDate(new Date()), migration.name, startedAt);
        return true;
      });
      if (apply.immediate()) report.applied.push(migration.name);
      else report.alreadyApplied += 1;
    }
    return report;
  } finally {
    db.close();
  }
}

const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Any fixed number: the session-level advisory lock that serialises concurrent start-ups. */
const MIGRATION_LOCK = 7_340_211;

export async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationReport> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(POSTGRES_MIGRATIONS_TABLE);
    const report: MigrationReport = { applied: [], alreadyApplied: 0 };
    for (const migration of migrations) {
      const { rows } = await client.query<{ checksum: string }>(
        `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        [migration.name],
      );
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) throw new Error(`migration ${migration.name} was changed after it was applied`);
        report.alreadyApplied += 1;
        continue;
      }
      await client.query("BEGIN");
      try {
        const startedAt = new Date();
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, now(), $3, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      report.applied.push(migration.name);
    }
    return report;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** Applies the configured store's migrations, from the folder that belongs to it. */
export async function migrate(config: Config, root: string): Promise<MigrationReport> {
  if (config.databaseKind === "postgresql") {
    return migratePostgres(config.databaseUrl, loadMigrations(path.join(root, "prisma/postgres/migrations")));
  }
  return migrateSqlite(config.sqlitePath!, loadMigrations(path.join(root, "prisma/migrations")));
}
