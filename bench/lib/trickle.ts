import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { track } from "@/bench/lib/processes";
import { ROOT } from "@/test/support/server";

/**
 * bench/trickle.ts in a child process: a steady trickle of signed webhooks measured by a
 * sender that does nothing else.
 */
export class Trickle {
  private constructor(
    private readonly child: ChildProcess,
    private readonly untrack: () => void,
  ) {}

  static async start(url: string, secret: string, tag: string, everyMs: number, max: number): Promise<Trickle> {
    const child = fork(path.join(ROOT, "bench", "trickle.ts"), [url, secret, tag, String(everyMs), String(max)], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const untrack = track("webhook trickle", child.pid, async () => void child.kill());
    const trickle = new Trickle(child, untrack);
    await trickle.next();
    // The first webhook loads its route on the server: part of neither figure.
    child.send("warm");
    await trickle.next();
    return trickle;
  }

  async begin(): Promise<void> {
    this.child.send("start");
    await this.next();
  }

  /** Stops sending and waits for every answer: their latencies (ms) and how many were not 200. */
  async end(): Promise<{ latencies: number[]; not200: number }> {
    this.child.send("stop");
    return (await this.next()) as { latencies: number[]; not200: number };
  }

  close(): void {
    this.untrack();
    this.child.disconnect();
  }

  private next(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the webhook trickle exited (code ${code})`));
      this.child.once("exit", onExit);
      this.child.once("message", (message) => {
        this.child.off("exit", onExit);
        resolve(message);
      });
    });
  }
}
