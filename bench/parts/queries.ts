import Database from "better-sqlite3";
import type { BenchConfig } from "@/bench/config";
import { listEventsSql, messageEventsSql, type BoundSql } from "@/bench/lib/event-sql";
import { keepAliveAgent, timeSequential, type PreparedRequest } from "@/bench/lib/http";
import { log, type PartResult } from "@/bench/lib/part";
import type { SummaryRow } from "@/bench/lib/report";
import { apiHeaders } from "@/bench/lib/servers";
import { fmt, markdownTable, ratio, textTable, type LatencySummary } from "@/bench/lib/stats";
import { sqliteDate } from "@/lib/db/sqlite-date";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 4: the dashboard's reads on a large log, one request at a time on an idle server.
 * Server time = p50 of the request − p50 of a trivial route handler on the same connection
 * (GET /webhooks/bench-baseline: no database, no auth check; GET /api/health with the token
 * is not trivial: it counts every event). The SQLite plan of each query's SQL is printed.
 */

const TARGET_MS = 20;

interface QueryCase {
  name: string;
  path: string;
  sql: BoundSql;
}

interface QueryRun {
  name: string;
  path: string;
  latency: LatencySummary;
  serverMs: number;
  bytes: number;
  plan: string[];
}

function plan(db: Database.Database, query: BoundSql): string[] {
  const bindable = query.values.map((v) => (v instanceof Date ? sqliteDate(v) : v));
  return (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...bindable) as { detail: string }[]).map((r) => r.detail);
}

export async function runQueries(config: BenchConfig["queries"], server: RunningServer): Promise<PartResult> {
  const db = new Database(server.databaseFile, { readonly: true, fileMustExist: true });
  try {
    const { lo, hi } = db.prepare(`SELECT MIN("id") AS lo, MAX("id") AS hi FROM "events"`).get() as { lo: number; hi: number };
    // A message from the middle of the log, and a cursor 90% of the way down the newest-first list.
    const middle = db
      .prepare(`SELECT "message_uuid" AS uuid FROM "events" WHERE "id" >= ? ORDER BY "id" LIMIT 1`)
      .get(Math.floor((lo + hi) / 2)) as { uuid: string };
    const deep = Math.round(hi - 0.9 * (hi - lo));
    const cases: QueryCase[] = [
      { name: "first page (limit=100)", path: "/api/events?limit=100", sql: listEventsSql({}, { limit: 100 }) },
      {
        name: "message_id filter",
        path: `/api/events?message_id=${middle.uuid}`,
        sql: listEventsSql({ message_id: middle.uuid }, { limit: 100 }),
      },
      { name: "lifecycle /api/messages/<uuid>", path: `/api/messages/${middle.uuid}`, sql: messageEventsSql(middle.uuid) },
      {
        name: `deep page (before=${deep}, 90% down)`,
        path: `/api/events?before=${deep}&limit=100`,
        sql: listEventsSql({}, { limit: 100, before: deep }),
      },
    ];

    const agent = keepAliveAgent(1);
    const base = new URL(server.url);
    const get = (path: string, auth: boolean): PreparedRequest => ({ method: "GET", path, headers: auth ? apiHeaders : {} });
    // Baseline measured first and again last; the lower p50 of the two is used (less noise in the subtraction).
    const baseline1 = await timeSequential(agent, base, get("/webhooks/bench-baseline", false), config.warmup, config.repetitions);
    const runs: QueryRun[] = [];
    for (const c of cases) {
      const { latency, bytes } = await timeSequential(agent, base, get(c.path, true), config.warmup, config.repetitions);
      runs.push({ name: c.name, path: c.path, latency, serverMs: NaN, bytes, plan: plan(db, c.sql) });
    }
    const baseline2 = await timeSequential(agent, base, get("/webhooks/bench-baseline", false), config.warmup, config.repetitions);
    const health = await timeSequential(agent, base, get("/api/health", true), 1, Math.min(10, config.repetitions));
    agent.destroy();
    const baseP50 = Math.min(baseline1.latency.p50, baseline2.latency.p50);
    for (const run of runs) run.serverMs = run.latency.p50 - baseP50;

    for (const run of runs) {
      log(
        "queries",
        `${run.name}: p50 ${fmt(run.latency.p50, 2)} ms (server ≈ ${fmt(run.serverMs, 2)} ms), p99 ${fmt(run.latency.p99, 2)} ms, ${fmt(run.bytes / 1024)} KiB`,
      );
      for (const line of run.plan) console.log(`    plan: ${line}`);
    }
    log(
      "queries",
      `baseline GET /webhooks/bench-baseline p50 ${fmt(baseP50, 2)} ms; (info) GET /api/health with token p50 ${fmt(health.latency.p50, 2)} ms`,
    );

    const rows: SummaryRow[] = runs.map((run) => ({
      part: "4 queries",
      metric: `${run.name}: server time (p50 − baseline p50)`,
      value: run.serverMs,
      unit: "ms",
      baseline: baseP50,
      baselineLabel: "trivial route p50",
      ratio: ratio(run.latency.p50, baseP50),
      target: `< ${TARGET_MS} ms`,
      met: run.serverMs < TARGET_MS,
    }));
    const header = ["query", "p50 ms", "p99 ms", "server ms", "KiB", "SQLite plan"];
    const table = runs.map((r) => [
      r.name,
      fmt(r.latency.p50, 2),
      fmt(r.latency.p99, 2),
      fmt(r.serverMs, 2),
      fmt(r.bytes / 1024),
      r.plan.join("; "),
    ]);
    console.log(
      `\n${textTable(
        header.slice(0, 5),
        table.map((r) => r.slice(0, 5)),
      )}\n`,
    );
    return {
      rows,
      details: {
        events: hi - lo + 1,
        baseline: { first: baseline1.latency, last: baseline2.latency, p50Used: baseP50 },
        health: health.latency,
        runs,
      },
      markdown: `### 4. Queries (${config.repetitions} sequential requests each on an idle server; baseline GET /webhooks/bench-baseline p50 ${fmt(baseP50, 2)} ms)\n\n${markdownTable(header, table)}\n\n"SCAN events" for \`ORDER BY "id" DESC LIMIT n\` without a filter walks the table's rowid b-tree from its end and stops after n rows (no sort, no full scan).\n\nSQL (from lib/events/sql.ts):\n\n${runs.map((r, i) => `- ${r.name}: \`${cases[i]!.sql.sql.replace(/\s+/g, " ").replace(/SELECT .*? FROM/, "SELECT <event columns> FROM")}\``).join("\n")}\n`,
    };
  } finally {
    db.close();
  }
}
