import { receiveMessagesWebhook, refuseMethod } from "@/lib/webhooks/receive";

// Vonage's Message Status webhook, at the path its setup guide names.
export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return receiveMessagesWebhook("status", request);
}

export { refuseMethod as GET, refuseMethod as PUT, refuseMethod as PATCH, refuseMethod as DELETE };
