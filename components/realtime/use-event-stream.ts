"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchEvents, type FilterParams } from "@/components/data/api";
import { EventLog } from "@/components/realtime/event-log";
import { connectEventSocket } from "@/components/realtime/socket";
import type { EventJson } from "@/lib/events/types";

/**
 * A filtered view of the event log that stays current: a snapshot from the read API, then
 * every later event from the socket, each exactly once. New events are batched into at most
 * one render per animation frame. While `hold` is on (the reader scrolled away from the top)
 * new events wait in `pending` so the view does not move.
 */

export interface EventStream {
  /** Newest first. */
  events: EventLog;
  /** Events that arrived while held, newest first. */
  pending: EventJson[];
  connected: boolean;
  loading: boolean;
  error: string | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
  releasePending: () => void;
  setHold: (hold: boolean) => void;
}

const SNAPSHOT_SIZE = 100;
const OLDER_PAGE_SIZE = 500;

export function useEventStream(filter: FilterParams): EventStream {
  const filterKey = JSON.stringify(filter);
  // One mutable log per filter; `version` re-renders the view when it grows.
  const [stream, setStream] = useState(() => ({ filterKey, log: new EventLog() }));
  const log = stream.log;
  const [, setVersion] = useState(0);
  const logRef = useRef(log);
  const grew = useCallback(() => setVersion((v) => v + 1), []);
  const [pending, setPending] = useState<EventJson[]>([]);
  const [connected, setConnected] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [olderCursor, setOlderCursor] = useState<number | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const hold = useRef(false);
  const held = useRef<EventJson[]>([]);
  const seen = useRef(new Set<number>());
  // Another filter starts a new log at once, during render rather than in the effect (which would render twice).
  if (stream.filterKey !== filterKey) {
    setStream({ filterKey, log: new EventLog() });
    setPending([]);
    setLoading(true);
    setError(null);
    setOlderCursor(null);
  }

  useEffect(() => {
    const activeFilter = JSON.parse(stream.filterKey) as FilterParams;
    let cancelled = false;
    let latest = 0;
    let queue: EventJson[] = [];
    let frame = 0;
    let socket: ReturnType<typeof connectEventSocket> | undefined;
    seen.current = new Set();
    held.current = [];
    const events = stream.log;
    logRef.current = events;

    const flush = () => {
      frame = 0;
      const fresh = queue.filter((event) => !seen.current.has(event.id));
      queue = [];
      if (fresh.length === 0) return;
      for (const event of fresh) seen.current.add(event.id);
      fresh.sort((a, b) => b.id - a.id);
      if (hold.current) {
        held.current = [...fresh, ...held.current];
        setPending(held.current);
      } else {
        events.addNewer(fresh);
        grew();
      }
    };

    const receive = (incoming: EventJson[]) => {
      for (const event of incoming) if (event.id > latest) latest = event.id;
      queue.push(...incoming);
      if (!frame) frame = requestAnimationFrame(flush);
    };

    fetchEvents(activeFilter, { limit: SNAPSHOT_SIZE })
      .then((page) => {
        if (cancelled) return;
        for (const event of page.events) seen.current.add(event.id);
        latest = page.events[0]?.id ?? 0;
        events.addOlder(page.events);
        grew();
        setOlderCursor(page.nextCursor);
        setLoading(false);
        socket = connectEventSocket(() => ({ after: latest, filter: activeFilter }));
        socket.on("connect", () => setConnected(true));
        socket.on("disconnect", () => setConnected(false));
        socket.on("connect_error", () => setConnected(false));
        socket.on("events", receive);
      })
      .catch((reason: unknown) => {
        if (cancelled) return;
        setError(reason instanceof Error ? reason.message : String(reason));
        setLoading(false);
      });

    return () => {
      cancelled = true;
      if (frame) cancelAnimationFrame(frame);
      socket?.off();
      socket?.disconnect();
      setConnected(false);
    };
  }, [stream, grew]);

  const loadOlder = useCallback(() => {
    if (olderCursor === null || loadingOlder) return;
    setLoadingOlder(true);
    fetchEvents(JSON.parse(filterKey) as FilterParams, { limit: OLDER_PAGE_SIZE, before: olderCursor })
      .then((page) => {
        const older = page.events.filter((event) => !seen.current.has(event.id));
        for (const event of older) seen.current.add(event.id);
        logRef.current.addOlder(older);
        grew();
        setOlderCursor(page.nextCursor);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)))
      .finally(() => setLoadingOlder(false));
  }, [filterKey, olderCursor, loadingOlder, grew]);

  const releasePending = useCallback(() => {
    const release = held.current;
    held.current = [];
    setPending([]);
    if (release.length > 0) {
      logRef.current.addNewer(release);
      grew();
    }
  }, [grew]);

  const setHold = useCallback((value: boolean) => {
    hold.current = value;
  }, []);

  return {
    events: log,
    pending,
    connected,
    loading,
    error,
    hasOlder: olderCursor !== null,
    loadingOlder,
    loadOlder,
    releasePending,
    setHold,
  };
}
