/** The webhook URLs the console answers, as Vonage names them. Client-safe. */
export const WEBHOOK_ENDPOINTS = [
  { kind: "inbound", path: "/webhooks/inbound-message", label: "Inbound Message", dashboardField: "Inbound URL", level: "application" },
  { kind: "status", path: "/webhooks/message-status", label: "Message Status", dashboardField: "Status URL", level: "application" },
  { kind: "sms-inbound", path: "/webhooks/inbound-sms", label: "Inbound SMS", dashboardField: "Inbound SMS webhooks", level: "account" },
  {
    kind: "sms-dlr",
    path: "/webhooks/delivery-receipt",
    label: "Delivery receipts",
    dashboardField: "Delivery receipts (DLR) webhooks",
    level: "account",
  },
] as const;

export type WebhookLevel = (typeof WEBHOOK_ENDPOINTS)[number]["level"];

/** Response headers of a 200: the stored event's id, and whether the delivery was a retry. */
export const EVENT_ID_HEADER = "x-event-id";
export const DUPLICATE_HEADER = "x-event-duplicate";
