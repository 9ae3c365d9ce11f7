import fs from "node:fs";

/**
 * Samples a process's resident memory (VmRSS in /proc/<pid>/status) every 50 ms, from the
 * benchmark process, so the server measures nothing about itself.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private samples: { t: number; kb: number }[] = [];

  constructor(private readonly pid: number, private readonly intervalMs = 50) {}

  /** Current VmRSS in bytes (NaN if the process is gone or /proc is unavailable). */
  read(): number {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) * 1024 : NaN;
    } catch {
      return NaN;
    }
  }

  start(): this {
    this.samples = [];
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    this.samples.push({ t: performance.now(), kb: this.read() / 1024 });
  }

  /** Stops and returns the first sample, the peak and the last sample (bytes). */
  stop(): { before: number; peak: number; after: number; samples: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const kbs = this.samples.map((s) => s.kb).filter((kb) => Number.isFinite(kb));
    return {
      before: (kbs[0] ?? NaN) * 1024,
      peak: Math.max(...kbs) * 1024,
      after: (kbs[kbs.length - 1] ?? NaN) * 1024,
      samples: kbs.length,
    };
  }
}
