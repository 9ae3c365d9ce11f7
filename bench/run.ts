import type { Browser } from "@playwright/test";
import Database from "better-sqlite3";
import path from "node:path";
import { benchConfig } from "@/bench/config";
import { log, type PartResult } from "@/bench/lib/part";
import { stopAll } from "@/bench/lib/processes";
import { newestProfile, summarizeProfile } from "@/bench/lib/profile";
import { appendMarkdown, machine, machineLine, summaryText, writeResults, type RunRecord, type SummaryRow } from "@/bench/lib/report";
import { API_TOKEN, ensureBuild, startBareServer, startBenchServer, type BareServer } from "@/bench/lib/servers";
import { connectClients, type SocketClients } from "@/bench/lib/sockets";
import { fmt } from "@/bench/lib/stats";
import { runBurst } from "@/bench/parts/burst";
import { runEndToEnd } from "@/bench/parts/end-to-end";
import { runIngestion } from "@/bench/parts/ingestion";
import { ROOT, type RunningServer } from "@/test/support/server";
import { seedEventsInChild } from "@/test/support/seed";

/**
 * `npm run bench [-- --quick] [-- --only=1,2,...] [-- --no-record] [-- --cpu-prof]`: the console's
 * benchmark suite. --only runs some parts; --no-record writes neither bench/results/ nor the
 * run's row in docs/benchmarks.md; --cpu-prof profiles the ingest server (parts 1, 2, 6: the
 * profiler's overhead skews those figures, so use it to find costs, not to record numbers) and
 * prints where its CPU time went.
 *
 * Two consoles (production build, fresh data directories): "ingest" starts empty and takes
 * parts 1, 2 and 6 (webhook load); "data" is seeded with a large log and takes parts 3, 4
 * and 5 (reads). Everything slow to set up (servers, seeding, Chromium) happens before any
 * measurement and in parallel; nothing else runs while a part measures. Part 7 (insights)
 * runs last with consoles of its own, SQLite then PostgreSQL, each seeded and filled in
 * within the part (bench/parts/insights.ts says why), once the others have stopped.
 */

const PART_NAMES: Record<string, string> = {
  "1": "ingestion",
  "2": "end to end",
  "3": "export",
  "4": "queries",
  "5": "browser",
  "6": "burst",
  "7": "insights",
};

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const onlyArg = args.find((a) => a.startsWith("--only="));
  const only = new Set(onlyArg ? onlyArg.slice("--only=".length).split(",") : Object.keys(PART_NAMES));
  const config = benchConfig(quick);
  const startedAt = new Date();
  const wallStart = Date.now();

  ensureBuild();
  const m = machine();
  console.log(`[bench] ${config.mode} run on ${machineLine(m)}`);

  const needIngest = ["1", "2", "6"].some((p) => only.has(p));
  const cpuProfileDir = args.includes("--cpu-prof")
    ? path.join(ROOT, "bench", "results", "profiles", startedAt.toISOString().replace(/[:.]/g, "-"))
    : undefined;
  const needData = ["3", "4", "5"].some((p) => only.has(p));

  // Playwright and the Prisma client (for the SQL of parts 3 and 4) take a second to load:
  // loaded while the servers start.
  const readParts = Promise.all([import("@/bench/parts/export"), import("@/bench/parts/queries"), import("@/bench/parts/browser")]);

  let ingest: RunningServer | undefined;
  let bare: BareServer | undefined;
  let data: RunningServer | undefined;
  let browser: Browser | undefined;
  // Set-up, nothing measured yet. The data server's seeding is the longest step, so it starts
  // first; the rest starts while it seeds.
  const dataStarted = needData ? startBenchServer("data").then((s) => (data = s)) : undefined;
  const seeded = dataStarted
    ? dataStarted.then(async (s) => {
        const t0 = Date.now();
        await seedEventsInChild(s.databaseFile, { count: config.data.events, tag: "seed", perMessage: 3 });
        // Move the seeded pages from the WAL into the database file, as a long-running
        // console's checkpoints would have done, so reads see a settled file.
        const db = new Database(s.databaseFile, { fileMustExist: true });
        db.pragma("wal_checkpoint(TRUNCATE)");
        db.close();
        log("setup", `seeded ${config.data.events.toLocaleString("en-US")} events in ${fmt((Date.now() - t0) / 1000)} s`);
      })
    : Promise.resolve();
  await dataStarted?.catch(() => undefined);
  // allSettled: if one step fails, the others (seeding above all) finish before the clean-up.
  const setup = await Promise.allSettled([
    seeded,
    needIngest && startBenchServer("ingest", { cpuProfileDir }).then((s) => (ingest = s)),
    only.has("1") && config.ingestion.bare && startBareServer().then((s) => (bare = s)),
    only.has("5") && readParts.then(([, , b]) => b.launchBrowser()).then((b) => (browser = b)),
  ]);
  const failed = setup.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  log("setup", `ready after ${fmt((Date.now() - wallStart) / 1000)} s`);

  const results: Record<string, PartResult> = {};
  const errors: Record<string, string> = {};
  const run = async (part: string, body: () => Promise<PartResult>) => {
    if (!only.has(part)) return;
    const t0 = Date.now();
    console.log(`\n=== ${part}. ${PART_NAMES[part]} ===`);
    try {
      results[part] = await body();
    } catch (error) {
      errors[part] = (error as Error).message.split("\n")[0]!;
      console.error(`[bench] part ${part} failed:`, error);
    }
    log(PART_NAMES[part]!, `took ${fmt((Date.now() - t0) / 1000)} s`);
  };

  let clients: SocketClients | undefined;
  let sustained: number | null = null;
  if (ingest) {
    const server = ingest;
    clients = await connectClients(server.url, API_TOKEN, config.ingestion.socketClients);
    await run("1", async () => {
      const outcome = await runIngestion(config.ingestion, server, bare, clients!);
      sustained = outcome.sustainedRps;
      return outcome;
    });
    await bare?.stop();
    await run("2", () => runEndToEnd(config.endToEnd, server, clients!));
    await run("6", () => {
      if (sustained === null) throw new Error("no sustained rate from part 1 (run part 1 in the same run)");
      return runBurst(config.burst, server, sustained);
    });
    clients.close();
    await server.stop();
    const profile = cpuProfileDir && newestProfile(cpuProfileDir);
    if (profile) console.log(`\n${summarizeProfile(profile)}\n`);
  }
  if (data) {
    // Part 3 restarts the server (same database); parts 4 and 5 use whichever is current.
    const holder = { server: data };
    const [{ runExport }, { runQueries }, { runBrowser }] = await readParts;
    await run("3", () => runExport(config.export, holder));
    await run("4", () => runQueries(config.queries, holder.server));
    await run("5", () => runBrowser(config.browser, holder.server, browser!));
    await browser?.close();
    await holder.server.stop();
  }
  await run("7", async () => {
    const { runInsights } = await import("@/bench/parts/insights");
    return runInsights(config.insights);
  });
  await stopAll();

  const summary: SummaryRow[] = Object.keys(PART_NAMES)
    .filter((p) => results[p])
    .flatMap((p) => results[p]!.rows);
  const record: RunRecord = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: config.mode,
    machine: m,
    parameters: { ...config, parts: [...only] },
    parts: Object.fromEntries(Object.entries(results).map(([p, r]) => [PART_NAMES[p]!, r.details])),
    errors,
    summary,
  };

  console.log(`\n=== Summary (${config.mode}; ${machineLine(m)}) ===\n`);
  console.log(summaryText(summary));
  for (const [part, message] of Object.entries(errors)) console.log(`\nPart ${part} (${PART_NAMES[part]}) FAILED: ${message}`);
  const details = Object.keys(PART_NAMES)
    .filter((p) => results[p])
    .map((p) => results[p]!.markdown)
    .join("\n");
  // A profiled run's figures are skewed by the profiler: never recorded.
  if (!args.includes("--no-record") && !cpuProfileDir) {
    const json = writeResults(ROOT, record, details);
    const md = appendMarkdown(ROOT, record);
    console.log(`\n[bench] figures: ${json} (and .md)\n[bench] row added to ${md}`);
  }
  console.log(`[bench] total ${fmt((Date.now() - wallStart) / 1000)} s`);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  console.error(`[bench] ${(error as Error).message}`);
  await stopAll();
  process.exit(1);
});
