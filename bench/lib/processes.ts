/**
 * Every child process the benchmark starts is registered here, so an error, Ctrl-C or a
 * normal end never leaves a server or a browser running. Only our own children, by pid.
 */

type Stopper = () => Promise<void>;

interface Tracked {
  name: string;
  pid: number | undefined;
  stop: Stopper;
}

const tracked = new Set<Tracked>();
let installed = false;

export function track(name: string, pid: number | undefined, stop: Stopper): () => void {
  install();
  const entry: Tracked = { name, pid, stop };
  tracked.add(entry);
  return () => tracked.delete(entry);
}

/** Graceful stop of everything still running (servers get SIGTERM through their own stop()). */
export async function stopAll(): Promise<void> {
  const entries = [...tracked].reverse();
  tracked.clear();
  for (const entry of entries) {
    try {
      await withTimeout(entry.stop(), 15_000);
    } catch (error) {
      console.error(`[bench] could not stop ${entry.name} cleanly (${(error as Error).message}); killing pid ${entry.pid}`);
      killPid(entry.pid);
    }
  }
}

function killPid(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function install(): void {
  if (installed) return;
  installed = true;
  // Last resort: "exit" handlers must be synchronous, so whatever is left is killed outright.
  process.on("exit", () => {
    for (const entry of tracked) killPid(entry.pid);
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n[bench] ${signal}: stopping servers and browsers…`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}
