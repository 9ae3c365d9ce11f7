import Database from "better-sqlite3";
import type { BenchConfig } from "@/bench/config";
import { answeredLatencies, countStatuses, openLoop, type OpenSample } from "@/bench/lib/load";
import { log, type PartResult } from "@/bench/lib/part";
import { presignStatusWebhooks } from "@/bench/lib/presign";
import type { SummaryRow } from "@/bench/lib/report";
import { RssSampler } from "@/bench/lib/rss";
import { SECRET } from "@/bench/lib/servers";
import { fmt, markdownTable, MB, percentile, ratio, summarize, textTable } from "@/bench/lib/stats";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 6: an open-loop burst at 4× the rate part 1 sustained, between two phases at a normal
 * rate. What must hold: every answer is 200, or 503 with Retry-After (Vonage retries those);
 * nothing acknowledged is lost; memory stays bounded; latency comes back afterwards.
 * A sender gives up after `timeoutMs` (counted from the scheduled send, so time spent waiting
 * for one of the generator's `maxConnections` connections counts too): such requests are
 * reported as "timeout". The server is not told (it sees a closed connection) and may still
 * store them.
 */

const PHASES = ["before", "burst", "after"] as const;
const ALLOWED = new Set(["200", "503+Retry-After"]);

export async function runBurst(config: BenchConfig["burst"], server: RunningServer, sustainedRps: number): Promise<PartResult> {
  const normal = Math.max(10, Math.round(sustainedRps * config.normalFraction));
  const burst = Math.round(sustainedRps * config.multiplier);
  const phases = [
    { name: "before", rate: normal, durationMs: config.beforeMs },
    { name: "burst", rate: burst, durationMs: config.burstMs },
    { name: "after", rate: normal, durationMs: config.afterMs },
  ];
  const total = phases.reduce((n, p) => n + Math.round((p.rate * p.durationMs) / 1000), 0);
  log(
    "burst",
    `sustained ${fmt(sustainedRps)} req/s (1a) → normal ${normal}/s, burst ${burst}/s for ${config.burstMs / 1000} s; pre-signing ${total.toLocaleString("en-US")} webhooks`,
  );
  const requests = presignStatusWebhooks(total, SECRET, "burst");

  const rss = new RssSampler(server.pid).start();
  const result = await openLoop({
    base: new URL(server.url),
    phases,
    next: (i) => requests[i],
    maxConnections: config.maxConnections,
    timeoutMs: config.timeoutMs,
  });
  const memory = rss.stop();

  const byPhase = PHASES.map((name, p) => {
    const samples = result.samples.filter((s) => s.phase === p);
    const statuses = countStatuses(samples);
    return {
      name,
      rate: phases[p]!.rate,
      sent: samples.length,
      statuses,
      disallowed: Object.entries(statuses).reduce((n, [k, c]) => (ALLOWED.has(k) ? n : n + c), 0),
      latency: summarize(answeredLatencies(samples)),
    };
  });
  const [before, during, after] = byPhase as [(typeof byPhase)[0], (typeof byPhase)[0], (typeof byPhase)[0]];
  const recovery = recoverySeconds(result.samples, config.beforeMs + config.burstMs, before.latency.p99);
  const lost = lostAcknowledged(
    server.databaseFile,
    result.samples,
    requests.map((r) => r.uuid!),
  );
  const statuses = countStatuses(result.samples);
  const disallowed = byPhase.reduce((n, p) => n + p.disallowed, 0);
  log(
    "burst",
    `statuses ${JSON.stringify(statuses)}; p99 before ${fmt(before.latency.p99)} / burst ${fmt(during.latency.p99)} / after ${fmt(after.latency.p99)} ms; RSS ${fmt(memory.before / MB)} → peak ${fmt(memory.peak / MB)} MB; acknowledged but not stored: ${lost}`,
  );

  const header = ["phase", "rate/s", "sent", "statuses", "p50 ms", "p99 ms", "max ms"];
  const table = byPhase.map((p) => [
    p.name,
    String(p.rate),
    p.sent.toLocaleString("en-US"),
    JSON.stringify(p.statuses),
    fmt(p.latency.p50, 2),
    fmt(p.latency.p99, 2),
    fmt(p.latency.max, 2),
  ]);
  console.log(`\n${textTable(header, table)}\n(latency from the scheduled send, answered requests only)\n`);

  const rows: SummaryRow[] = [
    {
      part: "6 burst",
      metric: `answers other than 200 / 503+Retry-After (incl. timeouts > ${config.timeoutMs / 1000} s)`,
      value: disallowed,
      unit: "",
      display: `${disallowed.toLocaleString("en-US")} of ${result.samples.length.toLocaleString("en-US")}: ${Object.entries(statuses)
        .map(([k, c]) => `${k}=${c}`)
        .join(", ")}`,
      target: "0",
      met: disallowed === 0,
    },
    {
      part: "6 burst",
      metric: "acknowledged (200) but not stored",
      value: lost,
      unit: "",
      target: "0",
      met: lost === 0,
    },
    {
      part: "6 burst",
      metric: "peak server RSS",
      value: memory.peak / MB,
      unit: "MB",
      baseline: memory.before / MB,
      baselineLabel: "RSS before",
      ratio: ratio(memory.peak, memory.before),
    },
    {
      part: "6 burst",
      metric: "p99 during burst",
      value: during.latency.p99,
      unit: "ms",
      baseline: before.latency.p99,
      baselineLabel: "p99 before",
      ratio: ratio(during.latency.p99, before.latency.p99),
    },
    {
      part: "6 burst",
      metric: `p99 in the ${config.afterMs / 1000} s after`,
      value: after.latency.p99,
      unit: "ms",
      baseline: before.latency.p99,
      baselineLabel: "p99 before",
      ratio: ratio(after.latency.p99, before.latency.p99),
      target: "back to before (≤ 1.5×)",
      met: (ratio(after.latency.p99, before.latency.p99) ?? Infinity) <= 1.5,
    },
    {
      part: "6 burst",
      metric: "recovery: first 1 s window after the burst with p99 ≤ 1.5× before",
      value: recovery,
      unit: "s",
      display: recovery === null ? `not within ${config.afterMs / 1000} s` : `${fmt(recovery, 0)} s after the burst`,
    },
  ];
  return {
    rows,
    details: {
      normalRate: normal,
      burstRate: burst,
      sustainedRps,
      phases: byPhase,
      statuses,
      memory,
      recoverySeconds: recovery,
      lostAcknowledged: lost,
      maxSendLagMs: result.maxSendLagMs,
    },
    markdown: `### 6. Burst (open loop: ${normal}/s, then ${burst}/s for ${config.burstMs / 1000} s, then ${normal}/s; timeout ${config.timeoutMs / 1000} s; at most ${config.maxConnections} connections)\n\n${markdownTable(header, table)}\n\nLatency from the scheduled send, answered requests only (timeouts are counted in the statuses). Server RSS ${fmt(memory.before / MB)} MB before, peak ${fmt(memory.peak / MB)} MB, ${fmt(memory.after / MB)} MB at the end.\n`,
  };
}

/** Seconds after the burst until the first 1 s window (by scheduled time) whose p99 is back within 1.5× of before. */
function recoverySeconds(samples: OpenSample[], burstEndMs: number, beforeP99: number): number | null {
  const after = samples.filter((s) => s.phase === 2);
  const windows = new Map<number, number[]>();
  for (const s of after) {
    const w = Math.floor((s.scheduledAt - burstEndMs) / 1000);
    const list = windows.get(w) ?? [];
    // A timeout counts as "not recovered": it had no answer within the sender's patience.
    list.push(s.failure ? Infinity : s.doneAt - s.scheduledAt);
    windows.set(w, list);
  }
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    const sorted = Float64Array.from(windows.get(w)!).sort();
    if (percentile(sorted, 99) <= 1.5 * beforeP99) return w;
  }
  return null;
}

/** Acknowledged requests whose event is not in the database (read-only check on the server's file). */
function lostAcknowledged(databaseFile: string, samples: OpenSample[], uuids: string[]): number {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    // The burst's bodies carry client_ref "burst-<n>": one index range scan finds them all.
    const stored = new Set(
      (
        db.prepare(`SELECT "message_uuid" FROM "events" WHERE "client_ref" >= 'burst-' AND "client_ref" < 'burst.'`).raw().all() as [
          string,
        ][]
      ).map((r) => r[0]),
    );
    return samples.filter((s) => s.status === 200 && !stored.has(uuids[s.index]!)).length;
  } finally {
    db.close();
  }
}
