import type { BenchConfig } from "@/bench/config";
import { answeredLatencies, countStatuses, openLoop } from "@/bench/lib/load";
import { log, waitFor, type PartResult } from "@/bench/lib/part";
import { presignStatusWebhooks } from "@/bench/lib/presign";
import type { SummaryRow } from "@/bench/lib/report";
import { SECRET } from "@/bench/lib/servers";
import type { SocketClients } from "@/bench/lib/sockets";
import { fmt, markdownTable, ratio, summarize, textTable, type LatencySummary } from "@/bench/lib/stats";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 2: from the webhook's 200 to the event's arrival at each of 10 Socket.IO clients, at a
 * fixed arrival rate. The generator and the clients live in this process, so one clock
 * (performance.now()) times both ends; each received event is matched to its request by
 * message_uuid. A negative delay means the socket had the event before the HTTP answer was
 * read (the server publishes right after the commit, while the answer is still on its way).
 */

interface Tracked {
  scheduledAt: number;
  ackAt: number;
  ok: boolean;
  received: Float64Array;
}

export interface EndToEndRun {
  rate: number;
  sent: number;
  statuses: Record<string, number>;
  ack: LatencySummary;
  ackToSocket: LatencySummary;
  sendToSocket: LatencySummary;
  /** (request, client) pairs acknowledged with 200 but never received. */
  missing: number;
  /** Pairs received before the 200 was read. */
  beforeAck: number;
  maxSendLagMs: number;
}

export async function runEndToEnd(config: BenchConfig["endToEnd"], server: RunningServer, clients: SocketClients): Promise<PartResult> {
  const runs: EndToEndRun[] = [];
  for (const rate of config.rates) {
    const count = Math.round((rate * config.durationMs) / 1000);
    const requests = presignStatusWebhooks(count, SECRET, `e2e-${rate}`);
    const byUuid = new Map<string, Tracked>();
    for (const r of requests)
      byUuid.set(r.uuid!, { scheduledAt: 0, ackAt: NaN, ok: false, received: new Float64Array(clients.count).fill(NaN) });
    let receipts = 0;
    clients.listener = (client, events, at) => {
      for (const event of events) {
        const tracked = event.messageUuid ? byUuid.get(event.messageUuid) : undefined;
        if (tracked && Number.isNaN(tracked.received[client]!)) {
          tracked.received[client] = at;
          receipts++;
        }
      }
    };
    const result = await openLoop({
      base: new URL(server.url),
      phases: [{ name: "steady", rate, durationMs: config.durationMs }],
      next: (i) => requests[i],
      maxConnections: 256,
      timeoutMs: 10_000,
      onAck: (sample, reply) => {
        const tracked = byUuid.get(sample.uuid!)!;
        tracked.scheduledAt = sample.scheduledAt;
        tracked.ackAt = sample.doneAt;
        tracked.ok = reply?.status === 200;
      },
    });
    const acked = [...byUuid.values()].filter((t) => t.ok);
    await waitFor(() => receipts >= acked.length * clients.count, config.graceMs);
    clients.listener = undefined;

    // Sample times are relative to the run's origin; receipts are absolute: convert once.
    const ackToSocket: number[] = [];
    const sendToSocket: number[] = [];
    let missing = 0;
    let beforeAck = 0;
    for (const t of acked) {
      for (const at of t.received) {
        if (Number.isNaN(at)) {
          missing++;
          continue;
        }
        const rel = at - result.origin;
        ackToSocket.push(rel - t.ackAt);
        sendToSocket.push(rel - t.scheduledAt);
        if (rel < t.ackAt) beforeAck++;
      }
    }
    const run: EndToEndRun = {
      rate,
      sent: result.samples.length,
      statuses: countStatuses(result.samples),
      ack: summarize(answeredLatencies(result.samples)),
      ackToSocket: summarize(ackToSocket),
      sendToSocket: summarize(sendToSocket),
      missing,
      beforeAck,
      maxSendLagMs: result.maxSendLagMs,
    };
    runs.push(run);
    log(
      "e2e",
      `${rate}/s: ack p50 ${fmt(run.ack.p50, 2)} / p99 ${fmt(run.ack.p99, 2)} ms; 200→socket p50 ${fmt(run.ackToSocket.p50, 2)} / p99 ${fmt(run.ackToSocket.p99, 2)} ms; send→socket p99 ${fmt(run.sendToSocket.p99, 2)} ms; missing ${missing}; statuses ${JSON.stringify(run.statuses)}`,
    );
  }

  const rows: SummaryRow[] = [];
  for (const run of runs) {
    const targeted = run.rate === 500;
    for (const p of ["p50", "p99"] as const) {
      const limit = p === "p50" ? 20 : 100;
      rows.push({
        part: "2 end to end",
        metric: `200→socket ${p} @ ${run.rate}/s (negative: socket first)`,
        value: run.ackToSocket[p],
        unit: "ms",
        target: targeted ? `< ${limit} ms` : undefined,
        met: targeted ? run.ackToSocket[p] < limit && run.missing === 0 : undefined,
      });
    }
    // The ratio the issue asks for: how the socket delivery compares with the ack of the same
    // requests, both timed from the (scheduled) send, since 200→socket alone can be negative.
    rows.push({
      part: "2 end to end",
      metric: `send→socket p99 vs send→200 p99 @ ${run.rate}/s`,
      value: run.sendToSocket.p99,
      unit: "ms",
      baseline: run.ack.p99,
      baselineLabel: "ack p99",
      ratio: ratio(run.sendToSocket.p99, run.ack.p99),
    });
    rows.push({
      part: "2 end to end",
      metric: `deliveries missing @ ${run.rate}/s`,
      value: run.missing,
      unit: "",
      display: `${run.missing} of ${(run.sent * clients.count).toLocaleString("en-US")}`,
      target: "0",
      met: run.missing === 0,
    });
  }

  const header = [
    "rate/s",
    "sent",
    "ack p50",
    "ack p99",
    "200→socket p50",
    "200→socket p99",
    "200→socket max",
    "send→socket p50",
    "send→socket p99",
    "socket before ack",
    "missing",
    "statuses",
  ];
  const table = runs.map((r) => [
    String(r.rate),
    String(r.sent),
    fmt(r.ack.p50, 2),
    fmt(r.ack.p99, 2),
    fmt(r.ackToSocket.p50, 2),
    fmt(r.ackToSocket.p99, 2),
    fmt(r.ackToSocket.max, 2),
    fmt(r.sendToSocket.p50, 2),
    fmt(r.sendToSocket.p99, 2),
    `${r.beforeAck} / ${r.ackToSocket.count}`,
    String(r.missing),
    JSON.stringify(r.statuses),
  ]);
  console.log(`\n${textTable(header, table)}\n(ms; summary ratio = send→socket p99 ÷ send→200 p99 of the same requests)\n`);
  return {
    rows,
    details: { runs },
    markdown: `### 2. End to end (open loop, ${config.durationMs / 1000} s per rate, ${config.rates.join(" and ")} webhooks/s, 10 clients; ms)\n\nTimes from the scheduled send (open loop). Ratio in the summary: send → socket receipt p99 ÷ send → 200 p99 of the same requests. A negative 200 → socket time means the event reached the socket clients before the HTTP answer was read (the server publishes right after the commit).\n\n${markdownTable(header, table)}\n`,
  };
}
