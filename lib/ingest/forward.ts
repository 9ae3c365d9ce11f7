import type { StorageCheck } from "@/lib/db/storage-check";
import type { EventKind } from "@/lib/events/types";
import { NO_WORKER, WORKER_LOST } from "@/lib/ingest/channel";
// Types only: the route handlers' bundle must not hold the worker's spawn, which Next's bundler
// would follow into the worker's own module graph.
import type { IngestWorker } from "@/lib/ingest/worker-host";
import { shared } from "@/lib/remember";
import { BODY_ID_HEADER, readWebhookBody, responseOf } from "@/lib/webhooks/delivery";

/**
 * The route handlers' side of ingestion. server.ts reads and caps a webhook's body
 * (lib/ingest/intake.ts) and parks it with the ingest worker (lib/ingest/worker-host.ts); the
 * route handler takes it and hands the request to the worker (lib/ingest/worker.ts), which
 * verifies, parses and stores it and answers after the commit; this thread only turns that
 * answer into the response. So the
 * thread that serves every request does little more per webhook than for an empty route, and
 * verification and storage use the machine's second core (docs/decisions/012-write-path.md).
 */

/** server.ts's worker, which route handlers (bundled separately by Next) find on globalThis. */
const ingestWorker = () => shared<IngestWorker>("ingest-worker");

/** Called by server.ts once the worker has started. */
export function setIngestWorker(ingest: IngestWorker | undefined): void {
  ingestWorker().current = ingest;
}

/** A webhook endpoint's route handler: the request is received and answered by the ingest worker. */
export async function forwardWebhook(route: EventKind, request: Request): Promise<Response> {
  const ingest = ingestWorker().current;
  if (!ingest) return responseOf(WORKER_LOST);
  const body = ingest.take(request.headers.get(BODY_ID_HEADER)) ?? (await readWebhookBody(request));
  const answer = await ingest.send({ route, method: request.method, url: request.url, headers: [...request.headers], body });
  return responseOf(answer);
}

/** Whether a webhook could be stored now, asked of the ingest worker, which owns the write path. */
export function checkStorageNow(): Promise<StorageCheck> {
  return ingestWorker().current?.checkStorage() ?? Promise.resolve({ ...NO_WORKER });
}
