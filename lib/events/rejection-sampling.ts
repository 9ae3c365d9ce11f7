import type { NewRejection } from "@/lib/events/store";

/**
 * Which refusals the rejections log keeps one by one (docs/decisions/021-rejection-sampling.md).
 * Per source address and window: the first few in full; after that one in `sampleEvery`, with
 * only the head of its body; the ones in between are counted onto the next row kept for that
 * address, or onto a summary row when its window closes. Every stored row says how many
 * refusals it stands for (`repeats`, itself included), so the counts add up to every refusal.
 * A global cap on rows kept in full per window stops many addresses from getting around it.
 */

export interface StoredRejection extends NewRejection {
  /** How many refusals from this address the row stands for, itself included. */
  repeats: number;
}

export interface SamplingLimits {
  windowMs: number;
  /** Refusals kept in full per address and window. */
  fullPerAddress: number;
  /** Refusals kept in full per window, all addresses together. */
  fullPerWindow: number;
  /** Past the full ones, one refusal in this many is kept as a sample. */
  sampleEvery: number;
  /** A sample keeps this much of its body. */
  sampleBodyBytes: number;
  /** Addresses tracked at once; the oldest window is closed early beyond that. */
  maxAddresses: number;
}

interface AddressWindow {
  startedAt: number;
  full: number;
  /** Refusals counted since the last row kept for this address. */
  pending: number;
  /** The latest of those, without body or headers, for the summary row. */
  latest: NewRejection | null;
}

export class RejectionSampler {
  /** In the order their windows started, so the oldest come first. */
  private readonly windows = new Map<string, AddressWindow>();
  private globalStartedAt = -Infinity;
  private globalFull = 0;

  constructor(private readonly limits: SamplingLimits) {}

  /** The rows to store for this refusal: none, itself (whole or cut), and any summary of a window it closed. */
  admit(rejection: NewRejection, now: number): StoredRejection[] {
    const rows: StoredRejection[] = [];
    const key = rejection.sourceIp ?? "";
    if (now - this.globalStartedAt >= this.limits.windowMs) {
      this.globalStartedAt = now;
      this.globalFull = 0;
    }
    let window = this.windows.get(key);
    if (window && now - window.startedAt >= this.limits.windowMs) {
      this.close(key, window, rows);
      window = undefined;
    }
    if (!window) {
      const oldest = this.windows.size >= this.limits.maxAddresses ? this.windows.entries().next().value : undefined;
      if (oldest) this.close(oldest[0], oldest[1], rows);
      window = { startedAt: now, full: 0, pending: 0, latest: null };
      this.windows.set(key, window);
    }

    if (window.full < this.limits.fullPerAddress && this.globalFull < this.limits.fullPerWindow) {
      window.full++;
      this.globalFull++;
      rows.push({ ...rejection, repeats: 1 });
    } else if (++window.pending >= this.limits.sampleEvery) {
      rows.push({ ...this.cutBody(rejection), repeats: window.pending });
      window.pending = 0;
      window.latest = null;
    } else {
      window.latest = { ...rejection, headers: {}, tokenClaims: null, body: "", bodyTruncated: rejection.bodyBytes > 0 };
    }
    return rows;
  }

  /** Summary rows of the windows that have closed by `now`. */
  closeExpired(now: number): StoredRejection[] {
    const rows: StoredRejection[] = [];
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < this.limits.windowMs) break;
      this.close(key, window, rows);
    }
    return rows;
  }

  private close(key: string, window: AddressWindow, rows: StoredRejection[]): void {
    this.windows.delete(key);
    if (window.pending > 0 && window.latest) rows.push({ ...window.latest, repeats: window.pending });
  }

  private cutBody(rejection: NewRejection): NewRejection {
    const bytes = Buffer.from(rejection.body);
    if (bytes.byteLength <= this.limits.sampleBodyBytes) return rejection;
    return { ...rejection, body: bytes.subarray(0, this.limits.sampleBodyBytes).toString("utf8"), bodyTruncated: true };
  }
}
