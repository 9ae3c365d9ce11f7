"use client";

import { useCallback, useEffect, useState, type RefObject } from "react";

/**
 * Virtualisation for rows of one fixed height: which rows are in view is arithmetic on the
 * scroll position, so it costs the same with 100 rows or 100,000, and adding rows costs
 * nothing. (A general virtualiser that measures rows rebuilt its 100,000 measurements on
 * every batch of live events, which made 50–75 ms long tasks: docs/performance-log.md.)
 */

export interface RowWindow {
  start: number;
  end: number;
}

export function useFixedRows(scrollerRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan = 6) {
  const [view, setView] = useState({ top: 0, height: 800 });

  const measure = useCallback(() => {
    const el = scrollerRef.current;
    if (el) setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
  }, [scrollerRef]);

  useEffect(() => {
    const el = scrollerRef.current;
    if (!el) return;
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    el.addEventListener("scroll", measure, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener("scroll", measure);
    };
  }, [scrollerRef, measure]);

  const start = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + overscan);

  /** Scrolls just enough for a row to be fully in view. */
  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scrollerRef.current;
      if (!el) return;
      const top = index * rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    },
    [scrollerRef, rowHeight],
  );

  return { window: { start, end } satisfies RowWindow, totalHeight: count * rowHeight, scrollToIndex };
}
