import { fork } from "node:child_process";
import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "node:net";

/** How long the helper may take to send its copies (63 took 0.2 s on a 2-core machine). */
const HELPER_TIMEOUT_MS = 10_000;

/**
 * More than one accepting handle on the HTTP server's listening socket (docs/decisions/017).
 *
 * Since libuv 1.45, Node's event loop accepts one connection per handle per loop turn. While the
 * loop is saturated a turn takes 30 ms or more, so in a burst new connections waited seconds in
 * the kernel's queue, and some senders gave up. Each extra handle is another file descriptor
 * for the same socket, accepting one more connection per turn. Node 22.12's `reusePort` would do
 * the same with several sockets; Node 20 cannot, and has no way to duplicate a descriptor. A
 * short-lived child process does it: the server's socket is sent to it, and it sends the socket
 * back `count` times, each copy arriving as a new descriptor.
 *
 * Each copy listens again with `backlog`: listening sets the socket's backlog, and a copy that
 * listened with Node's default (511) would shrink the server's queue.
 */
export async function addAcceptors(server: HttpServer, count: number, backlog: number): Promise<Server[]> {
  if (count <= 0) return [];
  // The bare handle: sent as a net.Server, each end would listen on it with the default backlog.
  const handle = (server as unknown as { _handle: object | null })._handle;
  if (!handle) throw new Error("the server is not listening");
  const child = fork(new URL("./accept-copies.mjs", import.meta.url), [String(count)], {
    // Plain Node: not the server's loader, heap flags or preloads.
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: "" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const copies: Server[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      child.on("message", (_message, copy: unknown) => {
        if (!copy) return;
        const acceptor = new Server((socket: Socket) => {
          // What http.createServer sets on the connections it accepts itself.
          socket.setNoDelay(true);
          server.emit("connection", socket);
        });
        acceptor.listen(copy, backlog);
        copies.push(acceptor);
        if (copies.length === count) resolve();
      });
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`the helper exited with code ${code} after ${copies.length} of ${count} copies`)));
      child.send("listen", handle as Parameters<typeof child.send>[1]);
      // A helper that never answers must not hold the server's start-up.
      setTimeout(
        () => reject(new Error(`the helper sent ${copies.length} of ${count} copies in ${HELPER_TIMEOUT_MS} ms`)),
        HELPER_TIMEOUT_MS,
      ).unref();
    });
  } catch (error) {
    child.kill();
    await closeAcceptors(copies);
    throw error;
  } finally {
    if (child.connected) child.disconnect();
    // The helper holds the socket too until it exits: closing the server before that would
    // leave it listening, and a connection made meanwhile would be reset rather than refused.
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      setTimeout(() => {
        child.kill();
        resolve();
      }, HELPER_TIMEOUT_MS).unref();
    });
  }
  return copies;
}

/** Stops every handle from accepting; resolves when the connections each one accepted have ended. */
export function closeAcceptors(copies: Server[]): Promise<void> {
  return Promise.all(copies.map((copy) => new Promise<void>((resolve) => copy.close(() => resolve())))).then(() => undefined);
}
