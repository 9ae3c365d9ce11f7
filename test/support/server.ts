import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureTestDatabase, onPostgres } from "@/test/support/postgres";
import { TEST_API_TOKEN } from "@/test/support/vonage";

/**
 * Starts the real console (dist/server.js through bin/serve, as `npm start` does) on a free port
 * with its own SQLite file, for integration, end-to-end and benchmark runs. Needs `npm run build` first.
 */

export const ROOT = path.resolve(import.meta.dirname, "../..");
/** What `npm start` runs. */
export const SERVE = path.join(ROOT, "bin/serve");

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  /** The SQLite file (meaningless on PostgreSQL: see env.DATABASE_URL). */
  databaseFile: string;
  env: Record<string, string>;
  /** Everything the server printed so far. */
  output(): string;
  /** The one-click login URL it printed (when no DASHBOARD_PASSWORD is set). */
  loginUrl(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Kills it without a graceful shutdown. */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data directory (for restart tests). */
  dataDir?: string;
  port?: number;
}

/** Every server started here dies with the process that started it, even if a test forgets to stop it. */
const children = new Set<ChildProcess>();
// Data folders go when the process that made them exits (the benchmark's 1,000,000-event file
// among them); in a test run, with the run's own folder (test/support/temp-root.ts).
const dataDirs = new Set<string>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

export function makeDataDir(prefix = "vwc-test-"): string {
  const dir = fs.mkdtempSync(path.join(process.env.VWC_TEST_TMP ?? os.tmpdir(), prefix));
  dataDirs.add(dir);
  return dir;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? makeDataDir();
  const databaseFile = path.join(dataDir, "events.db");
  // On the "postgres" project every data folder has its own PostgreSQL database.
  const databaseUrl = options.env?.DATABASE_URL ?? (onPostgres ? await ensureTestDatabase(path.basename(dataDir)) : `file:${databaseFile}`);
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    // A developer's own .env must not leak into tests.
    ENV_FILE: "",
    DASHBOARD_API_TOKEN: TEST_API_TOKEN,
    // Shedding on lateness is tested on its own (lib/http/admission.test.ts); here a test server
    // on a busy CI machine must not refuse a webhook because its event loop ran late.
    MAX_WEBHOOK_DELAY_MS: "60000",
    // Suites refuse dozens of requests from 127.0.0.1 within a minute and read each one back;
    // sampling past the first few is tested on its own (test/integration/rejection-sampling.test.ts).
    REJECTIONS_FULL_PER_ADDRESS: "100000",
    ...options.env,
    PORT: String(options.port ?? 0),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
  };
  const child = spawn(SERVE, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match && output.includes("[server] ready")) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    port,
    pid: child.pid!,
    dataDir,
    databaseFile,
    env,
    output: () => output,
    loginUrl: () => {
      const match = /open (\S+\/login\?token=\S+)/.exec(output);
      if (!match) throw new Error(`no login URL in the server output:\n${output}`);
      return match[1]!.replace(/^https?:\/\/[^/]+/, url);
    },
    stop: (signal = "SIGTERM") => stopChild(child, signal),
    kill: () => stopChild(child, "SIGKILL"),
  };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}
