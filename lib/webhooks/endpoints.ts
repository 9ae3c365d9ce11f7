/** The webhook URLs the console answers, as Vonage's setup guide names them. Client-safe. */
export const WEBHOOK_ENDPOINTS = [
  { kind: "inbound", path: "/webhooks/inbound-message", label: "Inbound Message", dashboardField: "Inbound URL" },
  { kind: "status", path: "/webhooks/message-status", label: "Message Status", dashboardField: "Status URL" },
] as const;
