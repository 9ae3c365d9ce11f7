import { getConfig } from "@/lib/config";
import type { EventKind } from "@/lib/events/types";
import type { LimitedBody } from "@/lib/http/body";
import type { WebhookAnswer, WebhookRequest } from "@/lib/webhooks/delivery";
import { receiveMessagesWebhook, refuseMethod } from "@/lib/webhooks/receive";
import { receiveSmsWebhook, refuseSmsDisabled, refuseSmsMethod } from "@/lib/webhooks/receive-sms";

/**
 * Which receiver answers a request to a webhook endpoint: Messages API webhooks are POSTed;
 * SMS API webhooks come as GET or POST, unless those endpoints are turned off. Any other
 * method is refused and recorded.
 */
export function receiveWebhook(route: EventKind, request: WebhookRequest, body: LimitedBody): Promise<WebhookAnswer> {
  switch (route) {
    case "status":
    case "inbound":
      return request.method === "POST" ? receiveMessagesWebhook(route, request, body) : refuseMethod(request);
    case "sms-inbound":
    case "sms-dlr":
      if (getConfig().smsApiWebhooks === "off") return refuseSmsDisabled(request);
      return request.method === "GET" || request.method === "POST" ? receiveSmsWebhook(route, request, body) : refuseSmsMethod(request);
  }
}
