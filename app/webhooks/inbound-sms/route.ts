import { receiveSmsWebhook, refuseSmsMethod } from "@/lib/webhooks/receive-sms";

// The SMS API's account-level inbound SMS webhook (Dashboard > Settings), GET or POST.
export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return receiveSmsWebhook("sms-inbound", request);
}

export { GET as POST, refuseSmsMethod as PUT, refuseSmsMethod as PATCH, refuseSmsMethod as DELETE };
