/**
 * Copies every event, rejection and revoked session from one console database to another
 * (typically SQLite → PostgreSQL), keeping ids, duplicate counts and timestamps. The target
 * is migrated first. Rows already there (same id) are left alone, so running it twice adds
 * nothing, and an interrupted copy can simply be run again.
 *
 *   npm run db:copy -- --from file:./data/events.db --to postgresql://user@host:5432/console
 *
 * Stop the console (or point Vonage elsewhere) while it runs, so nothing arrives in between.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "@/lib/config";
import { createDatabase, type Database } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { EVENT_ALL, REJECTION_ALL } from "@/lib/events/columns";
import { Prisma } from "@/lib/generated/sqlite/client.ts";

const PAGE = 1000;
const ROOT = path.resolve(import.meta.dirname, "..");

export interface CopyReport {
  events: { read: number; added: number };
  rejections: { read: number; added: number };
  revokedSessions: { read: number; added: number };
}

/** Copies one table in id order; returns rows read and rows added. */
async function copyTable(from: Database, to: Database, table: string, fields: readonly string[]): Promise<{ read: number; added: number }> {
  const columns = Prisma.raw(fields.map((f) => `"${f}"`).join(", "));
  let after = -1;
  let read = 0;
  let added = 0;
  for (;;) {
    const rows = await from.$queryRaw<Record<string, unknown>[]>`
      SELECT ${columns} FROM ${Prisma.raw(`"${table}"`)} WHERE "id" > ${after} ORDER BY "id" ASC LIMIT ${PAGE}`;
    if (rows.length === 0) break;
    read += rows.length;
    const values = rows.map((row) => Prisma.sql`(${Prisma.join(fields.map((f) => normalize(row[f])))})`);
    added += await to.$executeRaw`
      INSERT INTO ${Prisma.raw(`"${table}"`)} (${columns}) VALUES ${Prisma.join(values)} ON CONFLICT DO NOTHING`;
    after = Number(rows[rows.length - 1]!.id);
  }
  return { read, added };
}

/** Values as the target's adapter expects them (SQLite returns integers as bigint, booleans as 0/1). */
function normalize(value: unknown): unknown {
  return typeof value === "bigint" ? Number(value) : value;
}

export async function copyDatabase(fromUrl: string, toUrl: string): Promise<CopyReport> {
  const fromConfig = parseConfig({ DATABASE_URL: fromUrl });
  const toConfig = parseConfig({ DATABASE_URL: toUrl });
  await migrate(toConfig, ROOT);
  const from = createDatabase(fromConfig);
  const to = createDatabase(toConfig);
  try {
    const events = await copyTable(from, to, "events", EVENT_ALL);
    const rejections = await copyTable(from, to, "rejections", REJECTION_ALL);
    // Logged-out sessions stay logged out after the move (there are few of them).
    const sessions = await from.revokedSession.findMany();
    let sessionsAdded = 0;
    for (const session of sessions) {
      if (await to.revokedSession.findUnique({ where: { sid: session.sid } })) continue;
      await to.revokedSession.create({ data: session });
      sessionsAdded += 1;
    }
    if (events.added > 0) {
      // The copied events came in beside the write path: the target's message states and
      // insights are made again from all its events, by its console's next start (lib/messages/backfill.ts).
      await to.$transaction([
        to.$executeRaw`DELETE FROM "messages"`,
        to.$executeRaw`DELETE FROM "message_counts"`,
        to.$executeRaw`DELETE FROM "message_latencies"`,
        to.$executeRaw`UPDATE "message_backfill" SET "until_id" = (SELECT COALESCE(MAX("id"), 0) FROM "events"), "done_id" = 0 WHERE "id" = 1`,
      ]);
    }
    if (toConfig.databaseKind === "postgresql") {
      // New rejections take their ids from the sequence: move it past the copied rows.
      for (const table of ["events", "rejections"]) {
        await to.$executeRawUnsafe(
          `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), COALESCE((SELECT MAX("id") FROM "${table}"), 0) + 1, false)`,
        );
      }
    }
    return { events, rejections, revokedSessions: { read: sessions.length, added: sessionsAdded } };
  } finally {
    await Promise.all([from.$disconnect(), to.$disconnect()]);
  }
}

async function main() {
  const { values } = parseArgs({ options: { from: { type: "string" }, to: { type: "string" } } });
  if (!values.from || !values.to) {
    console.error("usage: npm run db:copy -- --from <DATABASE_URL> --to <DATABASE_URL>");
    process.exit(2);
  }
  const report = await copyDatabase(values.from, values.to);
  for (const [table, { read, added }] of Object.entries(report)) {
    console.log(`${table}: ${read} read, ${added} added, ${read - added} already there`);
  }
  // The PostgreSQL pools would keep the process waiting for their idle timeout.
  process.exit(0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
