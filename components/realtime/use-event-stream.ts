"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchEvents, type FilterParams } from "@/components/data/api";
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
  events: EventJson[];
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
  const [events, setEvents] = useState<EventJson[]>([]);
  const [pending, setPending] = useState<EventJson[]>([]);
  const [connected, setConnected] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [olderCursor, setOlderCursor] = useState<number | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const hold = useRef(false);
  const held = useRef<EventJson[]>([]);
  const seen = useRef(new Set<number>());
  const filterKey = JSON.stringify(filter);

  useEffect(() => {
    const activeFilter = JSON.parse(filterKey) as FilterParams;
    let cancelled = false;
    let latest = 0;
    let queue: EventJson[] = [];
    let frame = 0;
    let socket: ReturnType<typeof connectEventSocket> | undefined;
    seen.current = new Set();
    held.current = [];
    setEvents([]);
    setPending([]);
    setLoading(true);
    setError(null);
    setOlderCursor(null);

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
        setEvents((current) => [...fresh, ...current]);
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
        setEvents(page.events);
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
  }, [filterKey]);

  const loadOlder = useCallback(() => {
    if (olderCursor === null || loadingOlder) return;
    setLoadingOlder(true);
    fetchEvents(JSON.parse(filterKey) as FilterParams, { limit: OLDER_PAGE_SIZE, before: olderCursor })
      .then((page) => {
        const older = page.events.filter((event) => !seen.current.has(event.id));
        for (const event of older) seen.current.add(event.id);
        setEvents((current) => [...current, ...older]);
        setOlderCursor(page.nextCursor);
      })
      .catch((reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)))
      .finally(() => setLoadingOlder(false));
  }, [filterKey, olderCursor, loadingOlder]);

  const releasePending = useCallback(() => {
    const release = held.current;
    held.current = [];
    setPending([]);
    if (release.length > 0) setEvents((current) => [...release, ...current]);
  }, []);

  const setHold = useCallback((value: boolean) => {
    hold.current = value;
  }, []);

  return {
    events,
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
