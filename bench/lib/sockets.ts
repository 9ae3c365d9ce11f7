import { performance } from "node:perf_hooks";
import { io, type Socket } from "socket.io-client";
import { track } from "@/bench/lib/processes";
import type { EventJson } from "@/lib/events/types";

/**
 * Live Socket.IO clients in the benchmark process, authenticated with the API token and
 * without `after` (live events only), like scripts use the stream. Each received batch is
 * stamped with performance.now() on arrival, the same clock the load generator uses.
 */

export type EventsListener = (client: number, events: EventJson[], receivedAt: number) => void;

export interface SocketClients {
  count: number;
  /** Events received since the last reset, all clients together. */
  received: number;
  listener: EventsListener | undefined;
  resetCount(): void;
  close(): void;
}

export async function connectClients(url: string, token: string, count: number): Promise<SocketClients> {
  const sockets: Socket[] = [];
  const clients: SocketClients = {
    count,
    received: 0,
    listener: undefined,
    resetCount() {
      this.received = 0;
    },
    close() {
      for (const socket of sockets) socket.close();
    },
  };
  const untrack = track("socket clients", undefined, async () => clients.close());
  const close = clients.close.bind(clients);
  clients.close = () => {
    untrack();
    close();
  };
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const socket = io(url, { path: "/socket.io", auth: { token }, transports: ["websocket"], reconnection: true });
      sockets.push(socket);
      socket.on("events", (events: EventJson[]) => {
        const at = performance.now();
        clients.received += events.length;
        clients.listener?.(i, events, at);
      });
      return new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("connect_error", (error) => reject(new Error(`socket client ${i}: ${error.message}`)));
      });
    }),
  );
  return clients;
}
