/**
 * A read to run again when the live stream says something changed, at most once per
 * `everyMs` however often it says so: the first call after a quiet spell runs at once, the
 * rest wait for the end of the interval and run once. The read has just run when this is made.
 * Pure browser code (timers only); used by views that re-read an aggregate (setup, insights).
 */
export function throttledReload(load: () => void, everyMs: number): { reload: () => void; cancel: () => void } {
  let lastLoad = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    reload: () => {
      timer ??= setTimeout(
        () => {
          timer = undefined;
          lastLoad = Date.now();
          load();
        },
        Math.max(0, lastLoad + everyMs - Date.now()),
      );
    },
    cancel: () => clearTimeout(timer),
  };
}
