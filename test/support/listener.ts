import { execFileSync } from "node:child_process";
import type net from "node:net";

/**
 * The socket listening on a TCP port as `ss` (iproute2) shows it: connections waiting in its
 * accept queue (Recv-Q) and the queue's limit, its backlog (Send-Q).
 */
export function listenerQueue(port: number): { queued: number; backlog: number } {
  const line =
    execFileSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" })
      .trim()
      .split("\n")[0] ?? "";
  const fields = line.split(/\s+/);
  return { queued: Number(fields[1]), backlog: Number(fields[2]) };
}

/** Writes a raw HTTP request and resolves with the status line once the server closes the connection. */
export function statusLineOf(socket: net.Socket, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("end", () => resolve(data.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
    socket.write(request);
  });
}
