import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { track } from "@/bench/lib/processes";
import { makeDataDir, ROOT, startServer, type RunningServer } from "@/test/support/server";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/** Starting the console (production build) and the bare node:http host for the benchmark. */

export const SECRET = TEST_SECRET;
export const API_TOKEN = TEST_API_TOKEN;
export const apiHeaders = { authorization: `Bearer ${API_TOKEN}` };

/**
 * The servers run the production build; without it (or with a build that predates the
 * baseline route) the numbers would be meaningless, so stop early with the fix.
 */
export function ensureBuild(): void {
  const manifest = path.join(ROOT, ".next", "app-path-routes-manifest.json");
  if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID")) || !fs.existsSync(manifest)) {
    throw new Error("No production build found in .next/. Run `npm run build` first, then `npm run bench`.");
  }
  const routes = fs.readFileSync(manifest, "utf8");
  if (!routes.includes("/webhooks/bench-baseline")) {
    throw new Error(
      "The production build in .next/ predates app/webhooks/bench-baseline/route.ts. Run `npm run build` again, then `npm run bench`.",
    );
  }
}

interface BenchServerOptions {
  cpuProfileDir?: string;
  /** Reuse this data directory (a restart) instead of a fresh one. */
  dataDir?: string;
  /** More environment, e.g. DATABASE_URL for a PostgreSQL store (default: a SQLite file in the data directory). */
  env?: Record<string, string>;
}

/** How to stop a bench server without deleting its data, for restartBenchServer. */
const keepDataStop = new WeakMap<RunningServer, { name: string; options: BenchServerOptions; stop: () => Promise<void> }>();

/**
 * A console with signatures checked and the baseline route switched on. Each has its own
 * fresh data directory (SQLite file, generated secrets), removed when it stops.
 */
export async function startBenchServer(name: string, options: BenchServerOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? makeDataDir(`vwc-bench-${name}-`);
  // MAX_WEBHOOK_DELAY_MS empty: the product's default, not the test servers' (test/support/server.ts).
  const env: Record<string, string> = {
    VONAGE_SIGNATURE_SECRET: SECRET,
    BENCH_BASELINE: "1",
    DASHBOARD_API_TOKEN: API_TOKEN,
    MAX_WEBHOOK_DELAY_MS: "",
    ...options.env,
  };
  // V8's sampling profiler, started by a preload (NODE_OPTIONS refuses --cpu-prof); the profile
  // is written when the server exits (server.stop()).
  if (options.cpuProfileDir) {
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import ${path.join(ROOT, "bench", "lib", "cpu-profile-preload.mjs")}`.trim();
    env.BENCH_CPU_PROFILE_DIR = options.cpuProfileDir;
  }
  let server: RunningServer;
  try {
    server = await startServer({ dataDir, env });
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = server.stop.bind(server);
  const untrack = track(`server ${name}`, server.pid, async () => {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  server.stop = async (signal) => {
    untrack();
    await stop(signal);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  keepDataStop.set(server, {
    name,
    options: { ...options, dataDir },
    stop: async () => {
      untrack();
      await stop();
    },
  });
  return server;
}

/**
 * Stops a bench server and starts it again on the same data: a fresh process, same database.
 * `whileStopped` runs in between (e.g. writing to the database while no server holds it).
 */
export async function restartBenchServer(server: RunningServer, whileStopped?: () => Promise<void>): Promise<RunningServer> {
  const entry = keepDataStop.get(server);
  if (!entry) throw new Error("not a bench server");
  await entry.stop();
  await whileStopped?.();
  return startBenchServer(entry.name, entry.options);
}

export interface BareServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * bench/bare-server.ts in its own process: the same verify-and-store code without Next.js,
 * on a fresh SQLite file.
 */
export async function startBareServer(): Promise<BareServer> {
  const dataDir = makeDataDir("vwc-bench-bare-");
  const child = spawn(process.execPath, ["--import", "tsx", "bench/bare-server.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      ENV_FILE: "",
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: "0",
      DATABASE_URL: `file:${path.join(dataDir, "events.db")}`,
      VONAGE_SIGNATURE_SECRET: SECRET,
      DASHBOARD_API_TOKEN: API_TOKEN,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }).then(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const untrack = track("bare server", child.pid, stop);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare server did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /\[bare\] listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bare server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      untrack();
      await stop();
    },
  };
}
