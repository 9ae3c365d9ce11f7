import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, markdownRow, markdownTable, textTable } from "@/bench/lib/stats";

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

/**
 * Writes the run's full figures (`<time>.json`) and its per-part detail tables (`<time>.md`) to
 * bench/results/, which is git-ignored; returns the JSON file's path.
 */
export function writeResults(root: string, record: RunRecord, details: string): string {
  const dir = path.join(root, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, `${record.startedAt.replace(/[:.]/g, "-")}${record.mode === "quick" ? "-quick" : ""}`);
  fs.writeFileSync(`${stem}.json`, `${JSON.stringify(record, null, 2)}\n`);
  fs.writeFileSync(`${stem}.md`, `${runHeading(record)}\n\n${summaryMarkdown(record.summary)}\n\n${details.trim()}\n`);
  return `${stem}.json`;
}

const runDate = (record: RunRecord) => record.startedAt.slice(0, 16).replace("T", " ");

function runHeading(record: RunRecord): string {
  return `## ${runDate(record)} UTC — ${record.mode} run\n\nMachine: ${machineLine(record.machine)}.`;
}

/** docs/benchmarks.md's table of runs; its columns are explained in the file, above the table. */
const RUN_HEADER = [
  "date (UTC)",
  "machine",
  "mode",
  "ingestion ×, c=20 / 50",
  "p99 ×, c=20 / 50",
  "200→socket p99 ms",
  "export rows/s, NDJSON / CSV",
  "RSS growth MB, NDJSON / CSV",
  "ack p99 during export ms, NDJSON / CSV",
  "burst: not 200 or 503",
  "CPU µs/req, all / HTTP",
  "long tasks",
  "targets met",
  "note",
];

const NONE = "—";

/** The run's key figures, found by the metric names bench/parts/* give them; "—" for a part that did not run. */
function runCells(record: RunRecord): string[] {
  const find = (metric: string) => record.summary.find((row) => row.metric.startsWith(metric));
  const value = (metric: string) => {
    const row = find(metric);
    return row ? fmt(row.value) : NONE;
  };
  const times = (metric: string) => {
    const ratio = find(metric)?.ratio;
    return ratio === undefined || ratio === null ? NONE : fmt(ratio, 2);
  };
  const pair = (first: string, second: string) => (first === NONE && second === NONE ? NONE : `${first} / ${second}`);
  // The burst's display reads "N of M: 200=…, timeout=…"; the table keeps "N of M".
  const burst = find("answers other than 200")?.display?.split(":")[0] ?? NONE;
  const targeted = record.summary.filter((row) => row.met === true || row.met === false);
  const failed = Object.entries(record.errors).map(([part, message]) => `part ${part} failed: ${message}`);
  return [
    runDate(record),
    `${record.machine.cores} × ${record.machine.cpu}`,
    record.mode,
    pair(times("(a)/(b) req/s, c=20"), times("(a)/(b) req/s, c=50")),
    pair(times("(a) p99 / (b) p99, c=20"), times("(a) p99 / (b) p99, c=50")),
    value("200→socket p99 @ 500/s"),
    pair(value("NDJSON rows/s"), value("CSV rows/s")),
    pair(value("NDJSON server RSS growth"), value("CSV server RSS growth")),
    pair(value("webhook ack p99 during the NDJSON"), value("webhook ack p99 during the CSV")),
    burst,
    pair(value("server CPU per request, all threads, c=20"), value("server CPU per request, HTTP thread, c=20")),
    value("long tasks"),
    `${targeted.filter((row) => row.met).length} of ${targeted.length}`,
    failed.join("; "),
  ];
}

/** Appends the run's row to docs/benchmarks.md's table, which ends the file. */
export function appendMarkdown(root: string, record: RunRecord): string {
  const file = path.join(root, "docs", "benchmarks.md");
  if (!fs.existsSync(file)) fs.writeFileSync(file, `# Benchmarks\n\n## Runs\n\n${markdownTable(RUN_HEADER, [])}\n`);
  const text = fs.readFileSync(file, "utf8");
  fs.appendFileSync(file, `${text.endsWith("\n") ? "" : "\n"}${markdownRow(runCells(record))}\n`);
  return file;
}
