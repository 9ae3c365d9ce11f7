import fs from "node:fs";

interface Sample {
  t: number;
  kb: number;
  anonKb: number;
  fileKb: number;
  shmemKb: number;
}

/**
 * Samples a process's resident memory (VmRSS in /proc/<pid>/status) every 50 ms, from the
 * benchmark process, so the server measures nothing about itself.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private samples: Sample[] = [];

  constructor(private readonly pid: number, private readonly intervalMs = 50) {}

  /** Current VmRSS in bytes (NaN if the process is gone or /proc is unavailable). */
  read(): number {
    return this.readKb().kb * 1024;
  }

  /** VmRSS and its parts (anonymous memory, file pages, shared memory), in kB. */
  private readKb(): Omit<Sample, "t"> {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
      const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? NaN);
      return { kb: field("VmRSS"), anonKb: field("RssAnon"), fileKb: field("RssFile"), shmemKb: field("RssShmem") };
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
  stop(): { before: number; peak: number; after: number; samples: number; peakGrowth: { anon: number; file: number; shmem: number } } {
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
