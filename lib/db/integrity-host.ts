import { Worker } from "node:worker_threads";
import { recordIntegrityCheck } from "@/lib/db/integrity";

/**
 * Runs the whole-file check of lib/db/integrity.ts on a short-lived worker thread, now and then
 * every `everyHours`; 0 turns it off. Started by server.ts on SQLite.
 */
export function scheduleIntegrityChecks(sqlitePath: string, everyHours: number): { stop(): void } {
  if (everyHours <= 0) return { stop() {} };
  let worker: Worker | undefined;
  const run = () => {
    if (worker) return;
    const started = Date.now();
    worker = new Worker(new URL("./integrity-worker.mjs", import.meta.url), { workerData: { path: sqlitePath } });
    worker.unref();
    worker.once("message", ({ problem }: { problem: string | null }) => {
      recordIntegrityCheck(problem);
      if (problem) console.error(`[db] integrity check FAILED after ${Date.now() - started} ms: ${problem}`);
      else console.log(`[db] integrity check ok (${Date.now() - started} ms)`);
    });
    worker.once("error", (error) => console.error("[db] integrity check could not run:", error.message));
    worker.once("exit", () => (worker = undefined));
  };
  run();
  const timer = setInterval(run, everyHours * 3_600_000).unref();
  return {
    stop() {
      clearInterval(timer);
      void worker?.terminate();
    },
  };
}
