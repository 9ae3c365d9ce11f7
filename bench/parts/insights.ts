import Database from "better-sqlite3";
import pg from "pg";
import { performance } from "node:perf_hooks";
import type { BenchConfig } from "@/bench/config";
import { keepAliveAgent, send, timeSequential, type PreparedRequest } from "@/bench/lib/http";
import { seedMessageLogInChild, type MessageLogStats } from "@/bench/lib/message-log";
import { failedSmsSql, insightsSql, overdueSql, pendingSql, type NamedSql } from "@/bench/lib/message-sql";
import { log, sleep, waitFor, type PartResult } from "@/bench/lib/part";
import { track } from "@/bench/lib/processes";
import type { SummaryRow } from "@/bench/lib/report";
import { apiHeaders, restartBenchServer, startBenchServer } from "@/bench/lib/servers";
import { fmt, markdownTable, ratio, textTable, type LatencySummary } from "@/bench/lib/stats";
import { sqliteDate } from "@/lib/db/sqlite-date";
import type { Prisma } from "@/lib/generated/sqlite/client.ts";
import type { InsightsJson } from "@/lib/messages/types";
import { databaseUrl, POSTGRES_ADMIN_URL } from "@/test/support/postgres";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 7: delivery insights on a month of traffic (issue 18), on SQLite and on the machine's
 * PostgreSQL. Each store gets a console whose log is seeded straight into `events`
 * (bench/lib/message-log.ts); the console then folds it into message states itself, as it
 * does for an existing database after the migration (lib/messages/backfill.ts): stopped,
 * `message_backfill` reset to the whole log, started again, and timed until done. Then, as in
 * part 4, one request at a time on the idle server: server time = p50 of the request − p50 of
 * GET /webhooks/bench-baseline on the same connection. The plans of the SQL behind it are
 * printed (SQLite: EXPLAIN QUERY PLAN and the statement's own time on a read-only connection;
 * PostgreSQL: EXPLAIN ANALYZE), with any full scan of messages or events flagged.
 *
 * The log is seeded within the part, just before its backfill, not with the other set-up:
 * whether an open message is pending or overdue depends on the clock, and the recent ones
 * must still be pending when they are measured.
 */

const INSIGHTS_TARGET_MS = 100;
const OVERDUE_TARGET_MS = 20;
const BACKFILL_TIMEOUT_MS = 60 * 60_000;
const DAY_MS = 86_400_000;
/** A slow query is timed fewer times: after this long, at least MIN_SAMPLES. */
const CASE_BUDGET_MS = 20_000;
const MIN_SAMPLES = 5;
const CASE_BUDGET = { ms: CASE_BUDGET_MS, minSamples: MIN_SAMPLES };

type Store = "SQLite" | "PostgreSQL";

interface Case {
  name: string;
  path: string;
  /** Server-time budget in ms; none: for information. */
  target?: number;
}

interface CaseRun extends Case {
  latency: LatencySummary;
  serverMs: number;
  bytes: number;
}

interface StatementPlan {
  name: string;
  lines: string[];
  /** SQLite: the statement's median time on a read-only connection; PostgreSQL: EXPLAIN ANALYZE's execution time. */
  ms: number | null;
  fullScan: boolean;
  /** The index the statement is written for, when its plan does not use it. */
  missedIndex: string | null;
}

interface StoreRun {
  store: Store;
  seeded: MessageLogStats;
  messageRows: number;
  backfill: { seconds: number; eventsPerSecond: number; serverSaid: number | null; events: number };
  baselineP50: number;
  runs: CaseRun[];
  plans: StatementPlan[];
  sample: Pick<InsightsJson, "messages" | "inbound" | "latency" | "topErrors" | "cost"> | null;
}

/** Reads the backfill's progress row, and what it takes to look at the store from the bench. */
interface StoreAccess {
  backfill(): Promise<{ untilId: number; doneId: number }>;
  messageRows(): Promise<number>;
  plan(statement: NamedSql): Promise<StatementPlan>;
  /** Settles the store after a large write, as a long-running console's would be. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const FULL_SCAN_SQLITE = /^SCAN (TABLE )?(messages|events)\b/;
const FULL_SCAN_POSTGRES = /Seq Scan on (messages|events)\b/;
const missed = (lines: string[], index: string | undefined) => (index === undefined || lines.some((l) => l.includes(index)) ? null : index);

function sqliteAccess(file: string): StoreAccess {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const bind = (query: Prisma.Sql) => query.values.map((v) => (v instanceof Date ? sqliteDate(v) : v));
  return {
    backfill: async () =>
      db.prepare(`SELECT "until_id" AS "untilId", "done_id" AS "doneId" FROM "message_backfill" WHERE "id" = 1`).get() as {
        untilId: number;
        doneId: number;
      },
    messageRows: async () => db.prepare(`SELECT COUNT(*) FROM "messages"`).pluck().get() as number,
    plan: async ({ name, query, index }) => {
      const values = bind(query);
      const lines = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...values) as { detail: string }[]).map((r) => r.detail);
      const statement = db.prepare(query.sql);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        statement.all(...values);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      return { name, lines, ms: times[2]!, fullScan: lines.some((l) => FULL_SCAN_SQLITE.test(l)), missedIndex: missed(lines, index) };
    },
    // The backfill's pages move from the WAL into the file (a reader may keep part of it: fine).
    settle: async () => {
      const writer = new Database(file, { fileMustExist: true, timeout: 5_000 });
      try {
        writer.pragma("wal_checkpoint(TRUNCATE)");
      } finally {
        writer.close();
      }
    },
    close: async () => {
      db.close();
    },
  };
}

/** PostgreSQL's timestamp(3) without time zone holds UTC, and Prisma binds dates so (lib/db: @prisma/adapter-pg). */
const postgresValue = (v: unknown) => (v instanceof Date ? v.toISOString().replace("T", " ").replace("Z", "") : v);

async function postgresAccess(url: string): Promise<StoreAccess> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    backfill: async () => {
      const { rows } = await client.query<{ untilId: number; doneId: number }>(
        `SELECT "until_id" AS "untilId", "done_id" AS "doneId" FROM "message_backfill" WHERE "id" = 1`,
      );
      return rows[0]!;
    },
    messageRows: async () => Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS "n" FROM "messages"`)).rows[0]!.n),
    plan: async ({ name, query, index }) => {
      const { rows } = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, BUFFERS) ${query.text}`,
        query.values.map(postgresValue),
      );
      const lines = rows.map((r) => r["QUERY PLAN"]);
      const executed = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find(Boolean);
      return {
        name,
        lines,
        ms: executed ? Number(executed[1]) : null,
        fullScan: lines.some((l) => FULL_SCAN_POSTGRES.test(l)),
        missedIndex: missed(lines, index),
      };
    },
    // What autovacuum does to tables this size soon after a large write: statistics for the
    // planner and a visibility map for index-only scans.
    settle: async () => {
      for (const table of ["events", "messages", "message_counts", "message_latencies"]) await client.query(`VACUUM ANALYZE "${table}"`);
    },
    close: () => client.end(),
  };
}

/** A fresh PostgreSQL database for one run, dropped when the part ends (or the benchmark is stopped). */
async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `vwc_bench_insights_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    untrack();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  const untrack = track("PostgreSQL database", undefined, drop);
  return { url: databaseUrl(name), drop };
}

/** The whole log to fold again, as the migration records it on an existing database. */
async function resetBackfill(store: Store, target: string): Promise<void> {
  const sql = `UPDATE "message_backfill" SET "until_id" = (SELECT MAX("id") FROM "events"), "done_id" = 0 WHERE "id" = 1`;
  if (store === "SQLite") {
    const db = new Database(target, { fileMustExist: true });
    try {
      db.prepare(sql).run();
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function waitForBackfill(store: Store, access: StoreAccess): Promise<void> {
  const deadline = Date.now() + BACKFILL_TIMEOUT_MS;
  let reported = Date.now();
  for (;;) {
    const { untilId, doneId } = await access.backfill();
    if (doneId >= untilId) return;
    if (Date.now() > deadline)
      throw new Error(`${store}: the backfill did not finish in ${BACKFILL_TIMEOUT_MS / 60_000} min (${doneId} of ${untilId})`);
    if (Date.now() - reported >= 10_000) {
      log("insights", `${store}: backfill at event ${doneId.toLocaleString("en-US")} of ${untilId.toLocaleString("en-US")}`);
      reported = Date.now();
    }
    await sleep(200);
  }
}

function casesAt(now: number): Case[] {
  const since = (days: number) => encodeURIComponent(new Date(now - days * DAY_MS).toISOString());
  return [
    { name: "insights 30 d", path: `/api/insights?since=${since(30)}`, target: INSIGHTS_TARGET_MS },
    { name: "insights 24 h (default)", path: "/api/insights" },
    { name: "insights 7 d", path: `/api/insights?since=${since(7)}` },
    { name: "insights 30 d, channel=whatsapp", path: `/api/insights?since=${since(30)}&channel=whatsapp` },
    { name: "messages state=overdue", path: "/api/messages?state=overdue", target: OVERDUE_TARGET_MS },
    { name: "messages state=pending", path: "/api/messages?state=pending" },
    { name: "messages channel=sms&state=failed", path: "/api/messages?channel=sms&state=failed" },
  ];
}

async function runStore(store: Store, config: BenchConfig["insights"]): Promise<StoreRun> {
  const database = store === "PostgreSQL" ? await createDatabase() : undefined;
  let server: RunningServer | undefined;
  let access: StoreAccess | undefined;
  try {
    // An empty console first: its migrations make the tables.
    server = await startBenchServer(`insights-${store.toLowerCase()}`, database ? { env: { DATABASE_URL: database.url } } : {});
    const target = database?.url ?? server.databaseFile;
    let seeded: MessageLogStats | undefined;
    let started = 0;
    server = await restartBenchServer(server, async () => {
      seeded = await seedMessageLogInChild(target, {
        events: config.events,
        messages: config.messages,
        now: Date.now(),
        days: config.days,
      });
      log(
        "insights",
        `${store}: seeded ${seeded.events.toLocaleString("en-US")} events (${seeded.messages.toLocaleString("en-US")} messages, ` +
          `${seeded.inboundEvents.toLocaleString("en-US")} inbound; ${seeded.delivered.toLocaleString("en-US")} delivered, ` +
          `${seeded.read.toLocaleString("en-US")} of them read, ${seeded.failed.toLocaleString("en-US")} failed, ` +
          `${seeded.open.toLocaleString("en-US")} open of which ${seeded.recentOpen} sent in the last 5 min, ` +
          `${seeded.workflows} failover workflows) in ${fmt(seeded.seconds)} s`,
      );
      await resetBackfill(store, target);
      started = Date.now();
    });
    access = store === "SQLite" ? sqliteAccess(server.databaseFile) : await postgresAccess(target);
    await waitForBackfill(store, access);
    const seconds = (Date.now() - started) / 1000;
    // The console's own figure, from the start of its backfill (after start-up) to the end,
    // logged a moment after the last batch's commit.
    const line = /\[messages\] message states filled in, up to event \d+, in ([\d.]+) s/;
    const running = server;
    await waitFor(() => line.test(running.output()), 3_000);
    const said = line.exec(running.output());
    const serverSaid = said ? Number(said[1]) : null;
    const events = seeded!.events;
    const backfill = { seconds, serverSaid, events, eventsPerSecond: events / (serverSaid ?? seconds) };
    log(
      "insights",
      `${store}: backfill of ${events.toLocaleString("en-US")} events done ${fmt(seconds)} s after the restart ` +
        `(the console says ${fmt(serverSaid)} s): ${fmt(backfill.eventsPerSecond)} events/s`,
    );
    await access.settle();
    const messageRows = await access.messageRows();
    if (messageRows !== seeded!.messages)
      log("insights", `${store}: WARNING ${messageRows} message rows, ${seeded!.messages} messages seeded`);

    const agent = keepAliveAgent(1);
    const base = new URL(server.url);
    const get = (path: string, auth: boolean): PreparedRequest => ({ method: "GET", path, headers: auth ? apiHeaders : {} });
    const now = Date.now();
    const cases = casesAt(now);
    // One answer kept, to show what the month adds up to (and that it is the seeded one).
    const first = await send(agent, base, get(cases[0]!.path, true), { keepBody: true });
    if (first.status !== 200) throw new Error(`${cases[0]!.path} answered ${first.status}: ${first.body?.toString()}`);
    const answer = JSON.parse(first.body!.toString()) as InsightsJson;
    const sample = {
      messages: answer.messages,
      inbound: answer.inbound,
      latency: answer.latency,
      topErrors: answer.topErrors,
      cost: answer.cost,
    };

    const baseline1 = await timeSequential(
      agent,
      base,
      get("/webhooks/bench-baseline", false),
      config.warmup,
      config.repetitions,
      CASE_BUDGET,
    );
    const runs: CaseRun[] = [];
    for (const c of cases) {
      const { latency, bytes } = await timeSequential(agent, base, get(c.path, true), config.warmup, config.repetitions, CASE_BUDGET);
      runs.push({ ...c, latency, serverMs: NaN, bytes });
    }
    const baseline2 = await timeSequential(
      agent,
      base,
      get("/webhooks/bench-baseline", false),
      config.warmup,
      config.repetitions,
      CASE_BUDGET,
    );
    agent.destroy();
    const baselineP50 = Math.min(baseline1.latency.p50, baseline2.latency.p50);
    for (const run of runs) run.serverMs = run.latency.p50 - baselineP50;

    // The plans, after the timings: EXPLAIN ANALYZE runs the statements, and nothing else may run while they are timed.
    const statements: NamedSql[] = [
      ...insightsSql(now - 30 * DAY_MS, now, now).map((s) => ({ ...s, name: `insights 30 d: ${s.name}` })),
      { name: "messages state=overdue", query: overdueSql(now) },
      { name: "messages state=pending", query: pendingSql(now) },
      { name: "messages channel=sms&state=failed", query: failedSmsSql(now) },
    ];
    const plans: StatementPlan[] = [];
    for (const statement of statements) plans.push(await access.plan(statement));

    for (const run of runs) {
      log(
        "insights",
        `${store}: ${run.name}: p50 ${fmt(run.latency.p50, 2)} ms (server ≈ ${fmt(run.serverMs, 2)} ms` +
          `${run.target === undefined ? "" : `, target < ${run.target} ms`}), p99 ${fmt(run.latency.p99, 2)} ms, ` +
          `${run.latency.count} requests, ${fmt(run.bytes / 1024)} KiB`,
      );
    }
    log("insights", `${store}: baseline GET /webhooks/bench-baseline p50 ${fmt(baselineP50, 2)} ms`);
    log(
      "insights",
      `${store}: insights 30 d: ${answer.messages.total.toLocaleString("en-US")} messages ${JSON.stringify(answer.messages.byState)}, ` +
        `${answer.inbound.total.toLocaleString("en-US")} inbound, submitted→delivered p50 ${answer.latency.submittedToDelivered.p50Ms} ms, ` +
        `delivered→read p50 ${answer.latency.deliveredToRead.p50Ms} ms, top errors ${answer.topErrors.map((e) => `${e.code}×${e.count}`).join(" ")}`,
    );
    for (const p of plans) {
      console.log(
        `  ${store} plan: ${p.name}${p.ms === null ? "" : ` (${fmt(p.ms, 2)} ms ${store === "SQLite" ? "on the driver" : "executing"})`}`,
      );
      for (const line of p.lines) console.log(`    ${line}`);
      if (p.fullScan) console.log("    ^ FULL SCAN of messages or events");
      if (p.missedIndex) console.log(`    ^ NOT ON ${p.missedIndex}, the index this range is written for: it reads far more rows`);
    }
    return { store, seeded: seeded!, messageRows, backfill, baselineP50, runs, plans, sample };
  } finally {
    await access?.close();
    await server?.stop();
    await database?.drop();
  }
}

function rowsOf(run: StoreRun): SummaryRow[] {
  const backfill: SummaryRow = {
    part: "7 insights",
    metric: `backfill of a ${run.backfill.events.toLocaleString("en-US")}-event log (${run.store})`,
    value: run.backfill.eventsPerSecond,
    unit: "events/s",
    display: `${fmt(run.backfill.eventsPerSecond)} events/s (${fmt(run.backfill.serverSaid ?? run.backfill.seconds)} s)`,
  };
  return [
    backfill,
    ...run.runs.map((r): SummaryRow => ({
      part: "7 insights",
      metric: `${r.name} (${run.store}): server time (p50 − baseline p50)`,
      value: r.serverMs,
      unit: "ms",
      baseline: run.baselineP50,
      baselineLabel: "trivial route p50",
      ratio: ratio(r.latency.p50, run.baselineP50),
      ...(r.target === undefined ? {} : { target: `< ${r.target} ms`, met: r.serverMs < r.target }),
    })),
  ];
}

export async function runInsights(config: BenchConfig["insights"]): Promise<PartResult> {
  const runs: StoreRun[] = [];
  const failures: Record<string, string> = {};
  for (const store of ["SQLite", "PostgreSQL"] as const) {
    try {
      runs.push(await runStore(store, config));
    } catch (error) {
      // The other store's figures still count; this one shows as not met.
      failures[store] = (error as Error).message.split("\n")[0]!;
      console.error(`[bench:insights] ${store} failed:`, error);
    }
  }
  if (runs.length === 0)
    throw new Error(
      Object.entries(failures)
        .map(([s, m]) => `${s}: ${m}`)
        .join("; "),
    );

  const rows = [
    ...runs.flatMap(rowsOf),
    ...Object.entries(failures).map(([store, message]): SummaryRow => ({
      part: "7 insights",
      metric: `insights (${store}) failed: ${message}`,
      value: null,
      unit: "",
      met: false,
    })),
  ];
  const header = ["store", "query", "requests", "p50 ms", "p99 ms", "server ms", "target", "KiB"];
  const table = runs.flatMap((run) =>
    run.runs.map((r) => [
      run.store,
      r.name,
      String(r.latency.count),
      fmt(r.latency.p50, 2),
      fmt(r.latency.p99, 2),
      fmt(r.serverMs, 2),
      r.target === undefined ? "" : `< ${r.target} ms${r.serverMs < r.target ? "" : " NOT MET"}`,
      fmt(r.bytes / 1024),
    ]),
  );
  console.log(`\n${textTable(header, table)}\n`);
  const plans = runs
    .map(
      (run) =>
        `#### ${run.store}\n\n${run.plans
          .map(
            (p) =>
              `- ${p.name}${p.ms === null ? "" : ` (${fmt(p.ms, 2)} ms)`}${p.fullScan ? " **full scan**" : ""}${p.missedIndex ? ` **not on ${p.missedIndex}**` : ""}\n\n  \`\`\`\n${p.lines.map((l) => `  ${l}`).join("\n")}\n  \`\`\``,
          )
          .join("\n")}`,
    )
    .join("\n\n");
  const backfills = runs
    .map((run) => `${run.store} ${fmt(run.backfill.eventsPerSecond)} events/s (${fmt(run.backfill.serverSaid ?? run.backfill.seconds)} s)`)
    .join(", ");
  return {
    rows,
    details: { config, failures, stores: runs },
    markdown:
      `### 7. Insights (${config.events.toLocaleString("en-US")} events, ${config.messages.toLocaleString("en-US")} messages over ${config.days} days; ` +
      `up to ${config.repetitions} sequential requests each on an idle server, fewer for a query past ${CASE_BUDGET_MS / 1000} s in all)\n\nBackfill (the console folding the log into message states): ${backfills}.\n\n` +
      `${markdownTable(header, table)}\n\nPlans (SQLite: EXPLAIN QUERY PLAN, and the statement's median time on a read-only driver connection; ` +
      `PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQL from bench/lib/message-sql.ts, which repeats lib/messages/insights.ts and query.ts):\n\n${plans}\n`,
  };
}
