/**
 * Sends a realistic set of signed sample webhooks to a running console, signed like Vonage
 * signs them, so the dashboard can be tried without a Vonage account:
 *
 *   npm run demo                       # http://localhost:3000, secret from VONAGE_SIGNATURE_SECRET
 *   npm run demo -- http://host:3000   # another console
 *
 * The bodies are Vonage's own examples (test/fixtures/vonage) plus message lifecycles with
 * out-of-order statuses and errors.
 */
import { randomUUID } from "node:crypto";
import { postWebhook } from "@/test/support/http";
import { dlrParams, inboundSmsParams, sendSms } from "@/test/support/sms";
import { messagesFixtures } from "@/test/support/vonage";

const baseUrl = (process.argv[2] ?? process.env.CONSOLE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
const secret = process.env.VONAGE_SIGNATURE_SECRET?.split(",")[0]?.replace(/^[A-Za-z0-9_-]+:/, "") || "demo-secret";

const minutesAgo = (m: number, s = 0) => new Date(Date.now() - m * 60_000 + s * 1000).toISOString();

function lifecycle(channel: string, steps: [string, number, Record<string, unknown>?][], to = "447700900123") {
  const uuid = randomUUID();
  return steps.map(([status, secondsAfterStart, extra]) => ({
    kind: "status" as const,
    body: {
      message_uuid: uuid,
      to,
      from: channel === "sms" ? "Acme" : "447700900000",
      timestamp: new Date(Date.now() - 600_000 + secondsAfterStart * 1000).toISOString(),
      status,
      channel,
      client_ref: `order-${Math.floor(Math.random() * 9000) + 1000}`,
      ...extra,
    },
  }));
}

async function main() {
  const deliveries: { kind: "status" | "inbound"; body: Record<string, unknown> }[] = [
    ...lifecycle("whatsapp", [
      ["read", 185],
      ["submitted", 0],
      ["delivered", 2.1, { usage: { currency: "EUR", price: "0.0147" } }],
    ]),
    ...lifecycle(
      "sms",
      [
        ["submitted", 0, { usage: { currency: "EUR", price: "0.0333" } }],
        ["delivered", 4.2],
      ],
      "14155550123",
    ),
    ...lifecycle("whatsapp", [
      [
        "rejected",
        1,
        {
          error: {
            type: "https://developer.vonage.com/api-errors/messages#1340",
            title: 1340,
            detail: "The message could not be sent: outside of the allowed 24-hour window",
            instance: randomUUID(),
          },
        },
      ],
    ]),
    ...lifecycle("viber_service", [
      ["submitted", 0],
      ["undeliverable", 30, { error: { title: "1300", detail: "Not part of the provider network" } }],
    ]),
    ...lifecycle("rcs", [
      ["submitted", 0],
      ["delivered", 1.4],
      ["read", 64],
    ]),
    ...messagesFixtures()
      .filter((f) => f.kind === "inbound" && !f.name.includes("allfields"))
      .map((f) => ({
        kind: f.kind,
        body: { ...(JSON.parse(f.body) as Record<string, unknown>), message_uuid: randomUUID(), timestamp: minutesAgo(0) },
      })),
  ];

  let ok = 0;
  for (const delivery of deliveries) {
    const response = await postWebhook(baseUrl, delivery.kind, JSON.stringify(delivery.body), { secret });
    if (response.status === 200) ok += 1;
    else console.error(`${delivery.kind} ${String(delivery.body.message_uuid)}: ${response.status} ${await response.text()}`);
  }
  // Account-level SMS API callbacks (unsigned, as accounts without SMS signing send them).
  const sms: [Parameters<typeof sendSms>[1], Record<string, string>][] = [
    ["sms-dlr", dlrParams({ status: "delivered", "client-ref": "invoice-1001" })],
    ["sms-dlr", dlrParams({ status: "failed", "err-code": "6" })],
    ["sms-inbound", inboundSmsParams({ text: "STOP", keyword: "STOP" })],
    [
      "sms-inbound",
      inboundSmsParams({ concat: "true", "concat-ref": "42", "concat-total": "2", "concat-part": "2", text: "arrives first." }),
    ],
    [
      "sms-inbound",
      inboundSmsParams({ concat: "true", "concat-ref": "42", "concat-total": "2", "concat-part": "1", text: "The second part " }),
    ],
  ];
  for (const [kind, params] of sms) if ((await sendSms(baseUrl, kind, params)).status === 200) ok += 1;
  console.log(`Sent ${deliveries.length + sms.length} sample webhooks to ${baseUrl}: ${ok} stored.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
