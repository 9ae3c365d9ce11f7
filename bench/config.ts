/**
 * What each mode runs. Full: the figures the issue asks for (several minutes). Quick: the same
 * parts with smaller counts and shorter windows, to finish in under a minute; its numbers are
 * noisier and only good for spotting a large regression.
 */

export interface BenchConfig {
  mode: "quick" | "full";
  ingestion: {
    concurrencies: number[];
    warmupMs: number;
    /** Measured time per target and concurrency, split into `rounds` windows taken in turns with the other targets. */
    durationMs: number;
    rounds: number;
    socketClients: number;
    /** Run (c), the bare node:http host (information only; skipped in quick mode to save time). */
    bare: boolean;
    /** Requests pre-signed per run = this rate × run time; a run that uses them all up is cut short and flagged. */
    presignRate: { next: number; bare: number };
  };
  endToEnd: { rates: number[]; durationMs: number; clients: number; graceMs: number };
  burst: {
    multiplier: number;
    /** The "normal" rate before and after the burst, as a fraction of the sustained rate. */
    normalFraction: number;
    beforeMs: number;
    burstMs: number;
    afterMs: number;
    /** A sender's patience: answers later than this (from the scheduled send) count as timeouts. */
    timeoutMs: number;
    /** Concurrent connections the generator may open (a sender fleet is large, not infinite). */
    maxConnections: number;
  };
  data: { events: number };
  /** Part 3: how long the webhook trickle runs on the idle server before the export it runs beside. */
  export: { idleTrickleMs: number };
  queries: { repetitions: number; warmup: number };
  browser: { loadedEvents: number; streamRate: number; streamMs: number; idleMs: number };
  /** Part 7: a log of `events` events for `messages` outbound messages over the last `days` days, on SQLite and PostgreSQL. */
  insights: { events: number; messages: number; days: number; repetitions: number; warmup: number };
}

export function benchConfig(quick: boolean): BenchConfig {
  return quick
    ? {
        mode: "quick",
        ingestion: {
          concurrencies: [20, 50],
          warmupMs: 250,
          durationMs: 1_000,
          rounds: 1,
          socketClients: 10,
          bare: false,
          presignRate: { next: 4_000, bare: 12_000 },
        },
        endToEnd: { rates: [200, 500], durationMs: 1_000, clients: 10, graceMs: 2_000 },
        // 6 s of burst, for the same reason as the shorter browser stream below.
        burst: {
          multiplier: 4,
          normalFraction: 0.5,
          beforeMs: 1_000,
          burstMs: 6_000,
          afterMs: 2_000,
          timeoutMs: 5_000,
          maxConnections: 1_000,
        },
        data: { events: 100_000 },
        export: { idleTrickleMs: 1_000 },
        queries: { repetitions: 20, warmup: 3 },
        // A 6 s stream: with the shorter burst, that keeps quick under a minute on a 2-core machine
        // (62 s with 10 s and 8 s on 2026-12-02).
        browser: { loadedEvents: 20_000, streamRate: 100, streamMs: 6_000, idleMs: 1_500 },
        insights: { events: 100_000, messages: 30_000, days: 30, repetitions: 10, warmup: 2 },
      }
    : {
        mode: "full",
        ingestion: {
          concurrencies: [20, 50],
          warmupMs: 500,
          durationMs: 12_000,
          rounds: 4,
          socketClients: 10,
          bare: true,
          presignRate: { next: 5_000, bare: 20_000 },
        },
        endToEnd: { rates: [200, 500], durationMs: 15_000, clients: 10, graceMs: 3_000 },
        burst: {
          multiplier: 4,
          normalFraction: 0.5,
          beforeMs: 10_000,
          burstMs: 30_000,
          afterMs: 30_000,
          timeoutMs: 5_000,
          maxConnections: 1_000,
        },
        data: { events: 1_000_000 },
        export: { idleTrickleMs: 3_000 },
        queries: { repetitions: 50, warmup: 5 },
        browser: { loadedEvents: 100_000, streamRate: 100, streamMs: 60_000, idleMs: 15_000 },
        insights: { events: 1_000_000, messages: 300_000, days: 30, repetitions: 30, warmup: 3 },
      };
}
