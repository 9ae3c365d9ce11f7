"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
import type { EventStream } from "@/components/realtime/use-event-stream";
import { messageHref, TimelineRow } from "@/components/timeline/timeline-row";
import { useFixedRows } from "@/components/timeline/use-fixed-rows";

/**
 * The live, virtualised list of events, newest first. Only the rows in view (plus a few) are
 * in the DOM, whatever the number loaded. Scrolling near the end pages older history in;
 * scrolling away from the top holds new events behind an "N new events" control.
 */

const WIDE = "(min-width: 640px)";
const subscribeWidth = (notify: () => void) => {
  const query = window.matchMedia(WIDE);
  query.addEventListener("change", notify);
  return () => query.removeEventListener("change", notify);
};

function useRowHeight(): number {
  return useSyncExternalStore(
    subscribeWidth,
    () => (window.matchMedia(WIDE).matches ? 72 : 96),
    () => 72,
  );
}

export function Timeline({ stream, label }: { stream: EventStream; label: string }) {
  const { events, pending, hasOlder, loadingOlder, loadOlder, releasePending, setHold } = stream;
  const scroller = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const rowHeight = useRowHeight();

  const rows = useFixedRows(scroller, events.length, rowHeight);
  const lastVisible = rows.window.end - 1;
  useEffect(() => {
    if (hasOlder && !loadingOlder && lastVisible >= events.length - 30) loadOlder();
  }, [lastVisible, events.length, hasOlder, loadingOlder, loadOlder]);

  const onScroll = useCallback(() => {
    const away = (scroller.current?.scrollTop ?? 0) > rowHeight / 2;
    setHold(away);
    if (!away) releasePending();
  }, [rowHeight, setHold, releasePending]);

  const showNew = () => {
    releasePending();
    setHold(false);
    scroller.current?.scrollTo({ top: 0 });
  };

  /** Arrow keys move between rows, including rows not yet rendered. */
  const onKeyDown = (e: React.KeyboardEvent) => {
    const keys: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    const row = (e.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (!row) return;
    const index = Number(row.dataset.index);
    let next: number;
    if (e.key in keys) next = index + keys[e.key]!;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = events.length - 1;
    else return;
    next = Math.max(0, Math.min(events.length - 1, next));
    e.preventDefault();
    rows.scrollToIndex(next);
    requestAnimationFrame(() =>
      requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"] [data-row-link]`)?.focus()),
    );
  };

  return (
    <div className="relative min-h-0 flex-1">
      {pending.length > 0 && (
        <button
          type="button"
          onClick={showNew}
          className="absolute top-2 left-1/2 z-10 -translate-x-1/2 rounded-full bg-indigo-600 px-4 py-1.5 text-sm font-semibold text-white shadow-lg hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
        >
          {pending.length} new event{pending.length === 1 ? "" : "s"}
        </button>
      )}
      <div ref={scroller} onScroll={onScroll} className="h-full overflow-y-auto" data-testid="timeline-scroller">
        <ul role="list" aria-label={label} onKeyDown={onKeyDown} className="relative w-full" style={{ height: rows.totalHeight }}>
          {events.slice(rows.window.start, rows.window.end).map((event, offset) => {
            const index = rows.window.start + offset;
            return (
              <li
                key={event.id}
                data-index={index}
                aria-setsize={hasOlder ? -1 : events.length}
                aria-posinset={index + 1}
                onClick={(e) => {
                  if (event.messageUuid && !(e.target as HTMLElement).closest("a,button")) router.push(messageHref(event.messageUuid));
                }}
                className="absolute top-0 left-0 w-full cursor-pointer"
                style={{ height: rowHeight, transform: `translateY(${index * rowHeight}px)` }}
              >
                <TimelineRow event={event} />
              </li>
            );
          })}
        </ul>
        {loadingOlder && <p className="py-3 text-center text-sm text-slate-500">Loading older events…</p>}
        {!hasOlder && events.length > 0 && (
          <p className="py-3 text-center text-xs text-slate-400">
            Beginning of the log ({events.length.toLocaleString()} event{events.length === 1 ? "" : "s"})
          </p>
        )}
      </div>
    </div>
  );
}
