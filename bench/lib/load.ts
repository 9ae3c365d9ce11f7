import { performance } from "node:perf_hooks";
import { cpuSince, cpuTimes, type CpuTimes } from "@/bench/lib/cpu";
import { keepAliveAgent, send, TimeoutError, type PreparedRequest, type Reply } from "@/bench/lib/http";
import { summarize, type LatencySummary } from "@/bench/lib/stats";

/**
 * Load generators. Closed loop: N workers on N keep-alive connections, each sending its next
 * request as soon as the previous answer arrives (what autocannon does): measures capacity.
 * Open loop: requests leave at fixed times whatever the server does (k6's constant-arrival-
 * rate), and latency counts from the *scheduled* time, so a slow server cannot hide its
 * queueing by slowing the generator down (coordinated omission).
 */

export interface StatusCounts {
  [status: string]: number;
}

export interface ClosedLoopResult {
  concurrency: number;
  /** Measured windows this result adds up (one per round). */
  rounds: number;
  seconds: number;
  requests: number;
  rps: number;
  latency: LatencySummary;
  statuses: StatusCounts;
  non200: number;
  errors: number;
  /** True when the pre-signed requests ran out before the end (the window was shortened). */
  exhausted: boolean;
  /** Every 200 of the run, warm-up included (each one is a stored event the sockets should see). */
  ok200Total: number;
  /** The server's CPU per request (`serverPid`), warm-up included; undefined without /proc. */
  cpuPerRequest?: CpuTimes;
}

interface ClosedLoopWindow {
  seconds: number;
  latencies: number[];
  statuses: StatusCounts;
  errors: number;
  exhausted: boolean;
  ok200Total: number;
  /** Requests answered in the whole window, warm-up included, and the server's CPU meanwhile. */
  answeredTotal: number;
  cpu?: CpuTimes;
}

interface ClosedLoopOptions {
  base: URL;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  next: () => PreparedRequest | undefined;
  /** The server process, to report its CPU per request. */
  serverPid?: number;
}

/**
 * Closed-loop runs of several targets taken in turns (A B A B …), each target's windows added
 * up into one result: a machine whose speed drifts during the run (these are shared) then
 * slows every target alike, where back-to-back runs would charge the drift to whichever
 * target ran in the slow stretch. Each window has its own warm-up.
 */
export async function closedLoopRounds<T extends string>(
  targets: readonly T[],
  rounds: number,
  options: (target: T) => ClosedLoopOptions,
): Promise<Record<T, ClosedLoopResult>> {
  const windows = new Map<T, ClosedLoopWindow[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) windows.get(target)!.push(await closedLoopWindow(options(target)));
  }
  return Object.fromEntries(targets.map((t) => [t, combine(options(t).concurrency, windows.get(t)!)])) as Record<T, ClosedLoopResult>;
}

async function closedLoopWindow(options: ClosedLoopOptions): Promise<ClosedLoopWindow> {
  const agent = keepAliveAgent(options.concurrency);
  const start = performance.now();
  const measureFrom = start + options.warmupMs;
  let end = measureFrom + options.durationMs;
  const latencies: number[] = [];
  const statuses: StatusCounts = {};
  let errors = 0;
  let exhausted = false;
  let ok200Total = 0;
  let answeredTotal = 0;
  const cpuAtStart = options.serverPid === undefined ? undefined : cpuTimes(options.serverPid);

  const worker = async () => {
    while (performance.now() < end) {
      const request = options.next();
      if (!request) {
        // Out of pre-signed requests: stop everyone now rather than sign inside the timing.
        if (!exhausted) end = Math.min(end, performance.now());
        exhausted = true;
        return;
      }
      const t0 = performance.now();
      let status = "error";
      try {
        status = String((await send(agent, options.base, request)).status);
        answeredTotal++;
        if (status === "200") ok200Total++;
      } catch {
        errors++;
      }
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= end) {
        latencies.push(t1 - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const cpu = options.serverPid === undefined ? undefined : cpuSince(options.serverPid, cpuAtStart);
  agent.destroy();
  return { seconds: Math.max(0.001, (end - measureFrom) / 1000), latencies, statuses, errors, exhausted, ok200Total, answeredTotal, cpu };
}

function combine(concurrency: number, windows: ClosedLoopWindow[]): ClosedLoopResult {
  const seconds = windows.reduce((n, w) => n + w.seconds, 0);
  const latencies = windows.flatMap((w) => w.latencies);
  const statuses: StatusCounts = {};
  for (const w of windows) for (const [status, count] of Object.entries(w.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const non200 = Object.entries(statuses).reduce((n, [s, c]) => (s === "200" ? n : n + c), 0);
  const answered = windows.reduce((n, w) => n + w.answeredTotal, 0);
  const measuredCpu = windows.every((w) => w.cpu) && answered > 0;
  return {
    concurrency,
    rounds: windows.length,
    seconds,
    requests: latencies.length,
    rps: latencies.length / seconds,
    latency: summarize(latencies),
    statuses,
    non200,
    errors: windows.reduce((n, w) => n + w.errors, 0),
    exhausted: windows.some((w) => w.exhausted),
    ok200Total: windows.reduce((n, w) => n + w.ok200Total, 0),
    cpuPerRequest: measuredCpu
      ? {
          mainMicros: windows.reduce((n, w) => n + w.cpu!.mainMicros, 0) / answered,
          totalMicros: windows.reduce((n, w) => n + w.cpu!.totalMicros, 0) / answered,
        }
      : undefined,
  };
}

export interface Phase {
  name: string;
  /** Requests per second during this phase. */
  rate: number;
  durationMs: number;
}

/** One request of an open-loop run, as it went. */
export interface OpenSample {
  index: number;
  phase: number;
  /** When it was due to leave, relative to the run's start (ms). */
  scheduledAt: number;
  /** When its answer (or failure) arrived, relative to the run's start (ms). */
  doneAt: number;
  status: number;
  retryAfter: string | undefined;
  /**
   * "timeout": no answer within the timeout of the scheduled send (on a new connection, waiting in
   * the server's accept queue counts too); "timeout (no free connection)": all `maxConnections`
   * stayed busy; else the error code.
   */
  failure?: string;
  uuid?: string;
}

export interface OpenLoopResult {
  samples: OpenSample[];
  /** performance.now() at the run's start, to convert sample times to absolute ones. */
  origin: number;
  /** How far behind schedule the generator itself fell (ms): a sanity check of the generator. */
  maxSendLagMs: number;
}

export async function openLoop(options: {
  base: URL;
  phases: Phase[];
  next: (index: number) => PreparedRequest | undefined;
  maxConnections: number;
  timeoutMs: number;
  onAck?: (sample: OpenSample, reply: Reply | undefined) => void;
}): Promise<OpenLoopResult> {
  const agent = keepAliveAgent(options.maxConnections);
  // The schedule: evenly spaced send times per phase.
  const schedule: { at: number; phase: number }[] = [];
  let phaseStart = 0;
  options.phases.forEach((phase, p) => {
    const count = Math.round((phase.rate * phase.durationMs) / 1000);
    for (let i = 0; i < count; i++) schedule.push({ at: phaseStart + (i * 1000) / phase.rate, phase: p });
    phaseStart += phase.durationMs;
  });

  const samples: OpenSample[] = [];
  const inflight: Promise<void>[] = [];
  const origin = performance.now();
  let nextIndex = 0;
  let maxSendLagMs = 0;

  const fire = (index: number) => {
    const { at, phase } = schedule[index]!;
    const request = options.next(index);
    if (!request) throw new Error(`open loop: no pre-signed request for #${index}`);
    const remaining = options.timeoutMs - (performance.now() - origin - at);
    const sample: OpenSample = { index, phase, scheduledAt: at, doneAt: 0, status: 0, retryAfter: undefined, uuid: request.uuid };
    samples.push(sample);
    inflight.push(
      send(agent, options.base, request, { timeoutMs: remaining }).then(
        (reply) => {
          sample.doneAt = performance.now() - origin;
          sample.status = reply.status;
          sample.retryAfter = reply.retryAfter;
          options.onAck?.(sample, reply);
        },
        (error: unknown) => {
          sample.doneAt = performance.now() - origin;
          sample.failure =
            error instanceof TimeoutError
              ? error.sent
                ? "timeout"
                : "timeout (no free connection)"
              : ((error as NodeJS.ErrnoException).code ?? "error");
          options.onAck?.(sample, undefined);
        },
      ),
    );
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now() - origin;
      while (nextIndex < schedule.length && schedule[nextIndex]!.at <= now) {
        maxSendLagMs = Math.max(maxSendLagMs, now - schedule[nextIndex]!.at);
        fire(nextIndex++);
      }
      if (nextIndex >= schedule.length) return resolve();
      // setTimeout(1) is the finest portable timer; several due requests leave per tick.
      setTimeout(tick, Math.max(0, Math.min(1, schedule[nextIndex]!.at - now)));
    };
    tick();
  });
  await Promise.all(inflight);
  agent.destroy();
  return { samples, origin, maxSendLagMs };
}

/** Latency (ms from the scheduled send) of the samples that got an HTTP answer. */
export function answeredLatencies(samples: OpenSample[]): number[] {
  return samples.filter((s) => !s.failure).map((s) => s.doneAt - s.scheduledAt);
}

export function countStatuses(samples: OpenSample[]): StatusCounts {
  const counts: StatusCounts = {};
  for (const s of samples) {
    const key = s.failure ?? (s.status === 503 ? (s.retryAfter ? "503+Retry-After" : "503 (no Retry-After)") : String(s.status));
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
