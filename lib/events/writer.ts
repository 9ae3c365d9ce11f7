import { setTimeout as sleep } from "node:timers/promises";

/**
 * Group commit: writes that arrive while the database is busy with the previous batch
 * are collected and committed together in one transaction, and each caller's promise
 * settles only after that commit (no acknowledgement before durability). Batches are
 * committed one at a time, so ids are handed out, and published, in commit order.
 */

export interface BatchWriterOptions<In, Out> {
  /** Writes one batch in one transaction; returns one result per input, in order. */
  writeBatch: (items: In[]) => Promise<Out[]>;
  /** Called after each committed batch, still in commit order. */
  afterCommit?: (results: Out[]) => void;
  /** True for errors worth retrying until the deadline (a locked database). */
  isRetryable: (error: unknown) => boolean;
  /** How long a batch may keep retrying before its callers get the error. */
  retryForMs: number;
  maxBatchSize?: number;
}

interface Pending<In, Out> {
  item: In;
  resolve: (value: Out) => void;
  reject: (error: unknown) => void;
}

export class BatchWriter<In, Out> {
  private queue: Pending<In, Out>[] = [];
  private running = false;

  constructor(private readonly options: BatchWriterOptions<In, Out>) {}

  write(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // setImmediate lets every request already read in this turn of the event loop
        // join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize ?? 500);
      try {
        const results = await this.writeWithRetry(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]!));
        this.notify(results);
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
    this.running = false;
  }

  private notify(results: Out[]): void {
    try {
      this.options.afterCommit?.(results);
    } catch (error) {
      // The batch is committed and acknowledged; a failing listener must not undo that.
      console.error("[writer] afterCommit listener failed:", error);
    }
  }

  private async writeWithRetry(items: In[]): Promise<Out[]> {
    const deadline = Date.now() + this.options.retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.options.writeBatch(items);
      } catch (error) {
        const wait = Math.min(250, 5 * 2 ** attempt);
        if (!this.options.isRetryable(error) || Date.now() + wait > deadline) throw error;
        await sleep(wait);
      }
    }
  }
}
