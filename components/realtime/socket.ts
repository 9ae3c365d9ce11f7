"use client";

import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, HandshakeAuth, ServerToClientEvents } from "@/lib/realtime/contract";
import { SOCKET_PATH } from "@/lib/realtime/contract";

export type EventSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A socket to this origin. `auth` is read again at every (re)connection, so a reconnect
 * resumes after the last event the page has, never from where it first started.
 */
export function connectEventSocket(auth: () => HandshakeAuth): EventSocket {
  return io({
    path: SOCKET_PATH,
    auth: (cb) => cb(auth()),
    // WebSocket first: behind a load balancer it needs no sticky sessions; long-polling
    // stays as the fallback (which does need them: docs/operations.md, "Several instances").
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
}
