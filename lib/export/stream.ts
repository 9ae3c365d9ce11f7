import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";

/**
 * Streams a large export page by page from the database: the first bytes leave before the
 * rest is read, only one page is in memory at a time (the stream pulls the next page only
 * when the client has taken the previous one), and a client that goes away stops the work.
 *
 * Each page after the first waits for the next turn of the event loop. SQLite reads are
 * synchronous and a fast client never pushes back, so without that wait the whole export runs
 * as one chain of promise callbacks: no webhook is answered until it ends (seconds for a
 * million rows). With it, other requests wait at most one page.
 *
 * And while `defer` says webhooks are in progress, the next page waits a little longer (1 ms
 * at a time, DEFER_MAX_MS at most): a webhook's answer takes several turns of the loop, each
 * of which would otherwise include a page, and Vonage waits on that answer where nobody
 * waits on an export's exact pace.
 */

const CHUNK_CHARS = 64 * 1024;
const DEFER_MAX_MS = 5;

export interface Page<T> {
  /** Read as they are iterated, once. */
  items: Iterable<T>;
  /** Where the next page starts, null after the last page; read after the items. */
  readonly next: number | null;
}

export interface ExportStreamOptions<T> {
  firstPage: number | null;
  readPage: (cursor: number | null) => Promise<Page<T>>;
  header: string;
  item: (value: T, index: number) => string;
  footer: string;
  signal?: AbortSignal;
  /** True while more urgent work is in progress (lib/http/admission.ts, webhooksInProgress). */
  defer?: () => boolean;
  /** Called once at the end, with the rows written and whether the client went away. */
  onEnd?: (rows: number, cancelled: boolean, error?: unknown) => void;
}

export function exportStream<T>(options: ExportStreamOptions<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: number | null = options.firstPage;
  let started = false;
  let done = false;
  let rows = 0;
  const finish = (cancelled: boolean, error?: unknown) => {
    if (done) return;
    done = true;
    options.onEnd?.(rows, cancelled, error);
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (started) {
          await nextTurn();
          for (let waited = 0; waited < DEFER_MAX_MS && options.defer?.(); waited++) await sleep(1);
        }
        if (done) return; // cancelled meanwhile
        if (options.signal?.aborted) {
          finish(true);
          controller.close();
          return;
        }
        try {
          let chunk = started ? "" : options.header;
          started = true;
          const page = await options.readPage(cursor);
          for (const value of page.items) {
            chunk += options.item(value, rows++);
            // Hand over ~64 KB at a time: one large string per page lingers in the heap.
            if (chunk.length >= CHUNK_CHARS) {
              controller.enqueue(encoder.encode(chunk));
              chunk = "";
            }
          }
          cursor = page.next;
          if (cursor === null) chunk += options.footer;
          if (chunk) controller.enqueue(encoder.encode(chunk));
          if (cursor === null) {
            finish(false);
            controller.close();
          }
        } catch (error) {
          finish(false, error);
          controller.error(error);
        }
      },
      cancel() {
        finish(true);
      },
    },
    // Pull one page ahead at most.
    { highWaterMark: 1 },
  );
}
