import fs from "node:fs";

interface Sample {
  t: number;
  kb: number;
  anonKb: number;
  fileKb: number;
  shmemKb: number;
}

const VM_RSS = /VmRSS:\s+(\d+)\s+kB/;
const RSS_ANON = /RssAnon:\s+(\d+)\s+kB/;
const RSS_FILE = /RssFile:\s+(\d+)\s+kB/;
const RSS_SHMEM = /RssShmem:\s+(\d+)\s+kB/;

/** Resident memory over a sampled stretch, in bytes. */
export interface RssSummary {
  before: number;
  peak: number;
  after: number;
  samples: number;
  /** How the peak sample differs from the first in anonymous memory (heaps), file pages and shared memory. */
  peakGrowth: { anon: number; file: number; shmem: number };
}

/**
 * Samples a process's resident memory (VmRSS in /proc/<pid>/status) every 50 ms, from the
 * benchmark process, so the server measures nothing about itself.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private samples: Sample[] = [];

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  /** VmRSS and its parts (anonymous memory, file pages, shared memory), in kB; NaN if the process is gone. */
  private readKb(): Omit<Sample, "t"> {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
      const field = (pattern: RegExp) => Number(pattern.exec(status)?.[1] ?? NaN);
      return { kb: field(VM_RSS), anonKb: field(RSS_ANON), fileKb: field(RSS_FILE), shmemKb: field(RSS_SHMEM) };
    } catch {
      return { kb: NaN, anonKb: NaN, fileKb: NaN, shmemKb: NaN };
    }
  }

  start(): this {
    this.samples = [];
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    this.samples.push({ t: performance.now(), ...this.readKb() });
  }

  /**
   * Stops and returns the first sample, the peak and the last sample (bytes), and how the peak
   * differs from the first sample in anonymous memory (heaps), file pages and shared memory.
   */
  stop(): RssSummary {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const valid = this.samples.filter((s) => Number.isFinite(s.kb));
    const first = valid[0];
    const peak = valid.reduce<Sample | undefined>((best, s) => (!best || s.kb > best.kb ? s : best), undefined);
    const growth = (key: "anonKb" | "fileKb" | "shmemKb") => (peak && first ? (peak[key] - first[key]) * 1024 : NaN);
    return {
      before: (first?.kb ?? NaN) * 1024,
      peak: (peak?.kb ?? NaN) * 1024,
      after: (valid[valid.length - 1]?.kb ?? NaN) * 1024,
      samples: valid.length,
      peakGrowth: { anon: growth("anonKb"), file: growth("fileKb"), shmem: growth("shmemKb") },
    };
  }
}
