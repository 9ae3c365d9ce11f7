import type { BenchConfig } from "@/bench/config";
import type { PreparedRequest } from "@/bench/lib/http";
import { closedLoopRounds, type ClosedLoopResult } from "@/bench/lib/load";
import { log, waitFor, type PartResult } from "@/bench/lib/part";
import { checkJose, cursor, presignStatusWebhooks } from "@/bench/lib/presign";
import type { SummaryRow } from "@/bench/lib/report";
import type { BareServer } from "@/bench/lib/servers";
import { SECRET } from "@/bench/lib/servers";
import type { SocketClients } from "@/bench/lib/sockets";
import { fmt, markdownTable, ratio, textTable } from "@/bench/lib/stats";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 1: how many signed webhooks a second the console stores and acknowledges, against an
 * empty route handler of the same build (the framework's own ceiling on this machine). The
 * targets take turns (b a c, b a c, …), so a drift in the machine's speed hits them alike.
 *   (a) POST /webhooks/message-status, the whole pipeline, with live Socket.IO clients;
 *   (b) POST /webhooks/bench-baseline: read the body, answer 200 (BENCH_BASELINE=1);
 *   (c) the same verify-and-store code behind bare node:http (information only).
 */

type Target = "a" | "b" | "c";
const LABEL: Record<Target, string> = {
  a: "(a) /webhooks/message-status (full pipeline)",
  b: "(b) /webhooks/bench-baseline (empty route)",
  c: "(c) verify+store on bare node:http",
};

export interface IngestionRun extends ClosedLoopResult {
  target: Target;
  socketEvents?: { received: number; expected: number };
}

export interface IngestionOutcome extends PartResult {
  /** The best req/s of (a): the sustained rate part 6 multiplies. */
  sustainedRps: number | null;
}

export async function runIngestion(
  config: BenchConfig["ingestion"],
  server: RunningServer,
  bare: BareServer | undefined,
  clients: SocketClients,
): Promise<IngestionOutcome> {
  const runs: IngestionRun[] = [];
  const windowMs = config.durationMs / config.rounds;
  // Pre-signed per target: its rate × its total time (warm-ups included).
  const seconds = (config.rounds * (config.warmupMs + windowMs)) / 1000;

  const sample = presignStatusWebhooks(1, SECRET);
  await checkJose(sample[0]!, SECRET);

  for (const concurrency of config.concurrencies) {
    const targets: Target[] = bare ? ["b", "a", "c"] : ["b", "a"];
    const next = Object.fromEntries(
      targets.map((target) => {
        const rate = target === "c" ? config.presignRate.bare : config.presignRate.next;
        // (b) ignores the body and token, but gets the same requests so the bytes on the wire match.
        const requests = presignStatusWebhooks(Math.ceil(rate * seconds), SECRET, `ingest-${target}${concurrency}`);
        if (target === "b") for (const r of requests) r.path = "/webhooks/bench-baseline";
        return [target, cursor(requests)];
      }),
    ) as Record<Target, () => PreparedRequest | undefined>;
    clients.resetCount();
    const results = await closedLoopRounds(targets, config.rounds, (target) => ({
      base: new URL(target === "c" ? bare!.url : server.url),
      serverPid: target === "c" ? bare!.pid : server.pid,
      concurrency,
      warmupMs: config.warmupMs,
      durationMs: windowMs,
      next: next[target],
    }));
    for (const target of targets) {
      const run: IngestionRun = { ...results[target], target };
      if (target === "a") {
        // Every stored event must reach every client; give the last batches a moment.
        const expected = run.ok200Total * clients.count;
        await waitFor(() => clients.received >= expected, 3_000);
        run.socketEvents = { received: clients.received, expected };
      }
      runs.push(run);
      log(
        "ingestion",
        `${LABEL[target]} c=${concurrency}: ${fmt(run.rps)} req/s, p50 ${fmt(run.latency.p50)} ms, p99 ${fmt(run.latency.p99)} ms, max ${fmt(run.latency.max)} ms, non-200 ${run.non200}, errors ${run.errors}${run.exhausted ? " (ran out of pre-signed requests: window shortened)" : ""}`,
      );
    }
  }

  const find = (target: Target, c: number) => runs.find((r) => r.target === target && r.concurrency === c);
  const rows: SummaryRow[] = [];
  for (const c of config.concurrencies) {
    const a = find("a", c);
    const b = find("b", c);
    const cc = find("c", c);
    if (!a || !b) continue;
    const rpsRatio = ratio(a.rps, b.rps);
    const p99Ratio = ratio(a.latency.p99, b.latency.p99);
    rows.push({
      part: "1 ingestion",
      metric: `(a)/(b) req/s, c=${c}`,
      value: a.rps,
      unit: "req/s",
      baseline: b.rps,
      baselineLabel: "empty route",
      ratio: rpsRatio,
      target: "≥ 0.8×, 0 non-200",
      met: rpsRatio !== null && rpsRatio >= 0.8 && a.non200 === 0 && a.errors === 0,
    });
    rows.push({
      part: "1 ingestion",
      metric: `(a) p99 / (b) p99, c=${c}`,
      value: a.latency.p99,
      unit: "ms",
      baseline: b.latency.p99,
      baselineLabel: "empty route",
      ratio: p99Ratio,
      target: "≤ 1.5×",
      met: p99Ratio !== null && p99Ratio <= 1.5,
    });
    rows.push({
      part: "1 ingestion",
      metric: `(a) non-200 / errors, c=${c}`,
      value: a.non200 + a.errors,
      unit: "",
      display: `${a.non200} / ${a.errors} of ${a.requests.toLocaleString("en-US")}`,
      target: "0",
      met: a.non200 + a.errors === 0,
    });
    if (a.cpuPerRequest && b.cpuPerRequest) {
      rows.push({
        part: "1 ingestion",
        metric: `server CPU per request, all threads, c=${c} (info)`,
        value: a.cpuPerRequest.totalMicros,
        unit: "µs",
        baseline: b.cpuPerRequest.totalMicros,
        baselineLabel: "empty route",
        ratio: ratio(a.cpuPerRequest.totalMicros, b.cpuPerRequest.totalMicros),
      });
      rows.push({
        part: "1 ingestion",
        metric: `server CPU per request, HTTP thread, c=${c} (info)`,
        value: a.cpuPerRequest.mainMicros,
        unit: "µs",
        baseline: b.cpuPerRequest.mainMicros,
        baselineLabel: "empty route",
        ratio: ratio(a.cpuPerRequest.mainMicros, b.cpuPerRequest.mainMicros),
      });
    }
    if (cc) {
      rows.push({
        part: "1 ingestion",
        metric: `(c) bare node:http req/s, c=${c} (info)`,
        value: cc.rps,
        unit: "req/s",
        baseline: a.rps,
        baselineLabel: "(a)",
        ratio: ratio(cc.rps, a.rps),
      });
    }
    if (a.socketEvents) {
      rows.push({
        part: "1 ingestion",
        metric: `socket events received, c=${c}`,
        value: a.socketEvents.received,
        unit: "",
        display: `${a.socketEvents.received.toLocaleString("en-US")} of ${a.socketEvents.expected.toLocaleString("en-US")}`,
        target: "all",
        met: a.socketEvents.received === a.socketEvents.expected,
      });
    }
  }

  const header = [
    "target",
    "c",
    "req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "non-200",
    "errors",
    "requests",
    "socket events",
    "CPU µs/req (HTTP thread)",
  ];
  const table = runs.map((r) => [
    LABEL[r.target],
    String(r.concurrency),
    fmt(r.rps),
    fmt(r.latency.p50, 2),
    fmt(r.latency.p99, 2),
    fmt(r.latency.max, 2),
    String(r.non200),
    String(r.errors),
    r.requests.toLocaleString("en-US") + (r.exhausted ? " (pool exhausted)" : ""),
    r.socketEvents ? `${r.socketEvents.received}/${r.socketEvents.expected}` : "",
    r.cpuPerRequest ? `${fmt(r.cpuPerRequest.totalMicros)} (${fmt(r.cpuPerRequest.mainMicros)})` : "",
  ]);
  console.log(`\n${textTable(header, table)}\n`);

  const aRates = runs.filter((r) => r.target === "a" && r.non200 === 0).map((r) => r.rps);
  return {
    sustainedRps: aRates.length ? Math.max(...aRates) : null,
    rows,
    details: { runs },
    markdown: `### 1. Ingestion (closed loop, ${config.durationMs / 1000} s per target in ${config.rounds} turn(s) of ${fmt(windowMs / 1000)} s, the targets in turns, each after ${config.warmupMs / 1000} s warm-up)\n\n${markdownTable(header, table)}\n`,
  };
}
