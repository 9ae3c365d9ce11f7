import { randomUUID } from "node:crypto";
import http from "node:http";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import { DUPLICATE_HEADER, EVENT_ID_HEADER } from "@/lib/webhooks/endpoints";
import { signedHeaders, TEST_API_TOKEN, type SignOptions } from "@/test/support/vonage";

/** Small HTTP helpers over fetch for tests and benchmarks. */

export const WEBHOOK_PATHS = {
  status: "/webhooks/message-status",
  inbound: "/webhooks/inbound-message",
} as const;

export interface PostOptions extends SignOptions {
  /** Send no Authorization header at all. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

export async function postWebhook(
  baseUrl: string,
  kind: keyof typeof WEBHOOK_PATHS,
  body: string,
  options: PostOptions = {},
): Promise<Response> {
  const headers = options.unsigned ? { "content-type": "application/json" } : await signedHeaders(body, options);
  return fetch(`${baseUrl}${WEBHOOK_PATHS[kind]}`, {
    method: "POST",
    headers: { ...headers, ...options.headers },
    body,
  });
}

/** A request through node:http, which sends any method (fetch refuses TRACE); on a connection of its own. */
export function sendRaw(
  url: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

/** What a webhook's 200 says: the stored event's id, and whether the delivery was a retry. */
export function ackOf(response: Response): { id: number; duplicate: boolean } {
  if (response.status !== 200) throw new Error(`expected a 200 acknowledgement, got ${response.status}`);
  const id = Number(response.headers.get(EVENT_ID_HEADER));
  const duplicate = response.headers.get(DUPLICATE_HEADER);
  if (!Number.isInteger(id) || id < 1 || (duplicate !== "true" && duplicate !== "false")) {
    throw new Error(
      `malformed acknowledgement headers: ${EVENT_ID_HEADER}=${response.headers.get(EVENT_ID_HEADER)} ${DUPLICATE_HEADER}=${duplicate}`,
    );
  }
  return { id, duplicate: duplicate === "true" };
}

/** Read-API requests carry the test servers' DASHBOARD_API_TOKEN unless the caller sets its own headers. */
export const apiAuth = { authorization: `Bearer ${TEST_API_TOKEN}` };

export async function getJson<T>(baseUrl: string, path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, { ...init, headers: init?.headers ?? apiAuth });
  return { status: response.status, body: (await response.json()) as T };
}

export async function listAllEvents(baseUrl: string, query = "", init?: RequestInit): Promise<EventJson[]> {
  const events: EventJson[] = [];
  let cursor: number | null = null;
  do {
    const sep = query ? "&" : "";
    const page: { status: number; body: { events: EventJson[]; nextCursor: number | null } } = await getJson(
      baseUrl,
      `/api/events?${query}${sep}limit=500${cursor !== null ? `&before=${cursor}` : ""}`,
      init,
    );
    if (page.status !== 200) throw new Error(`GET /api/events answered ${page.status}: ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return events;
}

export async function latestRejection(baseUrl: string, init?: RequestInit): Promise<RejectionJson | undefined> {
  const { body } = await getJson<{ rejections: RejectionJson[] }>(baseUrl, "/api/rejections?limit=1", init);
  return body.rejections[0];
}

/** A Message Status body for one message, with a fresh uuid unless given. */
export function statusBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    message_uuid: randomUUID(),
    to: "447700900000",
    from: "447700900001",
    timestamp: new Date().toISOString(),
    status: "delivered",
    channel: "sms",
    usage: { currency: "EUR", price: "0.0333" },
    ...overrides,
  });
}

export function inboundBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    channel: "whatsapp",
    message_uuid: randomUUID(),
    to: "447700900000",
    from: "447700900001",
    timestamp: new Date().toISOString(),
    message_type: "text",
    text: "Hello",
    ...overrides,
  });
}
