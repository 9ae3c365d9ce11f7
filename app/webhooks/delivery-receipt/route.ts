import { forwardWebhook } from "@/lib/ingest/worker-host";

// The SMS API's account-level delivery receipt webhook (Dashboard > Settings), GET or POST.
// Every method comes here; lib/webhooks/receive.ts refuses (and records) the ones Vonage never uses.
export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return forwardWebhook("sms-dlr", request);
}

// HEAD and OPTIONS too, or Next.js would answer them itself (HEAD from GET, OPTIONS with 204), unrecorded.
export { POST as GET, POST as HEAD, POST as OPTIONS, POST as PUT, POST as PATCH, POST as DELETE };
