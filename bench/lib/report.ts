import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, markdownTable, textTable } from "@/bench/lib/stats";

/**
 * The summary: one row per figure, with the baseline measured in the same run and the ratio
 * between them (these machines are shared and noisy, so ratios travel better than absolute
 * numbers), the target and whether it was met.
 */

export interface SummaryRow {
  part: string;
  metric: string;
  value: number | null;
  unit: string;
  /** Shown instead of value + unit when a number alone would mislead (counts of several kinds). */
  display?: string;
  baseline?: number | null;
  baselineLabel?: string;
  ratio?: number | null;
  target?: string;
  met?: boolean | null;
}

export interface Machine {
  cpu: string;
  cores: number;
  /**
   * Logical CPUs per physical core, as Linux is told (a VM's host may say otherwise). Part 1's
   * ratio differed by machine (docs/performance.md), and two vCPUs sharing one core would be a
   * reason: the ingest worker would then slow the HTTP thread.
   */
  threadsPerCore?: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  platform: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    threadsPerCore: threadsPerCore(),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    platform: `${os.type()} ${os.arch()}`,
  };
}

function threadsPerCore(): number | undefined {
  try {
    // "0", "0-1" or "0,2": the logical CPUs that share cpu0's core.
    const siblings = fs.readFileSync("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "utf8").trim();
    return siblings.split(",").reduce((n, range) => {
      const [first, last = first] = range.split("-").map(Number);
      return n + last! - first! + 1;
    }, 0);
  } catch {
    return undefined;
  }
}

export function machineLine(m: Machine): string {
  const threads = m.threadsPerCore === undefined ? "" : ` (${m.threadsPerCore} thread${m.threadsPerCore === 1 ? "" : "s"} per core)`;
  return `${m.cores} × ${m.cpu}${threads}, ${m.memoryGiB} GiB RAM, ${m.platform} ${m.kernel}, Node ${m.node}`;
}

const HEADER = ["part", "metric", "value", "baseline", "ratio", "target", "met?"];

function cells(row: SummaryRow): string[] {
  const value = row.display ?? `${fmt(row.value)} ${row.unit}`.trim();
  const baseline = row.baseline === undefined ? "" : `${fmt(row.baseline)}${row.baselineLabel ? ` (${row.baselineLabel})` : ""}`;
  const ratio = row.ratio === undefined || row.ratio === null ? (row.baseline === undefined ? "" : "–") : `${fmt(row.ratio, 2)}×`;
  const met = row.met === undefined ? "" : row.met === null ? "n/a" : row.met ? "yes" : "NO";
  return [row.part, row.metric, value, baseline, ratio, row.target ?? "", met];
}

export function summaryText(rows: SummaryRow[]): string {
  return textTable(HEADER, rows.map(cells));
}

export function summaryMarkdown(rows: SummaryRow[]): string {
  return markdownTable(HEADER, rows.map(cells));
}

export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  mode: "quick" | "full";
  machine: Machine;
  parameters: Record<string, unknown>;
  parts: Record<string, unknown>;
  errors: Record<string, string>;
  summary: SummaryRow[];
}

export function writeJson(root: string, record: RunRecord): string {
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${record.startedAt.replace(/[:.]/g, "-")}${record.mode === "quick" ? "-quick" : ""}.json`);
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

const INTRO = `# Benchmarks

\`npm run bench\` (full, about 7 minutes) and \`npm run bench -- --quick\` (about a minute, smaller
counts and shorter windows: see bench/config.ts) measure the console on one machine and append a
section here; the raw figures go to \`bench/results/<timestamp>.json\` (not committed). Build first
(\`npm run build\`): the servers run the production build. \`--only=1,3\` runs some parts;
\`--cpu-prof\` profiles the ingest server and prints where its CPU time went (not recorded).

## Method

- Everything runs on one machine: the load generator, the servers (the production build, started
  like the integration tests start them, each on a fresh data directory) and, for part 5, headless
  Chromium. These machines are shared and noisy, so **every figure is a ratio against a baseline
  measured in the same run**, with the absolute numbers beside it. Compare ratios between runs.
- **1. Ingestion**: Message Status webhooks, each with its own body and its own valid HS256 token
  (all pre-signed before timing), closed loop at concurrency 20 and 50 on keep-alive connections.
  (a) \`POST /webhooks/message-status\` on the real server with 10 Socket.IO clients connected;
  (b) baseline: \`/webhooks/bench-baseline\`, an empty route handler in the same build that reads
  the body and answers 200 (only with \`BENCH_BASELINE=1\`); (c) for information (full runs only),
  the same verify-and-store code behind a bare \`node:http\` server (bench/bare-server.ts).
- **2. End to end**: open loop (fixed arrival rate) at 200 and 500 webhooks/s with 10 Socket.IO
  clients in the benchmark process; each event is matched to its request by \`message_uuid\`, on
  one clock. Reported: 200 → socket receipt (negative when the socket is first), and send → socket
  against send → 200 of the same requests (the ratio).
- **3. Export**: NDJSON and CSV of every stored event (1,000,000 seeded) through
  \`GET /api/events/export\`, after one small warm-up export; server RSS sampled every 50 ms from
  /proc. Baseline: the same rows read straight from the SQLite file with better-sqlite3 \`.raw()\`
  in the benchmark process.
- **4. Queries**: p50 of 50 sequential requests on the idle, seeded server, minus the p50 of a
  trivial route (\`GET /webhooks/bench-baseline\`) = server time. SQLite query plans are printed.
- **5. Browser**: the dashboard with 100,000 events loaded by scrolling, then 100 new events/s for
  60 s: long tasks (PerformanceObserver), frames per second (requestAnimationFrame), DOM nodes, JS
  heap (\`performance.memory\`); baseline: the same page idle.
- **6. Burst**: open loop at 4× the rate sustained in 1a for 30 s, between phases at half that rate;
  a sender gives up after 5 s (timeout); status counts, acknowledged-but-not-stored check, peak
  server RSS, p99 before/during/after.
`;

export function appendMarkdown(root: string, record: RunRecord, details: string): string {
  const file = path.join(root, "docs", "benchmarks.md");
  if (!fs.existsSync(file)) fs.writeFileSync(file, INTRO);
  const date = record.startedAt.slice(0, 16).replace("T", " ");
  const section = [
    "",
    `## ${date} UTC — ${record.mode} run`,
    "",
    `Machine: ${machineLine(record.machine)}.`,
    "",
    summaryMarkdown(record.summary),
    "",
    ...(Object.keys(record.errors).length
      ? ["Parts that failed:", "", ...Object.entries(record.errors).map(([part, message]) => `- ${part}: ${message}`), ""]
      : []),
    details.trim(),
    "",
  ].join("\n");
  fs.appendFileSync(file, section);
  return file;
}
