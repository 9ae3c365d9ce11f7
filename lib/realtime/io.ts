import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Principal } from "@/lib/auth/gate";
import { Server, type Socket } from "socket.io";
import { eventFilterSchema, matchesFilter, type EventFilter } from "@/lib/events/filter";
import { listEvents, MAX_LIMIT, newestEventId } from "@/lib/events/query";
import type { CommitSink, EventJson, RejectionJson } from "@/lib/events/types";
import { EventFeed } from "@/lib/realtime/feed";
import {
  LIVE_STREAMS,
  SOCKET_PATH,
  type ClientToServerEvents,
  type HandshakeAuth,
  type LiveStream,
  type ServerToClientEvents,
  type WebhookCall,
} from "@/lib/realtime/contract";
import { attachRedisAdapter, type RedisLink } from "@/lib/realtime/redis";
import { WEBHOOK_ENDPOINTS } from "@/lib/webhooks/endpoints";

/**
 * Live events over Socket.IO with no gaps and no duplicates: a client says which id it has
 * (`auth.after`); the server sends every stored event after it, then live ones from this
 * instance's feed (its own commits and, through Redis, other instances'), each exactly once
 * and in id order. A client may ask instead, or as well, for refusals as they are recorded
 * and for the calls each endpoint receives (`auth.streams`). Route handlers never import this
 * module.
 */

interface InterServerEvents {
  /** Events an instance committed, for the other instances' feeds. */
  committed: (events: EventJson[]) => void;
}

interface SocketData {
  principal: Principal;
  filter: EventFilter;
  /** Highest id sent to this socket. */
  lastId: number;
  /**
   * "catching-up": the catch-up from the database runs; live events wait in `held`.
   * "joining": caught up; flushes send it their events one by one (after its last id) until
   * one reaches its last id, then it joins the room of its filter. "live": in that room,
   * served by broadcasts. "off": it did not ask for events.
   */
  phase: "catching-up" | "joining" | "live" | "off";
  held: EventJson[];
  /** Its filter as a room name: sockets with the same filter share one encoding of each flush. */
  room: string;
  streams: LiveStream[];
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  /** Where this instance's commits are handed in (the ingest worker's host, lib/ingest/worker-host.ts). */
  commits: CommitSink;
  /** Disconnects every socket of a session (after logout). */
  disconnectSession(sid: string): void;
  close(): void;
}

export type Authenticate = (request: IncomingMessage, token: unknown) => Promise<Principal | null>;

export interface RealtimeOptions {
  authenticate: Authenticate;
  /** False for a handshake made by a browser page of another origin (cross-site WebSocket hijacking). */
  allowsOrigin: (request: IncomingMessage) => boolean;
  redisUrl?: string;
}

const sessionRoom = (sid: string) => `session:${sid}`;
/** Rooms of the streams other than events: joined at connection, broadcast to across instances. */
const streamRoom = (stream: Exclude<LiveStream, "events">) => `stream:${stream}`;

/** How often the feed checks the database for events it was not told about (Redis down). */
const FEED_POLL_MS = 1000;

/**
 * Live events are sent at most once per this many ms per socket: at once after a quiet spell,
 * gathered during a burst. Each message costs a frame and a write per socket on this thread
 * and a parse in every browser; at hundreds of webhooks a second this bounds both, for at
 * most this much added delay (docs/performance-log.md).
 */
const LIVE_FLUSH_MS = 25;

export async function attachRealtime(server: HttpServer, options: RealtimeOptions): Promise<Realtime> {
  const { authenticate } = options;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(server, {
    path: SOCKET_PATH,
    serveClient: false,
    // Runs for every Engine.IO request, the WebSocket upgrade and each long-polling request alike,
    // before any packet is read: a page of another site gets 403 and never reaches the session check.
    allowRequest: (request, callback) => callback(null, options.allowsOrigin(request)),
  });
  const feed = new EventFeed(
    { readAfter: async (after, limit) => (await listEvents({ after, limit })).events, newestId: newestEventId },
    await newestEventId(),
    () => io.of("/").sockets.size > 0,
  );
  feed.startPolling(FEED_POLL_MS);
  const redis: RedisLink | undefined = options.redisUrl
    ? attachRedisAdapter(io, options.redisUrl, () => void feed.readMissing())
    : undefined;

  // Nobody receives an event without a session or the API token (docs/decisions/007-access-control.md).
  io.use((socket, next) => {
    authenticate(socket.request, (socket.handshake.auth as HandshakeAuth | undefined)?.token)
      .then((principal) => {
        if (!principal) return next(new Error("unauthorized"));
        socket.data.principal = principal;
        next();
      })
      .catch(() => next(new Error("unauthorized")));
  });

  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as HandshakeAuth;
    const filter = eventFilterSchema.safeParse(auth.filter ?? {});
    if (!filter.success) return next(new Error(`bad filter: ${filter.error.issues.map((i) => i.message).join("; ")}`));
    const streams = auth.streams ?? ["events"];
    if (!Array.isArray(streams) || !streams.every((s) => LIVE_STREAMS.includes(s))) {
      return next(new Error(`bad streams: expected a list of ${LIVE_STREAMS.join(", ")}`));
    }
    const after = Number(auth.after);
    socket.data = {
      principal: socket.data.principal,
      filter: filter.data,
      lastId: Number.isInteger(after) && after >= 0 ? after : -1,
      phase: streams.includes("events") ? "catching-up" : "off",
      held: [],
      room: `filter:${JSON.stringify(filter.data)}`,
      streams,
    };
    next();
  });

  io.on("connection", (socket: LiveSocket) => {
    const { principal } = socket.data;
    if (principal.kind === "session") {
      void socket.join(sessionRoom(principal.session.sid));
      // A session that expires while connected stops receiving at that moment.
      const remaining = principal.session.expiresAt.getTime() - Date.now();
      const timer = setTimeout(() => socket.disconnect(true), Math.min(Math.max(remaining, 0), 2 ** 31 - 1));
      socket.on("disconnect", () => clearTimeout(timer));
    }
    for (const stream of socket.data.streams) if (stream !== "events") void socket.join(streamRoom(stream));
    if (socket.data.phase === "catching-up") void catchUp(socket);
  });

  const commits: CommitSink = {
    // This instance's commits go to its feed and, through Redis, to the other instances' feeds.
    events(events) {
      feed.offer(events);
      if (redis) io.serverSideEmit("committed", events);
    },
    // Refusals have no feed: the instance that recorded them broadcasts them, through Redis to
    // the others' sockets. While Redis is down, other instances' browsers get them on reconnect.
    rejections(rejections) {
      io.to(streamRoom("rejections")).emit("rejections", rejections);
      io.to(streamRoom("activity")).emit("activity", callsOf(rejections));
    },
  };
  io.on("committed", (events) => feed.offer(events));

  // Live delivery: the feed's events are gathered and flushed at most every LIVE_FLUSH_MS.
  let pending: EventJson[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let lastFlush = 0;
  const flush = () => {
    flushTimer = undefined;
    lastFlush = Date.now();
    const events = pending;
    pending = [];
    broadcast(io, events);
    // Every instance's feed has every event, so each tells only its own sockets (if any listen).
    const activity = streamRoom("activity");
    if (io.of("/").adapter.rooms.has(activity)) io.local.to(activity).emit("activity", callsOf(events));
  };
  feed.subscribe((events) => {
    pending.push(...events);
    flushTimer ??= setTimeout(flush, Math.max(0, lastFlush + LIVE_FLUSH_MS - Date.now()));
  });

  return {
    io,
    commits,
    disconnectSession(sid) {
      io.in(sessionRoom(sid)).disconnectSockets(true);
    },
    close() {
      clearTimeout(flushTimer);
      feed.stop();
      void io.close();
      void redis?.close();
    },
  };
}

const ENDPOINT_OF_KIND = new Map<string, string>(WEBHOOK_ENDPOINTS.map((e) => [e.kind, e.path]));

/** The newest call per endpoint among these stored events or recorded refusals. */
function callsOf(rows: (EventJson | RejectionJson)[]): WebhookCall[] {
  const newest = new Map<string, WebhookCall>();
  for (const row of rows) {
    const call: WebhookCall =
      "kind" in row
        ? { endpoint: ENDPOINT_OF_KIND.get(row.kind) ?? row.kind, at: row.receivedAt, outcome: "stored" }
        : { endpoint: row.endpoint, at: row.receivedAt, outcome: "refused" };
    const known = newest.get(call.endpoint);
    if (!known || known.at <= call.at) newest.set(call.endpoint, call);
  }
  return [...newest.values()];
}

/** Sends every stored event after the client's last id, page by page, then releases held live events. */
async function catchUp(socket: LiveSocket): Promise<void> {
  const state = socket.data;
  try {
    if (state.lastId >= 0) {
      let after = state.lastId;
      for (;;) {
        const page = await listEvents({ ...state.filter, after, limit: MAX_LIMIT });
        if (socket.disconnected) return;
        send(socket, page.events);
        if (page.nextCursor === null) break;
        after = page.nextCursor;
      }
    }
  } catch (error) {
    console.error("[realtime] catch-up failed; disconnecting so the client retries:", (error as Error).message);
    socket.disconnect(true);
    return;
  }
  state.phase = "joining";
  const held = state.held;
  state.held = [];
  send(
    socket,
    held.filter((event) => matchesFilter(event, state.filter)),
  );
}

type LiveServer = Realtime["io"];

/**
 * One flush of live events to this instance's sockets. Sockets in a room (same filter) get one
 * broadcast, encoded once; `local`, because every instance delivers its own feed (through Redis
 * each feed has every instance's events). A socket that has just caught up gets this flush one
 * by one, filtered by its last id (the catch-up may have read some of these from the
 * database), then joins its room once the flushes have reached its last id: no gap, no repeat.
 */
function broadcast(io: LiveServer, events: EventJson[]): void {
  // Flushes come in id order: every later broadcast holds only ids above this one's last.
  const through = events[events.length - 1]?.id ?? -1;
  const byRoom = new Map<string, EventJson[]>();
  const matching = (state: SocketData) => {
    let list = byRoom.get(state.room);
    if (!list) byRoom.set(state.room, (list = events.filter((event) => matchesFilter(event, state.filter))));
    return list;
  };
  const rooms = new Map<string, SocketData>();
  for (const socket of io.of("/").sockets.values() as Iterable<LiveSocket>) {
    const state = socket.data;
    if (state.phase === "catching-up") state.held.push(...events);
    else if (state.phase === "live") rooms.set(state.room, state);
  }
  for (const [room, state] of rooms) {
    const list = matching(state);
    if (list.length > 0) io.local.to(room).emit("events", list);
  }
  for (const socket of io.of("/").sockets.values() as Iterable<LiveSocket>) {
    const state = socket.data;
    if (state.phase !== "joining") continue;
    send(socket, matching(state));
    // A catch-up can read commits from the database before their events reach the feed; a
    // socket that already has ids past this flush would get them again from its room. It stays
    // out, served one by one after its last id, until the broadcasts have passed what it has.
    if (state.lastId > through) continue;
    state.phase = "live";
    void socket.join(state.room);
  }
}

/** Emits events the socket has not had yet, in id order, and advances its cursor. */
function send(socket: LiveSocket, events: EventJson[]): void {
  const state = socket.data;
  const fresh = state.lastId < 0 ? events : events.filter((event) => event.id > state.lastId);
  if (fresh.length === 0) return;
  state.lastId = fresh[fresh.length - 1]!.id;
  socket.emit("events", fresh);
}
