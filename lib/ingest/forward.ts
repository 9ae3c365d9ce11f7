import { checkStorage, type StorageCheck } from "@/lib/db/storage-check";
import { receiveWebhook } from "@/lib/ingest/dispatch";
import type { IngestChannel, WebhookRoute } from "@/lib/ingest/protocol";
import { readWebhookBody, responseOf } from "@/lib/webhooks/delivery";

/**
 * The HTTP thread's side of ingestion. A route handler reads the body (capped) and hands the
 * request to the ingest worker (lib/ingest/worker.ts), which verifies, parses and stores it and
 * answers after the commit; this thread only turns that answer into the response. So the thread
 * that serves every request does little more per webhook than for an empty route, and
 * verification and storage use the machine's second core (docs/decisions/012-write-path.md).
 *
 * Without a worker (code that runs the pipeline directly, like the benchmark's bare server),
 * route handlers run the same pipeline in-process.
 */

const INGEST_KEY = Symbol.for("vonage-console.ingest-worker");
type WithIngest = typeof globalThis & { [INGEST_KEY]?: IngestChannel };

/** Called by server.ts; route handlers, bundled separately by Next, find it on globalThis. */
export function setIngestWorker(ingest: IngestChannel | undefined): void {
  (globalThis as WithIngest)[INGEST_KEY] = ingest;
}

/**
 * Whether a webhook could be stored now: asked of the ingest worker, which owns the write path,
 * or checked in-process without one.
 */
export function checkStorageNow(): Promise<StorageCheck> {
  return (globalThis as WithIngest)[INGEST_KEY]?.checkStorage() ?? checkStorage();
}

/** A webhook endpoint's route handler: the request is received and answered by the ingest worker. */
export async function forwardWebhook(route: WebhookRoute, request: Request): Promise<Response> {
  const ingest = (globalThis as WithIngest)[INGEST_KEY];
  const body = await readWebhookBody(request);
  if (!ingest) return responseOf(await receiveWebhook(route, request, body));
  const answer = await ingest.send({ route, method: request.method, url: request.url, headers: [...request.headers], body });
  return responseOf(answer);
}
