import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import type { Server } from "socket.io";

/**
 * The Socket.IO Redis adapter (pub/sub) that carries live events between instances
 * (docs/decisions/010-scale-out.md). It is the fast path only: while Redis is down each
 * instance keeps storing and serving its own browsers, and the event feed reads what it
 * missed from the database; so the instance starts even when Redis is not there yet.
 */

export interface RedisLink {
  close(): Promise<void>;
}

/** Reconnects quickly at first, then every 2 s, for as long as Redis is away. */
export const redisReconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 2000);

export function attachRedisAdapter(io: Server, url: string, onReady: () => void): RedisLink {
  const options = { url, socket: { reconnectStrategy: redisReconnectStrategy } };
  const pub = createClient(options);
  const sub = pub.duplicate();
  let up = false;
  for (const [name, client] of [
    ["publish", pub],
    ["subscribe", sub],
  ] as const) {
    client.on("error", (error: Error) => {
      if (up)
        console.warn(
          `[realtime] Redis ${name} connection lost (${error.message}); serving this instance's browsers, catching up from the database`,
        );
      up = false;
    });
    client.on("ready", () => {
      if (!up && pub.isReady && sub.isReady) {
        up = true;
        console.log("[realtime] Redis connected");
        onReady();
      }
    });
    client.connect().catch(() => undefined);
  }
  io.adapter(createAdapter(pub, sub));
  return {
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
