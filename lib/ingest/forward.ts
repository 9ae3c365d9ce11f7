import { checkStorage, type StorageCheck } from "@/lib/db/storage-check";
import type { LimitedBody } from "@/lib/http/body";
import { receiveWebhook } from "@/lib/ingest/dispatch";
import { webhookRequestOf, type IngestChannel, type WebhookRoute, type WireRequest } from "@/lib/ingest/protocol";
import { BODY_ID_HEADER, readWebhookBody, responseOf, type WebhookAnswer } from "@/lib/webhooks/delivery";

/**
 * The HTTP thread's side of ingestion. A route handler takes the body (read and capped by
 * server.ts, lib/ingest/intake.ts) and hands the request to the ingest worker
 * (lib/ingest/worker.ts), which verifies, parses and stores it and answers after the commit;
 * this thread only turns that answer into the response. So the thread that serves every request
 * does little more per webhook than for an empty route, and verification and storage use the
 * machine's second core (docs/decisions/012-write-path.md).
 *
 * Without a worker (code that runs the pipeline directly, like the benchmark's bare server),
 * route handlers read the body themselves and run the same pipeline in-process.
 */

const INGEST_KEY = Symbol.for("vonage-console.ingest-worker");
const BODIES_KEY = Symbol.for("vonage-console.webhook-bodies");
type WithIngest = typeof globalThis & { [INGEST_KEY]?: IngestChannel; [BODIES_KEY]?: Map<string, LimitedBody> };

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

/** Bodies server.ts has read, by the id it put in the request's BODY_ID_HEADER. */
function parkedBodies(): Map<string, LimitedBody> {
  return ((globalThis as WithIngest)[BODIES_KEY] ??= new Map<string, LimitedBody>());
}

/** server.ts: leaves a request's body for its route handler; the id goes in BODY_ID_HEADER. */
export function parkWebhookBody(body: LimitedBody): string {
  const id = crypto.randomUUID();
  parkedBodies().set(id, body);
  return id;
}

/** The body left under this id, once (server.ts also drops it when the response closes). */
export function takeWebhookBody(id: string | null | undefined): LimitedBody | undefined {
  if (!id) return undefined;
  const bodies = parkedBodies();
  const body = bodies.get(id);
  bodies.delete(id);
  return body;
}

/** A webhook endpoint's route handler: the request is received and answered by the ingest worker. */
export async function forwardWebhook(route: WebhookRoute, request: Request): Promise<Response> {
  const ingest = (globalThis as WithIngest)[INGEST_KEY];
  const body = takeWebhookBody(request.headers.get(BODY_ID_HEADER)) ?? (await readWebhookBody(request));
  if (!ingest) return responseOf(await receiveWebhook(route, request, body));
  const answer = await ingest.send({ route, method: request.method, url: request.url, headers: [...request.headers], body });
  return responseOf(answer);
}

/**
 * A webhook request Next.js cannot route (a method it does not know, headers over the limit),
 * from server.ts: received the same way, so it is refused and recorded like any other.
 */
export function forwardUnrouted(request: WireRequest): Promise<WebhookAnswer> {
  const ingest = (globalThis as WithIngest)[INGEST_KEY];
  return ingest ? ingest.send(request) : receiveWebhook(request.route, webhookRequestOf(request), request.body);
}
