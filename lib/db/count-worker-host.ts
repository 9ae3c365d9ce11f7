import { Worker } from "node:worker_threads";
import type { Counter } from "@/lib/db/count";

/** The count worker as the HTTP thread sees it (lib/db/count.ts says why it exists). */

type Reply = { id: number; count: number; error?: undefined } | { id: number; error: string };

/** Started on first use, and again after it stops. */
export class CountWorker implements Counter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (count: number) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  constructor(private readonly sqlitePath: string) {}

  count(sql: string, values: unknown[]): Promise<number> {
    const worker = this.running();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql, values });
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./count-worker.mjs", import.meta.url), { workerData: { path: this.sqlitePath } });
    // An idle worker does not keep the process alive.
    worker.unref();
    worker.on("message", (reply: Reply) => {
      const entry = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) entry?.reject(new Error(reply.error));
      else entry?.resolve(reply.count);
    });
    worker.on("error", (error) => console.error("[db] count worker failed:", error));
    worker.on("exit", (code) => {
      if (this.worker === worker) this.worker = undefined;
      const lost = new Error(`the count worker stopped (exit code ${code})`);
      for (const entry of this.pending.values()) entry.reject(lost);
      this.pending.clear();
    });
    this.worker = worker;
    return worker;
  }
}
