import Database from "better-sqlite3";
import { performance } from "node:perf_hooks";
import type { BenchConfig } from "@/bench/config";
import { allEventsSql, exportPageSql } from "@/bench/lib/event-sql";
import { keepAliveAgent, send } from "@/bench/lib/http";
import { log, sleep, type PartResult } from "@/bench/lib/part";
import type { SummaryRow } from "@/bench/lib/report";
import { RssSampler, type RssSummary } from "@/bench/lib/rss";
import { apiHeaders, restartBenchServer, SECRET } from "@/bench/lib/servers";
import { fmt, markdownTable, MB, ratio, summarize, textTable, type LatencySummary } from "@/bench/lib/stats";
import { Trickle } from "@/bench/lib/trickle";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 3: a full export of every stored event as NDJSON and CSV, streamed through the API,
 * with the server's RSS sampled every 50 ms. Baseline: the same rows read straight from the
 * SQLite file by better-sqlite3 in raw (array) mode: the storage engine's own speed.
 *
 * Then the same export again while another process sends the server a signed webhook every
 * 20 ms: an export must not hold up the 200s Vonage waits for. Their ack latency is compared
 * with the same trickle on the idle server just before.
 */

const TARGETS = { ndjson: 100_000, csv: 50_000 } as const;
const MEMORY_LIMIT_MB = 50;
/**
 * Webhook acks during an export: p99 under this many ms, the bound the issue sets for end-to-end
 * delivery (docs/decisions/014-exports-yield-to-webhooks.md). The ratio to the idle server's
 * p99 is reported beside it.
 */
const ACK_P99_LIMIT_MS = 100;
const TRICKLE_EVERY_MS = 20;

interface ExportRun {
  format: "ndjson" | "csv";
  rows: number;
  announcedRows: number;
  bytes: number;
  seconds: number;
  firstByteMs: number;
  rowsPerSecond: number;
  rss: RssSummary;
  growthMB: number;
  /** Webhook acks on the idle server just before, and during the export. */
  acksIdle: LatencySummary;
  acksDuring: LatencySummary;
  acksNot200: number;
  /** The second export's speed, with the webhooks arriving (information). */
  withWebhooksRowsPerSecond: number;
}

/**
 * Reads every row as arrays, as fast as the driver can. One untimed pass first (the OS page
 * cache on these VMs is reclaimed when cold, and the server reads through the same cache),
 * then two timed ways: one statement iterated, and 500-row pages by id like the export reads;
 * the faster one is the baseline.
 */
function rawRead(databaseFile: string): RawRead {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const all = allEventsSql();
    const whole = db.prepare(all.sql).raw(true);
    const timed = (read: () => number) => {
      const t0 = performance.now();
      const rows = read();
      const seconds = (performance.now() - t0) / 1000;
      return { rows, seconds, rowsPerSecond: rows / seconds };
    };
    const iterate = () => {
      let rows = 0;
      for (const _row of whole.iterate(...all.values)) rows++;
      return rows;
    };
    iterate();
    const page = exportPageSql(0);
    const paged = db.prepare(page.sql).raw(true);
    const pages = () => {
      let rows = 0;
      let cursor = Number.MAX_SAFE_INTEGER;
      for (;;) {
        const batch = paged.all(cursor, ...page.values.slice(1)) as unknown[][];
        rows += batch.length;
        if (batch.length < 500) return rows;
        cursor = Number(batch[batch.length - 1]![0]) - 1;
      }
    };
    const iterated = timed(iterate);
    const paging = timed(pages);
    const best = iterated.rowsPerSecond >= paging.rowsPerSecond ? { ...iterated, how: "iterate()" } : { ...paging, how: "500-row pages" };
    return { ...best, iterate: iterated, pages: paging };
  } finally {
    db.close();
  }
}

interface RawRead {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  how: string;
  iterate: { rows: number; seconds: number; rowsPerSecond: number };
  pages: { rows: number; seconds: number; rowsPerSecond: number };
}

interface TimedExport {
  rows: number;
  announcedRows: number;
  bytes: number;
  seconds: number;
  firstByteMs: number;
  rss: RssSummary;
}

/** One full export read as fast as this process can, the server's RSS sampled meanwhile. */
async function timedExport(server: RunningServer, format: "ndjson" | "csv"): Promise<TimedExport> {
  const agent = keepAliveAgent(1);
  const rss = new RssSampler(server.pid).start();
  await sleep(100);
  let lineEnds = 0;
  let firstByte = NaN;
  let announced = NaN;
  const t0 = performance.now();
  const reply = await send(
    agent,
    new URL(server.url),
    { method: "GET", path: `/api/events/export?format=${format}`, headers: apiHeaders },
    {
      onResponse: (res) => {
        announced = Number(res.headers["x-export-rows"]);
      },
      onChunk: (chunk) => {
        if (Number.isNaN(firstByte)) firstByte = performance.now() - t0;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lineEnds++;
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const memory = rss.stop();
  agent.destroy();
  if (reply.status !== 200) throw new Error(`export ${format} answered ${reply.status}`);
  // Seeded rows hold no line breaks inside fields, so lines are records (CSV has a header row).
  const rows = format === "csv" ? lineEnds - 1 : lineEnds;
  return { rows, announcedRows: announced, bytes: reply.bytes, seconds, firstByteMs: firstByte, rss: memory };
}

/**
 * The export alone (speed and memory: the figures), then the webhook trickle on the
 * idle server, then the same export again with the trickle running (ack latency).
 */
async function exportOnce(server: RunningServer, format: "ndjson" | "csv", idleTrickleMs: number): Promise<ExportRun> {
  const alone = await timedExport(server, format);
  const trickle = await Trickle.start(
    server.url,
    SECRET,
    `export-${format}`,
    TRICKLE_EVERY_MS,
    Math.ceil((idleTrickleMs + 120_000) / TRICKLE_EVERY_MS),
  );
  try {
    await trickle.begin();
    await sleep(idleTrickleMs);
    const acksIdle = await trickle.end();
    await trickle.begin();
    const withWebhooks = await timedExport(server, format);
    const acksDuring = await trickle.end();
    return {
      format,
      ...alone,
      rowsPerSecond: alone.rows / alone.seconds,
      growthMB: (alone.rss.peak - alone.rss.before) / MB,
      acksIdle: summarize(acksIdle.latencies),
      acksDuring: summarize(acksDuring.latencies),
      acksNot200: acksIdle.not200 + acksDuring.not200,
      withWebhooksRowsPerSecond: withWebhooks.rows / withWebhooks.seconds,
    };
  } finally {
    trickle.close();
  }
}

/**
 * Each export runs on a fresh server process (the second after a restart on the same
 * database): V8 keeps the heap the first export grew, so a second export in the same process
 * would start from a higher floor and hide its own growth. `holder.server` is replaced by the
 * restarted server.
 */
export async function runExport(config: BenchConfig["export"], holder: { server: RunningServer }): Promise<PartResult> {
  const raw = rawRead(holder.server.databaseFile);
  log(
    "export",
    `baseline: better-sqlite3 .raw() read ${raw.rows.toLocaleString("en-US")} rows: iterate() ${fmt(raw.iterate.rowsPerSecond)} rows/s, 500-row pages ${fmt(raw.pages.rowsPerSecond)} rows/s`,
  );
  const db = new Database(holder.server.databaseFile, { readonly: true, fileMustExist: true });
  const uuid = (db.prepare(`SELECT "message_uuid" FROM "events" ORDER BY "id" DESC LIMIT 1`).get() as { message_uuid: string })
    .message_uuid;
  db.close();

  const runs: ExportRun[] = [];
  for (const format of ["ndjson", "csv"] as const) {
    // The first export runs on the server as it started (nothing has run on it yet).
    if (runs.length > 0) holder.server = await restartBenchServer(holder.server);
    // A server that has been up a while has loaded the export route and opened its read
    // connection: warm both with a one-message export, so the timed run measures the export.
    const agent = keepAliveAgent(1);
    await send(agent, new URL(holder.server.url), {
      method: "GET",
      path: `/api/events/export?format=${format}&message_id=${uuid}`,
      headers: apiHeaders,
    });
    agent.destroy();
    const run = await exportOnce(holder.server, format, config.idleTrickleMs);
    runs.push(run);
    log(
      "export",
      `${format}: ${run.rows.toLocaleString("en-US")} rows (announced ${run.announcedRows}) in ${fmt(run.seconds, 2)} s = ${fmt(run.rowsPerSecond)} rows/s, ${fmt(run.bytes / MB)} MB, first byte ${fmt(run.firstByteMs)} ms; RSS ${fmt(run.rss.before / MB)} → peak ${fmt(run.rss.peak / MB)} MB (+${fmt(run.growthMB)} MB: anonymous ${fmt(run.rss.peakGrowth.anon / MB)}, file ${fmt(run.rss.peakGrowth.file / MB)}, shared ${fmt(run.rss.peakGrowth.shmem / MB)}); then again with a webhook every ${TRICKLE_EVERY_MS} ms: ${fmt(run.withWebhooksRowsPerSecond)} rows/s, webhook acks p50/p99/max idle ${fmt(run.acksIdle.p50)}/${fmt(run.acksIdle.p99)}/${fmt(run.acksIdle.max)} ms, during ${fmt(run.acksDuring.p50)}/${fmt(run.acksDuring.p99)}/${fmt(run.acksDuring.max)} ms (${run.acksDuring.count}), not 200: ${run.acksNot200}`,
    );
  }

  const rows: SummaryRow[] = [];
  for (const run of runs) {
    rows.push({
      part: "3 export",
      metric: `${run.format.toUpperCase()} rows/s (${run.rows.toLocaleString("en-US")} rows)`,
      value: run.rowsPerSecond,
      unit: "rows/s",
      baseline: raw.rowsPerSecond,
      baselineLabel: "raw SQLite read",
      ratio: ratio(run.rowsPerSecond, raw.rowsPerSecond),
      target: `≥ ${TARGETS[run.format].toLocaleString("en-US")} rows/s`,
      met: run.rowsPerSecond >= TARGETS[run.format] && run.rows === run.announcedRows,
    });
    rows.push({
      part: "3 export",
      metric: `${run.format.toUpperCase()} server RSS growth`,
      value: run.growthMB,
      unit: "MB",
      baseline: run.rss.before / MB,
      baselineLabel: "RSS before",
      ratio: ratio(run.rss.peak, run.rss.before),
      target: `< ${MEMORY_LIMIT_MB} MB`,
      met: run.growthMB < MEMORY_LIMIT_MB,
    });
    rows.push({
      part: "3 export",
      metric: `webhook ack p99 during the ${run.format.toUpperCase()} export (${run.acksDuring.count} webhooks, ${run.acksNot200} not 200)`,
      value: run.acksDuring.p99,
      unit: "ms",
      baseline: run.acksIdle.p99,
      baselineLabel: "ack p99, idle server",
      ratio: ratio(run.acksDuring.p99, run.acksIdle.p99),
      target: `< ${ACK_P99_LIMIT_MS} ms, all 200`,
      met: run.acksDuring.p99 < ACK_P99_LIMIT_MS && run.acksNot200 === 0,
    });
  }
  const header = [
    "format",
    "rows",
    "MB",
    "seconds",
    "first byte ms",
    "rows/s",
    "× raw read",
    "RSS before MB",
    "RSS peak MB",
    "growth MB",
    "rows/s with webhooks",
    "ack p99 idle ms",
    "ack p99/max during ms",
  ];
  const table = runs.map((r) => [
    r.format,
    r.rows.toLocaleString("en-US"),
    fmt(r.bytes / MB),
    fmt(r.seconds, 2),
    fmt(r.firstByteMs),
    fmt(r.rowsPerSecond),
    fmt(ratio(r.rowsPerSecond, raw.rowsPerSecond), 3),
    fmt(r.rss.before / MB),
    fmt(r.rss.peak / MB),
    fmt(r.growthMB),
    fmt(r.withWebhooksRowsPerSecond),
    fmt(r.acksIdle.p99),
    `${fmt(r.acksDuring.p99)} / ${fmt(r.acksDuring.max)}`,
  ]);
  console.log(`\n${textTable(header, table)}\n(raw better-sqlite3 read, ${raw.how}: ${fmt(raw.rowsPerSecond)} rows/s)\n`);
  return {
    rows,
    details: { raw, runs },
    markdown: `### 3. Export (${raw.rows.toLocaleString("en-US")} events, each format on a fresh server process after a one-message warm-up export; then, on the same process, a signed webhook every ${TRICKLE_EVERY_MS} ms from another process for ${config.idleTrickleMs / 1000} s idle and during a second export; baseline: better-sqlite3 \`.raw()\` read of the same rows, ${raw.how}, ${fmt(raw.rowsPerSecond)} rows/s; iterate() ${fmt(raw.iterate.rowsPerSecond)}, 500-row pages ${fmt(raw.pages.rowsPerSecond)})\n\n${markdownTable(header, table)}\n`,
  };
}
