import { ingestWorker, WORKER_LOST } from "@/lib/ingest/channel";
import { BODY_ID_HEADER, readWebhookBody, responseOf } from "@/lib/webhooks/delivery";
import { WEBHOOK_ENDPOINTS } from "@/lib/webhooks/endpoints";

/**
 * The endpoints Vonage calls (lib/webhooks/endpoints.ts): the Messages API's Message Status and
 * Inbound Message URLs, and the SMS API's account-level inbound SMS and delivery receipt URLs.
 * server.ts has read and capped the body and parked it with the ingest worker
 * (lib/ingest/intake.ts); this handler takes it and hands the request to the worker, which
 * verifies, parses and stores it and answers after the commit. So the thread that serves every
 * request does little more per webhook than for an empty route (docs/decisions/012-write-path.md).
 * Every method comes here; lib/webhooks/receive.ts refuses (and records) those Vonage never uses.
 */

export const dynamic = "force-dynamic";

const KINDS = new Map(WEBHOOK_ENDPOINTS.map((endpoint) => [endpoint.path.slice("/webhooks/".length), endpoint.kind]));

async function receive(request: Request, { params }: { params: Promise<{ endpoint: string }> }): Promise<Response> {
  const { endpoint } = await params;
  const kind = KINDS.get(endpoint);
  if (!kind) {
    const known = WEBHOOK_ENDPOINTS.map((e) => e.path).join(", ");
    return Response.json({ error: "not_found", detail: `no webhook endpoint here; the console's are ${known}` }, { status: 404 });
  }
  const ingest = ingestWorker().current;
  if (!ingest) return responseOf(WORKER_LOST);
  const body = ingest.take(request.headers.get(BODY_ID_HEADER)) ?? (await readWebhookBody(request));
  const answer = await ingest.send({ route: kind, method: request.method, url: request.url, headers: [...request.headers], body });
  return responseOf(answer);
}

// HEAD and OPTIONS too, or Next.js would answer them itself (HEAD from GET, OPTIONS with 204), unrecorded.
export { receive as POST, receive as GET, receive as HEAD, receive as OPTIONS, receive as PUT, receive as PATCH, receive as DELETE };
