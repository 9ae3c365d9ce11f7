import { describe, expect, it } from "vitest";
import { exportStream, type ExportStreamOptions, type Page } from "@/lib/export/stream";

/**
 * Pages of the numbers 0..total-1, read synchronously like better-sqlite3 behind the export,
 * counting the pages read.
 */
function numbers(total: number, pageSize: number) {
  const source = {
    pagesRead: 0,
    readPage: async (cursor: number | null): Promise<Page<number>> => {
      source.pagesRead++;
      const start = cursor ?? 0;
      const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - start)) }, (_, i) => start + i);
      const next = start + pageSize < total ? start + pageSize : null;
      return { items, next };
    },
  };
  return source;
}

/** An export of those numbers, one per line. */
function lines(source: ReturnType<typeof numbers>, options: Partial<ExportStreamOptions<number>> = {}): ReadableStream<Uint8Array> {
  return exportStream({ firstPage: 0, readPage: source.readPage, header: "", item: (n) => `${n}\n`, footer: "", ...options });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let text = "";
  for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value, { stream: true });
  return text + decoder.decode();
}

describe("exportStream", () => {
  it("writes the header, every item in order and the footer", async () => {
    const text = await readAll(lines(numbers(1_234, 100), { header: "[", item: (n, i) => `${i ? "," : ""}${n}`, footer: "]" }));
    expect(JSON.parse(text)).toEqual(Array.from({ length: 1_234 }, (_, i) => i));
  });

  it("lets the event loop run between pages, even when reads and the reader never wait", async () => {
    // A timer stands for a webhook arriving during the export: it must not wait for the end.
    const source = numbers(50 * 100, 100);
    let pagesWhenTimerRan = -1;
    setImmediate(() => (pagesWhenTimerRan = source.pagesRead));
    const text = await readAll(lines(source));
    expect(text.split("\n")).toHaveLength(5_001);
    expect(source.pagesRead).toBe(50);
    expect(pagesWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(pagesWhenTimerRan).toBeLessThan(5);
  });

  it("lets more urgent work go first: a page waits while `defer` says so, but never more than a few ms", async () => {
    const source = numbers(200 * 10, 10);
    let deferAsked = 0;
    let busy = true;
    let pagesWhenIdle = -1;
    setTimeout(() => {
      busy = false;
      pagesWhenIdle = source.pagesRead;
    }, 20);
    const text = await readAll(lines(source, { defer: () => (deferAsked++, busy) }));
    expect(text.split("\n")).toHaveLength(2_001);
    // Busy for 20 ms: each page after the first waited up to 5 × 1 ms, so only a few got through.
    expect(pagesWhenIdle).toBeGreaterThanOrEqual(1);
    expect(pagesWhenIdle).toBeLessThan(10);
    expect(deferAsked).toBeGreaterThan(199);
  });

  it("stops reading when the client cancels", async () => {
    const source = numbers(100_000, 100);
    let ended: { rows: number; cancelled: boolean } | undefined;
    const reader = lines(source, { onEnd: (rows, cancelled) => (ended = { rows, cancelled }) }).getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended?.cancelled).toBe(true);
    expect(source.pagesRead).toBeLessThan(5);
  });
});
