import { chromium, type Browser, type Page } from "@playwright/test";
import type { BenchConfig } from "@/bench/config";
import { countStatuses, openLoop } from "@/bench/lib/load";
import { log, sleep, type PartResult } from "@/bench/lib/part";
import { track } from "@/bench/lib/processes";
import { presignStatusWebhooks } from "@/bench/lib/presign";
import type { SummaryRow } from "@/bench/lib/report";
import { SECRET } from "@/bench/lib/servers";
import { fmt, markdownTable, MB, ratio, textTable } from "@/bench/lib/stats";
import { CHROMIUM_ARGS, chromiumPath } from "@/test/support/chromium";
import type { RunningServer } from "@/test/support/server";

/**
 * Part 5: the dashboard in headless Chromium with a large history loaded (by scrolling, the
 * way a user pages older events in), then a live stream of new events. Measured in the page:
 * long tasks (PerformanceObserver "longtask", installed before the page's own scripts),
 * frames (requestAnimationFrame callbacks per second), DOM nodes and JS heap. Baseline: the
 * same page, same history, with no stream (idle).
 */

const ARGS = [
  ...CHROMIUM_ARGS,
  // Without it performance.memory is coarse and rarely refreshed.
  "--enable-precise-memory-info",
];

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ARGS });
  track("chromium", undefined, () => browser.close());
  return browser;
}

/** Runs in the page before its scripts: counters the benchmark reads later. */
export function instrument(): void {
  const bench = { longTasks: [] as { start: number; duration: number }[], frames: 0 };
  (window as unknown as { __bench: typeof bench }).__bench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  const frame = () => {
    bench.frames++;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

interface WindowMetrics {
  seconds: number;
  framesPerSecond: number;
  /** The slowest 1 s window. */
  minFramesPerSecond: number;
  longTasks: number;
  longestTaskMs: number;
  maxDomNodes: number;
  maxHeapMB: number;
  endDomNodes: number;
  endHeapMB: number;
}

type Probe = { t: number; frames: number; longTasks: { start: number; duration: number }[]; dom: number; heap: number; count: number };

const probe = (page: Page): Promise<Probe> =>
  page.evaluate(() => {
    const bench = (window as unknown as { __bench: { frames: number; longTasks: { start: number; duration: number }[] } }).__bench;
    const text = document.querySelector('span[aria-live="polite"]')?.textContent ?? "";
    const match = /([\d,]+)\+? events?/.exec(text);
    return {
      t: performance.now(),
      frames: bench.frames,
      longTasks: bench.longTasks.slice(),
      dom: document.querySelectorAll("*").length,
      heap: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? NaN,
      count: match ? Number(match[1]!.replace(/,/g, "")) : 0,
    };
  });

/** Samples the page once a second while `work` runs (or for `ms` when idle). */
async function measureWindow(
  page: Page,
  ms: number,
  work?: Promise<unknown>,
): Promise<{ metrics: WindowMetrics; first: Probe; last: Probe }> {
  const first = await probe(page);
  const probes = [first];
  const end = Date.now() + ms;
  let done = false;
  void work?.finally(() => (done = true));
  while (work ? !done : Date.now() < end) {
    await sleep(1000);
    probes.push(await probe(page));
  }
  if (work) await work;
  const last = await probe(page);
  probes.push(last);
  const tasks = last.longTasks.filter((t) => t.start >= first.t);
  let minFps = Infinity;
  for (let i = 1; i < probes.length; i++) {
    const dt = (probes[i]!.t - probes[i - 1]!.t) / 1000;
    if (dt >= 0.5) minFps = Math.min(minFps, (probes[i]!.frames - probes[i - 1]!.frames) / dt);
  }
  const seconds = (last.t - first.t) / 1000;
  return {
    first,
    last,
    metrics: {
      seconds,
      framesPerSecond: (last.frames - first.frames) / seconds,
      minFramesPerSecond: minFps,
      longTasks: tasks.length,
      longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
      maxDomNodes: Math.max(...probes.map((p) => p.dom)),
      maxHeapMB: Math.max(...probes.map((p) => p.heap)) / MB,
      endDomNodes: last.dom,
      endHeapMB: last.heap / MB,
    },
  };
}

/** Scrolls the timeline to the bottom until `target` events are loaded or the log begins. */
export async function loadHistory(page: Page, target: number): Promise<{ loaded: number; ms: number; complete: boolean }> {
  return page.evaluate(async (target) => {
    const scroller = document.querySelector<HTMLElement>('[data-testid="timeline-scroller"]');
    if (!scroller) throw new Error("no timeline scroller on the page");
    const count = () => {
      const match = /([\d,]+)(\+?) events?/.exec(document.querySelector('span[aria-live="polite"]')?.textContent ?? "");
      return match ? { n: Number(match[1]!.replace(/,/g, "")), more: match[2] === "+" } : { n: 0, more: true };
    };
    const start = performance.now();
    let last = count();
    while (last.n < target && last.more) {
      scroller.scrollTop = scroller.scrollHeight;
      const waitStart = performance.now();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const now = count();
        if (now.n !== last.n || !now.more) {
          last = now;
          break;
        }
        if (performance.now() - waitStart > 20_000) throw new Error(`no older events arrived after ${last.n}`);
        // The list's height may have changed under the scroll: scroll again.
        scroller.scrollTop = scroller.scrollHeight;
      }
    }
    return { loaded: last.n, ms: performance.now() - start, complete: !last.more };
  }, target);
}

export async function runBrowser(config: BenchConfig["browser"], server: RunningServer, browser: Browser): Promise<PartResult> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    // tsx (esbuild) wraps named functions in a __name() helper; functions serialised into the
    // page need it defined there.
    await page.addInitScript({ content: "globalThis.__name ??= (fn) => fn;" });
    await page.addInitScript(instrument);
    await page.goto(server.loginUrl());
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor({ timeout: 30_000 });

    const history = await loadHistory(page, config.loadedEvents);
    const afterLoad = await probe(page);
    const loadTasks = afterLoad.longTasks;
    log(
      "browser",
      `loaded ${history.loaded.toLocaleString("en-US")} events in ${fmt(history.ms / 1000, 1)} s by scrolling (${loadTasks.length} long tasks while loading, longest ${fmt(Math.max(0, ...loadTasks.map((t) => t.duration)))} ms)`,
    );

    // Back to the top: new events then go straight into the list (away from the top they
    // would wait behind "N new events" and cost nothing).
    await page.locator('[data-testid="timeline-scroller"]').evaluate((el) => el.scrollTo({ top: 0 }));
    await sleep(500);

    const idle = await measureWindow(page, config.idleMs);
    log(
      "browser",
      `idle ${fmt(idle.metrics.seconds)} s: ${fmt(idle.metrics.framesPerSecond)} frames/s, ${idle.metrics.longTasks} long tasks, ${idle.metrics.maxDomNodes} DOM nodes, ${fmt(idle.metrics.maxHeapMB)} MB heap`,
    );

    const count = Math.round((config.streamRate * config.streamMs) / 1000);
    const requests = presignStatusWebhooks(count, SECRET, "browser");
    const stream = openLoop({
      base: new URL(server.url),
      phases: [{ name: "stream", rate: config.streamRate, durationMs: config.streamMs }],
      next: (i) => requests[i],
      maxConnections: 64,
      timeoutMs: 10_000,
    });
    const live = await measureWindow(page, config.streamMs, stream);
    const statuses = countStatuses((await stream).samples);
    // The last events' socket messages and frame.
    await sleep(500);
    const shown = (await probe(page)).count - live.first.count;
    log(
      "browser",
      `stream ${config.streamRate}/s for ${fmt(live.metrics.seconds)} s: ${fmt(live.metrics.framesPerSecond)} frames/s (slowest second ${fmt(live.metrics.minFramesPerSecond)}), ${live.metrics.longTasks} long tasks (longest ${fmt(live.metrics.longestTaskMs)} ms), ${live.metrics.maxDomNodes} DOM nodes max, ${fmt(live.metrics.maxHeapMB)} MB heap max; ${shown} of ${count} new events in the list; webhooks ${JSON.stringify(statuses)}`,
    );

    const rows: SummaryRow[] = [
      {
        part: "5 browser",
        metric: `long tasks > 50 ms during the stream (${history.loaded.toLocaleString("en-US")} loaded)`,
        value: live.metrics.longTasks,
        unit: "",
        display: `${live.metrics.longTasks} (longest ${fmt(live.metrics.longestTaskMs)} ms)`,
        baseline: idle.metrics.longTasks,
        baselineLabel: "idle",
        ratio: ratio(live.metrics.longTasks, idle.metrics.longTasks),
        target: "0",
        met: live.metrics.longTasks === 0,
      },
      {
        part: "5 browser",
        metric: "frames/s during the stream",
        value: live.metrics.framesPerSecond,
        unit: "fps",
        baseline: idle.metrics.framesPerSecond,
        baselineLabel: "idle",
        ratio: ratio(live.metrics.framesPerSecond, idle.metrics.framesPerSecond),
      },
      {
        part: "5 browser",
        metric: "DOM nodes (max during the stream)",
        value: live.metrics.maxDomNodes,
        unit: "",
        baseline: idle.metrics.maxDomNodes,
        baselineLabel: "idle",
        ratio: ratio(live.metrics.maxDomNodes, idle.metrics.maxDomNodes),
        target: "< 1,500",
        met: live.metrics.maxDomNodes < 1500,
      },
      {
        part: "5 browser",
        metric: "JS heap (max during the stream)",
        value: live.metrics.maxHeapMB,
        unit: "MB",
        baseline: idle.metrics.maxHeapMB,
        baselineLabel: "idle",
        ratio: ratio(live.metrics.maxHeapMB, idle.metrics.maxHeapMB),
      },
      {
        part: "5 browser",
        metric: "new events shown in the list",
        value: shown,
        unit: "",
        display: `${shown} of ${count}`,
        target: "all",
        met: shown === count,
      },
    ];
    const header = ["window", "seconds", "frames/s", "slowest 1 s", "long tasks", "longest ms", "DOM max", "heap max MB"];
    const line = (name: string, m: WindowMetrics) => [
      name,
      fmt(m.seconds),
      fmt(m.framesPerSecond),
      fmt(m.minFramesPerSecond),
      String(m.longTasks),
      fmt(m.longestTaskMs),
      String(m.maxDomNodes),
      fmt(m.maxHeapMB),
    ];
    const table = [line("idle", idle.metrics), line(`stream ${config.streamRate}/s`, live.metrics)];
    console.log(`\n${textTable(header, table)}\n`);
    return {
      rows,
      details: { history, loadLongTasks: loadTasks, idle: idle.metrics, stream: live.metrics, shown, sent: count, statuses },
      markdown: `### 5. Browser (${history.loaded.toLocaleString("en-US")} events loaded by scrolling in ${fmt(history.ms / 1000)} s, ${loadTasks.length} long tasks while loading; then ${config.streamRate} events/s)\n\n${markdownTable(header, table)}\n`,
    };
  } finally {
    await context.close();
  }
}
