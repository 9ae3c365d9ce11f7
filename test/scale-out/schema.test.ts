import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { migrate } from "@/lib/db/migrate";
import { ensureTestDatabase } from "@/test/support/postgres";
import { makeDataDir, ROOT } from "@/test/support/server";

/** One data model, two stores: the PostgreSQL schema and migrations must not drift from SQLite's. */

describe("the two stores' schemas", () => {
  it("prisma/postgres/schema.prisma is derived from prisma/schema.prisma and up to date", () => {
    const check = spawnSync(process.execPath, ["--import", "tsx", "scripts/prisma-schemas.ts", "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  });

  it("both migration histories produce the same tables, columns and nullability", async () => {
    const file = `${makeDataDir()}/events.db`;
    await migrate(parseConfig({ DATABASE_URL: `file:${file}` }), ROOT);
    const url = await ensureTestDatabase(`schema_${randomUUID()}`);
    await migrate(parseConfig({ DATABASE_URL: url }), ROOT);

    const sqlite = new Database(file, { readonly: true });
    const tables = (
      sqlite
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`)
        .all() as { name: string }[]
    ).map((t) => t.name);
    const fromSqlite = tables.flatMap((table) =>
      (sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; notnull: number; pk: number }[]).map(
        (c) => `${table}.${c.name} ${c.notnull || c.pk ? "NOT NULL" : "NULL"}`,
      ),
    );
    sqlite.close();

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    await client.end();
    const fromPostgres = rows.map((c) => `${c.table_name}.${c.column_name} ${c.is_nullable === "YES" ? "NULL" : "NOT NULL"}`);

    expect(fromPostgres.sort()).toEqual(fromSqlite.sort());
    expect(fromSqlite.length).toBeGreaterThan(40);
  });
});
