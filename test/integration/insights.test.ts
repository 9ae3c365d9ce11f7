import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InsightsJson, MessageJson, MessagePage } from "@/lib/messages/types";
import { getJson, inboundBody, postWebhook, statusBody } from "@/test/support/http";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * Message states and insights over HTTP, for a crafted set of messages whose every number is
 * worked out by hand below: out-of-order statuses, a conflict, an overdue and a pending
 * message, a workflow, a retried delivery, cost in two currencies, and errors in the window
 * before. The window is 24 hours not on the hour, so both the summary rows (the whole hours)
 * and the message rows (the two partial hours at its ends) are read.
 */

let server: RunningServer;

const SINCE = "2026-11-20T09:30:00.000Z";
const UNTIL = "2026-11-21T09:30:00.000Z";
const at = (time: string) => `2026-11-20T${time}Z`;

async function status(uuid: string, fields: Record<string, unknown>) {
  const body = statusBody({ message_uuid: uuid, usage: undefined, to: "447700900001", ...fields });
  const response = await postWebhook(server.url, "status", body);
  expect(response.status, await response.clone().text()).toBe(200);
  return body;
}

const error = (code: string) => ({ error: { type: `https://developer.vonage.com/api-errors/messages#${code}`, title: code, detail: "…" } });
const eur = (price: string) => ({ usage: { currency: "EUR", price } });

beforeAll(async () => {
  server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
  // Delivered, 4 s after submitted; priced on its first status.
  await status("sms-1", { channel: "sms", status: "submitted", timestamp: at("10:00:00"), ...eur("0.0100") });
  const delivered = await status("sms-1", { channel: "sms", status: "delivered", timestamp: at("10:00:04") });
  // Vonage retried: the same delivery again, one event still.
  await postWebhook(server.url, "status", delivered);
  // Delivered before submitted arrives: 10 s.
  await status("sms-2", { channel: "sms", status: "delivered", timestamp: at("10:10:10"), to: "447700900002" });
  await status("sms-2", { channel: "sms", status: "submitted", timestamp: at("10:10:00"), to: "447700900002" });
  // Failed, to the US.
  await status("sms-3", { channel: "sms", status: "submitted", timestamp: at("11:00:00"), to: "14155550100" });
  await status("sms-3", { channel: "sms", status: "rejected", timestamp: at("11:00:01"), to: "14155550100", ...error("1250") });
  // Read: 2 s to delivered, 60 s to read.
  await status("wa-1", { channel: "whatsapp", status: "read", timestamp: at("12:01:02"), ...eur("0.0147") });
  await status("wa-1", { channel: "whatsapp", status: "submitted", timestamp: at("12:00:00"), ...eur("0.0147") });
  await status("wa-1", { channel: "whatsapp", status: "delivered", timestamp: at("12:00:02") });
  // In the partial hour at the start, to France: 6 s, then 120 s.
  await status("wa-2", { channel: "whatsapp", status: "submitted", timestamp: at("09:45:00"), to: "33612345678", ...eur("0.0147") });
  await status("wa-2", { channel: "whatsapp", status: "delivered", timestamp: at("09:45:06"), to: "33612345678" });
  await status("wa-2", { channel: "whatsapp", status: "read", timestamp: at("09:47:06"), to: "33612345678" });
  // A conflict: undeliverable and delivered (two devices); delivered wins.
  await status("wa-3", { channel: "whatsapp", status: "undeliverable", timestamp: at("13:00:05"), ...error("1340") });
  await status("wa-3", { channel: "whatsapp", status: "delivered", timestamp: at("13:00:03") });
  // Failed, charged in dollars.
  await status("wa-4", {
    channel: "whatsapp",
    status: "rejected",
    timestamp: at("14:00:00"),
    usage: { currency: "USD", price: "0.02" },
    ...error("1340"),
  });
  // A failover workflow: RCS rejected, then SMS delivered in 3 s.
  await status("rcs-1", {
    channel: "rcs",
    status: "rejected",
    timestamp: at("15:00:00"),
    workflow: { workflow_id: "w1", items_number: 1 },
  });
  await status("sms-wf", {
    channel: "sms",
    status: "submitted",
    timestamp: at("15:00:02"),
    workflow: { workflow_id: "w1", items_number: 2 },
  });
  await status("sms-wf", { channel: "sms", status: "delivered", timestamp: at("15:00:05"), workflow: { workflow_id: "w1" } });
  // No final status, in the partial hour at the end: overdue long ago, and past SMS's 72 h.
  await status("open-1", { channel: "sms", status: "submitted", timestamp: "2026-11-21T09:10:00Z", client_ref: "campaign-7" });
  // Outside the window, and in the window before it (an error counted as previousCount).
  await status("out-1", { channel: "sms", status: "delivered", timestamp: at("09:20:00") });
  await status("prev-1", { channel: "whatsapp", status: "rejected", timestamp: "2026-11-19T12:00:00Z", ...error("1340") });
  // Inbound: two in the window (one in the partial first hour), one outside.
  for (const [i, timestamp] of [at("09:50:00"), at("12:30:00"), at("09:00:00")].entries()) {
    expect((await postWebhook(server.url, "inbound", inboundBody({ timestamp, message_uuid: `in-${i}` }))).status).toBe(200);
  }
  // Submitted a minute ago: pending, in the default window (the last 24 hours).
  await status("pending-1", { channel: "sms", status: "submitted", timestamp: new Date(Date.now() - 60_000).toISOString() });
});

afterAll(async () => {
  await server?.stop();
});

const insights = async (query: string) => {
  const { status: code, body } = await getJson<InsightsJson & { detail?: string }>(server.url, `/api/insights?${query}`);
  expect(code, body.detail).toBe(200);
  return body;
};
const messages = (query: string) => getJson<MessagePage & { detail?: string }>(server.url, `/api/messages?${query}`);

describe("GET /api/insights", () => {
  it("counts the window's messages by state, channel and country", async () => {
    const body = await insights(`since=${SINCE}&until=${UNTIL}`);
    expect(body.window).toEqual({ since: SINCE, until: UNTIL });
    expect(body.messages).toEqual({ total: 10, byState: { pending: 0, overdue: 1, delivered: 4, read: 2, failed: 3 } });
    expect(body.inbound).toEqual({ total: 2 });
    expect(body.backfillRemaining).toBe(0);
    expect(body.byChannel).toEqual([
      { channel: "sms", total: 5, delivered: 3, failed: 1, pending: 1, deliveryRate: 0.75 },
      { channel: "whatsapp", total: 4, delivered: 3, failed: 1, pending: 0, deliveryRate: 0.75 },
      { channel: "rcs", total: 1, delivered: 0, failed: 1, pending: 0, deliveryRate: 0 },
    ]);
    expect(body.byCountry).toEqual([
      { country: "GB", total: 8, delivered: 5, failed: 2, deliveryRate: 0.714 },
      { country: "FR", total: 1, delivered: 1, failed: 0, deliveryRate: 1 },
      { country: "US", total: 1, delivered: 0, failed: 1, deliveryRate: 0 },
    ]);
  });

  it("gives nearest-rank latency percentiles from provider times", async () => {
    const { latency } = await insights(`since=${SINCE}&until=${UNTIL}`);
    // submitted → delivered: 2, 3, 4, 6, 10 s; ranks ceil(2.5) = 3, ceil(4.5) = 5, ceil(4.95) = 5.
    expect(latency.submittedToDelivered).toEqual({ count: 5, p50Ms: 4000, p90Ms: 10000, p99Ms: 10000 });
    expect(latency.deliveredToRead).toEqual({ count: 2, p50Ms: 60000, p90Ms: 120000, p99Ms: 120000 });
  });

  it("ranks errors, with the previous window's count and what to do", async () => {
    const { topErrors } = await insights(`since=${SINCE}&until=${UNTIL}`);
    expect(topErrors.map(({ code, title, count, previousCount }) => ({ code, title, count, previousCount }))).toEqual([
      { code: "1340", title: "Outside of the allowed window", count: 2, previousCount: 1 },
      { code: "1250", title: "Unroutable", count: 1, previousCount: 0 },
    ]);
    expect(topErrors[0]!.action).toMatch(/wait for the customer/i);
    expect(topErrors[1]!.action).toMatch(/drop the number/i);
  });

  it("adds up cost per channel and currency, exactly", async () => {
    const { cost } = await insights(`since=${SINCE}&until=${UNTIL}`);
    expect(cost).toEqual([
      { channel: "sms", currency: "EUR", amount: "0.01", messages: 1 },
      { channel: "whatsapp", currency: "EUR", amount: "0.0294", messages: 2 },
      { channel: "whatsapp", currency: "USD", amount: "0.02", messages: 1 },
    ]);
  });

  it("buckets the series by hour for a day, and by minute for an hour", async () => {
    const day = await insights(`since=${SINCE}&until=${UNTIL}`);
    expect(day.bucketMs).toBe(3_600_000);
    expect(day.series).toHaveLength(25);
    expect(day.series[0]).toEqual({ start: "2026-11-20T09:00:00.000Z", submitted: 1, delivered: 1, failed: 0, inbound: 1 });
    expect(day.series[1]).toEqual({ start: "2026-11-20T10:00:00.000Z", submitted: 2, delivered: 2, failed: 0, inbound: 0 });
    expect(day.series.reduce((sum, p) => sum + p.submitted, 0)).toBe(10);
    const hour = await insights(`since=${at("09:30:00")}&until=${at("10:30:00")}`);
    expect(hour.bucketMs).toBe(60_000);
    expect(hour.series).toHaveLength(60);
    expect(hour.series.filter((p) => p.submitted > 0).map((p) => p.start)).toEqual([
      at("09:45:00.000"),
      at("10:00:00.000"),
      at("10:10:00.000"),
    ]);
  });

  it("reads a month from the day summaries, the hours around them and the rows at its ends", async () => {
    // 30 days not on the hour: whole days (20 November among them), whole hours, partial hours.
    const month = await insights("since=2026-11-05T07:30:00Z&until=2026-12-05T07:30:00Z");
    expect(month.bucketMs).toBe(86_400_000);
    // The window of the other tests' ten, and out-1, prev-1 and pending-1.
    expect(month.messages).toEqual({ total: 13, byState: { pending: 1, overdue: 1, delivered: 5, read: 2, failed: 4 } });
    expect(month.inbound).toEqual({ total: 3 });
    expect(month.latency.submittedToDelivered).toEqual({ count: 5, p50Ms: 4000, p90Ms: 10000, p99Ms: 10000 });
    expect(month.latency.deliveredToRead).toEqual({ count: 2, p50Ms: 60000, p90Ms: 120000, p99Ms: 120000 });
    expect(month.topErrors.map((e) => [e.code, e.count])).toEqual([
      ["1340", 3],
      ["1250", 1],
    ]);
    expect(month.series.find((p) => p.start === "2026-11-20T00:00:00.000Z")).toEqual({
      start: "2026-11-20T00:00:00.000Z",
      submitted: 10,
      delivered: 7,
      failed: 3,
      inbound: 3,
    });
    const whatsapp = await insights("since=2026-11-05T07:30:00Z&until=2026-12-05T07:30:00Z&channel=whatsapp");
    expect(whatsapp.latency.deliveredToRead.count).toBe(2);
    expect(whatsapp.latency.submittedToDelivered).toEqual({ count: 2, p50Ms: 2000, p90Ms: 6000, p99Ms: 6000 });
  });

  it("filters by channel, and tells pending from overdue by age in the default window", async () => {
    const whatsapp = await insights(`since=${SINCE}&until=${UNTIL}&channel=whatsapp`);
    expect(whatsapp.messages.total).toBe(4);
    expect(whatsapp.cost.map((c) => c.currency)).toEqual(["EUR", "USD"]);
    const recent = await insights("");
    expect(recent.messages.byState.pending).toBe(1);
    expect(Date.parse(recent.window.until) - Date.parse(recent.window.since)).toBe(86_400_000);
  });

  it("refuses a bad window with 400", async () => {
    for (const query of [
      `since=${UNTIL}&until=${SINCE}`,
      "since=yesterday",
      "window=7d",
      "since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z",
    ]) {
      expect((await getJson(server.url, `/api/insights?${query}`)).status, query).toBe(400);
    }
  });
});

describe("GET /api/messages", () => {
  it("lists each message once with its state, newest first", async () => {
    const { status: code, body } = await messages(`since=${SINCE}&until=${UNTIL}`);
    expect(code).toBe(200);
    expect(body.messages.map((m) => m.messageUuid)).toEqual([
      "open-1",
      "sms-wf",
      "rcs-1",
      "wa-4",
      "wa-3",
      "wa-2",
      "wa-1",
      "sms-3",
      "sms-2",
      "sms-1",
    ]);
    const byUuid = new Map(body.messages.map((m) => [m.messageUuid, m]));
    expect(byUuid.get("sms-1")).toMatchObject({
      channel: "sms",
      state: "delivered",
      finalStatus: "delivered",
      submittedAt: "2026-11-20T10:00:00.000Z",
      deliveredAt: "2026-11-20T10:00:04.000Z",
      price: "0.01",
      currency: "EUR",
      events: 2,
      country: "GB",
    });
    expect(byUuid.get("sms-2")).toMatchObject({ state: "delivered", firstEventAt: "2026-11-20T10:10:00.000Z", events: 2 });
    expect(byUuid.get("wa-3")).toMatchObject({ state: "delivered", conflict: true, errorCode: "1340" });
    expect(byUuid.get("wa-1")).toMatchObject({ state: "read", readAt: "2026-11-20T12:01:02.000Z" });
    expect(byUuid.get("open-1")).toMatchObject({
      state: "overdue",
      finalStatus: "submitted",
      beyondHorizon: true,
      clientRef: "campaign-7",
    });
  });

  it("filters by state, channel, client_ref and phone, and pages with before", async () => {
    const uuids = async (query: string) => (await messages(query)).body.messages.map((m: MessageJson) => m.messageUuid);
    expect(await uuids("state=overdue")).toEqual(["open-1"]);
    expect(await uuids("state=pending")).toEqual(["pending-1"]);
    expect(await uuids(`state=failed&since=${SINCE}`)).toEqual(["rcs-1", "wa-4", "sms-3"]);
    expect(await uuids("channel=rcs")).toEqual(["rcs-1"]);
    expect(await uuids("client_ref=campaign-7")).toEqual(["open-1"]);
    expect(await uuids("phone=%2B1 415 555 0100")).toEqual(["sms-3"]);
    const first = await messages("limit=2");
    expect(first.body.messages).toHaveLength(2);
    const next = await messages(`limit=2&before=${first.body.nextCursor}`);
    expect(next.body.messages[0]!.id).toBeLessThan(first.body.messages[1]!.id);
  });

  it("refuses bad filters with 400", async () => {
    for (const query of ["state=lost", "limit=0", "before=x", "status=delivered", "state=read&state=failed"]) {
      expect((await messages(query)).status, query).toBe(400);
    }
  });

  it("gives the lifecycle the message's state and the other messages of its workflow", async () => {
    const { body } = await getJson<{ message: MessageJson; workflow: MessageJson[] }>(server.url, "/api/messages/rcs-1");
    expect(body.message).toMatchObject({ messageUuid: "rcs-1", state: "failed", workflowId: "w1" });
    expect(body.workflow.map((m) => [m.messageUuid, m.state])).toEqual([["sms-wf", "delivered"]]);
    const inbound = await getJson<{ events: unknown[]; message: MessageJson | null }>(server.url, "/api/messages/in-0");
    expect(inbound.body.events).toHaveLength(1);
    expect(inbound.body.message).toBeNull();
  });

  it("needs credentials", async () => {
    for (const path of ["/api/messages", "/api/insights"]) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(401);
    }
  });
});
