import { randomUUID } from "node:crypto";
import { expect, test, timelineItems } from "@/e2e/fixtures";
import type { Page, Request } from "@playwright/test";
import { statusBody } from "@/test/support/http";

/**
 * The insights view against the real API: the numbers of a few crafted messages, a new webhook
 * showing up without a reload, the window and channel pickers in the URL and the request, a
 * failed read, and a phone-width screen. The server is shared with the tests before (and other
 * files), so exact numbers are checked in a window of their own, an hour two days ago (a
 * message belongs to the window of its first event's provider time).
 */

test.use({ locale: "en-US" });

/** A provider time this many seconds after ten minutes ago: well inside "the last hour". */
const recent = (seconds: number) => new Date(Date.now() - 10 * 60_000 + seconds * 1000).toISOString();
const error = (code: string) => ({ error: { type: `https://developer.vonage.com/api-errors/messages#${code}`, title: code, detail: "…" } });

/** The value of the summary figure with this label, e.g. "Delivery rate". */
const figure = (page: Page, label: string) =>
  page
    .locator("dl > div")
    .filter({ has: page.getByText(label, { exact: true }) })
    .locator("dd")
    .first();

function insightsRequest(page: Page, predicate: (url: URL) => boolean = () => true): Promise<Request> {
  return page.waitForRequest((request) => {
    const url = new URL(request.url());
    return url.pathname === "/api/insights" && predicate(url);
  });
}

test("the insights show delivery rates, latency, top errors and cost, and update live without a reload", async ({ page, send }) => {
  const status = (uuid: string, fields: Record<string, unknown>) =>
    send("status", statusBody({ message_uuid: uuid, usage: undefined, to: "447700900001", ...fields }));
  // An hour of its own, on the hour, two days ago: no other test sends statuses dated then.
  const since = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 50 * 3_600_000;
  const at = (seconds: number) => new Date(since + 10 * 60_000 + seconds * 1000).toISOString();
  const [sms, whatsapp, failed] = [randomUUID(), randomUUID(), randomUUID()];
  // SMS delivered 4 s after submitted; WhatsApp delivered in 2 s, read a minute later; an SMS rejected.
  await status(sms, { channel: "sms", status: "submitted", timestamp: at(0), usage: { currency: "EUR", price: "0.0500" } });
  await status(sms, { channel: "sms", status: "delivered", timestamp: at(4) });
  await status(whatsapp, { channel: "whatsapp", status: "submitted", timestamp: at(0), usage: { currency: "EUR", price: "0.0147" } });
  await status(whatsapp, { channel: "whatsapp", status: "delivered", timestamp: at(2) });
  await status(whatsapp, { channel: "whatsapp", status: "read", timestamp: at(62) });
  await status(failed, { channel: "sms", status: "rejected", timestamp: at(10), ...error("1250") });

  const window = `since=${new Date(since).toISOString()}&until=${new Date(since + 3_600_000).toISOString()}`;
  const first = insightsRequest(page);
  await page.goto(`/insights?${window}`);
  expect(new URL((await first).url()).search).toBe(`?${window}`.replaceAll(":", "%3A"));
  await expect(page.getByRole("status")).toHaveText("Live");

  await expect(figure(page, "Outbound messages")).toHaveText("3");
  await expect(figure(page, "Delivery rate")).toHaveText("66.7%");
  const channels = page.getByRole("table", { name: "Delivery rate per channel" });
  await expect(channels.getByRole("row", { name: /^SMS/ })).toContainText("50%");
  await expect(channels.getByRole("row", { name: /^WhatsApp/ })).toContainText("100%");

  // Nearest rank over 2 s and 4 s: p50 the first, p90 the second.
  const latency = page.getByRole("table", { name: /Latency percentiles/ });
  await expect(latency.getByRole("row", { name: /Submitted.*delivered/ })).toContainText(/2\.0 s\s*4\.0 s\s*4\.0 s\s*2/);
  await expect(latency.getByRole("row", { name: /Delivered.*read/ })).toContainText(/1 min\s*1 min\s*1 min\s*1/);

  const errors = page.getByRole("table", { name: /Top errors/ });
  const row = errors.getByRole("row", { name: /1250/ });
  await expect(row).toContainText("Drop the number");
  await expect(row.getByRole("cell").nth(0)).toHaveText("1");
  await expect(row).toContainText("▲ 1");
  // The row links to the timeline filtered to that error, in this custom window (the next test follows such a link).
  const href = new URL((await row.getByRole("link").getAttribute("href"))!, "http://x");
  expect(href.pathname).toBe("/");
  expect(Object.fromEntries(href.searchParams)).toEqual({
    error_code: "1250",
    since: new Date(since).toISOString(),
    until: new Date(since + 3_600_000).toISOString(),
  });

  const cost = page.getByRole("table", { name: "Cost per channel and currency" });
  await expect(cost.getByRole("row", { name: /^SMS/ })).toContainText("0.05 EUR");
  await expect(cost.getByRole("row", { name: /^WhatsApp/ })).toContainText("0.0147 EUR");
  await expect(cost.getByRole("row", { name: /^Total/ })).toContainText("0.0647 EUR");

  const chart = page.getByRole("region", { name: "Over time" });
  await expect(chart.locator("canvas").first()).toBeVisible();
  await chart.getByText("Show numbers").click();
  await expect(chart.getByRole("table")).toBeVisible();

  // A new webhook, and the page reads again by itself: the same document, no navigation.
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = "still here"));
  await status(randomUUID(), { channel: "sms", status: "rejected", timestamp: at(20), ...error("1250") });
  await expect(figure(page, "Outbound messages")).toHaveText("4", { timeout: 5_000 });
  await expect(row.getByRole("cell").nth(0)).toHaveText("2");
  await expect(figure(page, "Delivery rate")).toHaveText("50%");
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("still here");
});

test("a top error opens the timeline filtered to that error", async ({ page, send }) => {
  const uuid = randomUUID();
  await send(
    "status",
    statusBody({ message_uuid: uuid, channel: "whatsapp", status: "rejected", timestamp: recent(50), ...error("1022") }),
  );
  await page.goto("/insights");
  const row = page.getByRole("table", { name: /Top errors/ }).getByRole("row", { name: /1022/ });
  await expect(row).toContainText("Fix the template");
  await row.getByRole("link").click();
  // The last 24 hours end now: the timeline gets no `until`, and stays live.
  await expect(page).toHaveURL(/\/\?error_code=1022&since=[^&]+$/);
  await expect(timelineItems(page)).toHaveCount(1);
  await expect(timelineItems(page).first()).toContainText(uuid);
});

test("a burst of webhooks is read at most once a second", async ({ page, send }) => {
  await page.goto("/insights");
  await expect(page.getByRole("status")).toHaveText("Live");
  await page.waitForTimeout(1_500);
  const start = await page.evaluate(() => performance.now());
  for (let i = 0; i < 30; i++) await send("status", statusBody({ channel: "sms", status: "delivered", timestamp: recent(30) }));
  await page.waitForTimeout(1_500);
  // The page's own clock: the test's would add its event loop's delays.
  const reads = await page.evaluate(
    (after) =>
      performance
        .getEntriesByType("resource")
        .filter((entry) => new URL(entry.name).pathname === "/api/insights" && entry.startTime > after)
        .map((entry) => entry.startTime),
    start,
  );
  expect(reads.length).toBeGreaterThanOrEqual(1);
  for (let i = 1; i < reads.length; i++) expect(reads[i]! - reads[i - 1]!).toBeGreaterThanOrEqual(990);
});

test("the window and channel pickers live in the URL and in the request", async ({ page, send }) => {
  await send("status", statusBody({ channel: "whatsapp", status: "delivered", timestamp: recent(0) }));
  await send("status", statusBody({ channel: "sms", status: "delivered", timestamp: recent(0) }));
  const span = (url: URL) => Date.parse(url.searchParams.get("until")!) - Date.parse(url.searchParams.get("since")!);
  const combobox = (name: string) => page.getByRole("combobox", { name, exact: true });

  // Without a window in the URL: the last 24 hours.
  const first = insightsRequest(page);
  await page.goto("/insights");
  expect(span(new URL((await first).url()))).toBe(86_400_000);
  await expect(figure(page, "Outbound messages")).toBeVisible();

  let request = insightsRequest(page, (url) => span(url) === 7 * 86_400_000 && !url.searchParams.has("channel"));
  await combobox("Window").selectOption("7d");
  await expect(page).toHaveURL(/\/insights\?window=7d$/);
  await request;

  request = insightsRequest(page, (url) => span(url) === 7 * 86_400_000 && url.searchParams.get("channel") === "whatsapp");
  await combobox("Channel").selectOption("whatsapp");
  await expect(page).toHaveURL(/\/insights\?window=7d&channel=whatsapp$/);
  await request;
  // WhatsApp alone: one row under the header.
  const channels = page.getByRole("table", { name: "Delivery rate per channel" });
  await expect(channels.getByRole("row")).toHaveCount(2);
  await expect(channels.getByRole("row").nth(1)).toContainText("WhatsApp");

  await combobox("Channel").selectOption("mms");
  await expect(page.getByText("No messages in this window on MMS.")).toBeVisible();
  await combobox("Channel").selectOption("");
  await expect(page).toHaveURL(/\/insights\?window=7d$/);

  // A custom window starts as the one on screen, to the minute, and keeps its bounds in the URL.
  const toTheMinute = (iso: string | null) => !!iso && iso.endsWith(":00.000Z");
  request = insightsRequest(page, (url) => toTheMinute(url.searchParams.get("since")) && toTheMinute(url.searchParams.get("until")));
  await combobox("Window").selectOption("custom");
  await expect(page).toHaveURL(/\/insights\?since=[^&]+&until=[^&]+$/);
  const shown = new URL(page.url()).searchParams;
  const asked = new URL((await request).url()).searchParams;
  expect(asked.get("since")).toBe(shown.get("since"));
  expect(asked.get("until")).toBe(shown.get("until"));
  expect(span(new URL(page.url()))).toBe(7 * 86_400_000);
  await expect(page.getByLabel("Since")).toBeVisible();
  await expect(figure(page, "Outbound messages")).toBeVisible();

  // Reloaded, the URL gives the same view.
  await page.reload();
  await expect(combobox("Window")).toHaveValue("custom");
});

test("a failed read says so", async ({ page }) => {
  await page.goto("/insights?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z");
  await expect(page.getByRole("alert").filter({ hasText: "Could not" })).toContainText(/Could not load the insights: .*before until/);
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("the page does not scroll sideways", async ({ page, send }) => {
    // Wide cells: hour-long latencies, and errors with their trend and link.
    const slow = randomUUID();
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
    await send("status", statusBody({ message_uuid: slow, channel: "whatsapp", status: "submitted", timestamp: hoursAgo(3) }));
    await send("status", statusBody({ message_uuid: slow, channel: "whatsapp", status: "delivered", timestamp: hoursAgo(1.8) }));
    await send("status", statusBody({ message_uuid: slow, channel: "whatsapp", status: "read", timestamp: hoursAgo(0.7) }));
    for (let i = 0; i < 12; i++)
      await send("status", statusBody({ channel: "sms", status: "rejected", timestamp: recent(40), ...error("1250") }));
    await page.goto("/insights");
    await expect(page.getByRole("table", { name: /Top errors/ })).toBeVisible();
    await expect(page.locator("[data-testid=series-chart] canvas").first()).toBeVisible();
    const widths = await page.evaluate(() => ({
      inner: window.innerWidth,
      scroll: document.documentElement.scrollWidth,
      // main clips sideways: what sticks out of it is hidden, not scrolled to, so it must fit too.
      main: document.querySelector("main")!.scrollWidth - document.querySelector("main")!.clientWidth,
      chart: document.querySelector("[data-testid=series-chart]")!.getBoundingClientRect().right,
    }));
    expect(widths.inner).toBe(390);
    expect(widths.scroll).toBeLessThanOrEqual(390);
    expect(widths.main).toBe(0);
    expect(widths.chart).toBeLessThanOrEqual(390);
  });
});
