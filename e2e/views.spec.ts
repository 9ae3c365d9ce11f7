import { randomUUID } from "node:crypto";
import { expect, test, timelineItems } from "@/e2e/fixtures";
import type { Page } from "@playwright/test";
import type { EventJson } from "@/lib/events/types";
import { getJson, postWebhook, statusBody } from "@/test/support/http";

/** A long timeline (virtualised, paged, held while reading), the keyboard, the rejections and setup views. */

test("a long timeline keeps few rows in the DOM, pages older history in, and holds new events while reading", async ({ page, server }) => {
  const tag = `long-${randomUUID()}`;
  const total = 1200;
  // Concurrency 20, like Vonage under load.
  const bodies = Array.from({ length: total }, () => statusBody({ client_ref: tag }));
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < bodies.length) expect((await postWebhook(server.url, "status", bodies[next++]!)).status).toBe(200);
    }),
  );

  await page.goto(`/?client_ref=${tag}`);
  await expect(page.getByRole("status")).toHaveText("Live");
  await expect(timelineItems(page).first()).toBeVisible();
  const scroller = page.getByTestId("timeline-scroller");

  // Scroll to the end until the log's beginning is reached: every event is reachable.
  for (let i = 0; i < 20; i++) {
    if (await page.getByText(`Beginning of the log (${total.toLocaleString("en-US")} events)`).isVisible()) break;
    await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await page.waitForTimeout(300);
  }
  await expect(page.getByText(/Beginning of the log \(1,200 events\)/)).toBeVisible();
  await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(page.getByText(/Beginning of the log/)).toBeInViewport();
  const rendered = await timelineItems(page).count();
  expect(rendered).toBeLessThan(40);
  expect(await page.locator("body *").count()).toBeLessThan(1500);
  const ids = await timelineItems(page).evaluateAll((items) => items.map((li) => li.querySelector("[data-row-link]")?.textContent));
  const oldest = (await getJson<{ events: EventJson[] }>(server.url, `/api/events?client_ref=${tag}&after=0&limit=1`)).body.events[0]!;
  expect(ids).toContain(oldest.messageUuid);

  // Reading in the middle: new events wait behind a control instead of moving the view.
  await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
  await page.waitForTimeout(200);
  const firstVisible = await timelineItems(page).first().innerText();
  const fresh = randomUUID();
  for (let i = 0; i < 3; i++) {
    expect(
      (await postWebhook(server.url, "status", statusBody({ client_ref: tag, message_uuid: i === 2 ? fresh : randomUUID() }))).status,
    ).toBe(200);
  }
  const newEvents = page.getByRole("button", { name: "3 new events" });
  await expect(newEvents).toBeVisible();
  expect(await timelineItems(page).first().innerText()).toBe(firstVisible);
  await newEvents.click();
  await expect(timelineItems(page).first()).toContainText(fresh);
  await expect(page.getByText(/1,203 events matching/)).toBeVisible();
});

test("rows can be walked with the keyboard and opened with Enter", async ({ page, send }) => {
  const tag = `keys-${randomUUID()}`;
  const uuids = [randomUUID(), randomUUID(), randomUUID()];
  for (const uuid of uuids) await send("status", statusBody({ message_uuid: uuid, client_ref: tag }));
  await page.goto(`/?client_ref=${tag}`);
  await expect(timelineItems(page)).toHaveCount(3);

  await page.getByRole("link", { name: uuids[2]! }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("link", { name: uuids[1]! })).toBeFocused();
  await page.keyboard.press("End");
  await expect(page.getByRole("link", { name: uuids[0]! })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/messages/${uuids[0]}$`));
});

/** Counts the page's requests to an API path, to show that a view does not poll it. */
function countRequests(page: Page, path: string): { readonly count: number } {
  const counter = { count: 0 };
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === path) counter.count++;
  });
  return counter;
}

test("rejected deliveries are listed with the reason explained and the fix to try", async ({ page, server }) => {
  await postWebhook(server.url, "status", statusBody(), { iatOffset: -200_000 });
  const reads = countRequests(page, "/api/rejections");
  await page.goto("/rejections");
  const item = page.getByRole("list", { name: "Rejected deliveries, newest first" }).getByRole("listitem").first();
  await expect(item).toContainText("stale_token");
  await expect(item).toContainText("401");
  await expect(item).toContainText("SIGNATURE_MAX_AGE_SECONDS");
  await expect(item).toContainText("server clock");

  await item.locator("summary", { hasText: "Request" }).click();
  await expect(item.getByText("Token claims (unverified)")).toBeVisible();
  await expect(item).toContainText('"iss": "Vonage"');

  // A new refusal shows up without a reload.
  await postWebhook(server.url, "inbound", statusBody(), { unsigned: true });
  await expect(page.getByRole("list", { name: "Rejected deliveries, newest first" }).getByRole("listitem").first()).toContainText(
    "missing_token",
    { timeout: 3_000 },
  );
  // It came over the socket: the snapshot and the connection's catch-up are the only reads,
  // also over a spell longer than the 3 s the view used to poll at.
  await page.waitForTimeout(4_000);
  expect(reads.count).toBe(2);
});

test("the setup view shows a webhook's last call as it happens, without polling", async ({ page, server, send }) => {
  const reads = countRequests(page, "/api/setup");
  await page.goto("/setup");
  const statusUrl = page.getByRole("listitem").filter({ hasText: "Message Status" });
  await expect(statusUrl).toContainText(`${server.url}/webhooks/message-status`);

  const id = await send("status", statusBody());
  const { body } = await getJson<{ events: EventJson[] }>(server.url, `/api/events?after=${id - 1}&limit=1`);
  expect(body.events[0]?.id).toBe(id);
  await expect(statusUrl.locator("time")).toHaveAttribute("datetime", body.events[0]!.receivedAt, { timeout: 3_000 });
  await expect(statusUrl).toContainText("stored (200)");

  const settled = reads.count;
  await page.waitForTimeout(6_000);
  expect(reads.count).toBe(settled);
});

test("after a dropped connection the rejections view reads what it missed, once", async ({ page, context, server }) => {
  const catchUps: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/api/rejections" && url.searchParams.has("after")) catchUps.push(url.search);
  });
  await page.goto("/rejections");
  // The first connection's read, which covers the time between the snapshot and the join.
  await expect.poll(() => catchUps.length).toBe(1);

  await context.setOffline(true);
  await page.waitForTimeout(1_000);
  const uuid = randomUUID();
  expect((await postWebhook(server.url, "status", statusBody({ message_uuid: uuid }), { unsigned: true })).status).toBe(503);
  await page.waitForTimeout(1_000);
  await context.setOffline(false);

  const items = page.getByRole("list", { name: "Rejected deliveries, newest first" }).getByRole("listitem");
  await expect(items.filter({ hasText: uuid })).toHaveCount(1, { timeout: 30_000 });
  expect(catchUps).toHaveLength(2);
});
