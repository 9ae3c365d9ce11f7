import { randomUUID } from "node:crypto";
import { expect, test } from "@/e2e/fixtures";
import type { Page } from "@playwright/test";
import { inboundBody, statusBody } from "@/test/support/http";

/** The messages view (each message's state, overdue first) and what the lifecycle says of a message. */

/** Vonage times, measured back from one moment so that the gaps between them are exact. */
function clock(): (ms: number) => string {
  const now = Date.now();
  return (ms) => new Date(now - ms).toISOString();
}
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const listed = (page: Page, name: string) => page.getByRole("list", { name }).getByRole("listitem");

test("messages are listed by state, overdue first, filtered in the URL, each opening its lifecycle", async ({ page, send }) => {
  const tag = `msgs-${randomUUID()}`;
  const ago = clock();
  const [overdue, delivered, failed] = [randomUUID(), randomUUID(), randomUUID()];
  // Only submitted, two hours ago: past SMS's overdue threshold. Sent first, so the oldest of the three.
  await send("status", statusBody({ message_uuid: overdue, client_ref: tag, status: "submitted", timestamp: ago(2 * HOUR) }));
  await send("status", statusBody({ message_uuid: delivered, client_ref: tag, status: "submitted", timestamp: ago(10_000) }));
  await send("status", statusBody({ message_uuid: delivered, client_ref: tag, status: "delivered", timestamp: ago(6_000) }));
  await send("status", statusBody({ message_uuid: failed, client_ref: tag, status: "submitted", timestamp: ago(9_000) }));
  await send(
    "status",
    statusBody({ message_uuid: failed, client_ref: tag, status: "rejected", timestamp: ago(8_000), error: { title: "1340" } }),
  );

  await page.goto(`/messages?client_ref=${tag}`);
  // Overdue first: in its own group above the list, which is newest first.
  const overdueGroup = page.getByRole("region", { name: "Overdue messages", exact: true });
  await expect(overdueGroup.getByRole("listitem")).toHaveCount(1);
  await expect(overdueGroup.getByRole("listitem")).toContainText(overdue);
  await expect(overdueGroup.getByRole("listitem")).toContainText("overdue");
  await expect(page.getByRole("listitem").first()).toContainText(overdue);
  const all = listed(page, "All messages, newest first");
  await expect(all).toHaveCount(3);
  expect(await all.evaluateAll((items) => items.map((li) => li.querySelector("a")?.textContent))).toEqual([failed, delivered, overdue]);
  const failedRow = all.filter({ hasText: failed });
  await expect(failedRow).toContainText("failed");
  await expect(failedRow).toContainText("rejected");
  await expect(failedRow).toContainText("1340");
  await expect(failedRow).toContainText("2 events");
  await expect(failedRow).toContainText(tag);
  await expect(all.filter({ hasText: overdue })).toContainText(/2 h( \d+ min)? ago/);
  // A phone's width: the rows wrap, the page does not scroll sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await expect(all.first()).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 720 });

  await page.getByRole("group", { name: "State" }).getByRole("button", { name: "Overdue" }).click();
  await expect(page).toHaveURL(/state=overdue/);
  await expect(listed(page, "Overdue messages, newest first")).toHaveCount(1);
  await expect(listed(page, "Overdue messages, newest first")).toContainText(overdue);
  await expect(page.getByRole("region", { name: "Overdue messages", exact: true })).toHaveCount(0);

  await page.getByRole("group", { name: "State" }).getByRole("button", { name: "Failed" }).click();
  await expect(listed(page, "Failed messages, newest first")).toHaveCount(1);
  await page.reload();
  await expect(page.getByRole("button", { name: "Failed" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByLabel("Client ref")).toHaveValue(tag);
  await expect(listed(page, "Failed messages, newest first")).toHaveCount(1);
  await expect(listed(page, "Failed messages, newest first")).toContainText(failed);

  await page.getByRole("group", { name: "State" }).getByRole("button", { name: "Read" }).click();
  await expect(page.getByText("No messages match these filters.")).toBeVisible();

  await page.getByRole("group", { name: "State" }).getByRole("button", { name: "Delivered" }).click();
  await listed(page, "Delivered messages, newest first").getByRole("link", { name: delivered }).click();
  await expect(page).toHaveURL(new RegExp(`/messages/${delivered}$`));
  await expect(page.getByRole("definition").filter({ hasText: "submitted → delivered" })).toContainText("4.0 s");
});

test("the lifecycle shows the state, the total time, each event's lag and a retried delivery", async ({ page, send }) => {
  const uuid = randomUUID();
  const ago = clock();
  await send("status", statusBody({ message_uuid: uuid, status: "submitted", timestamp: ago(5 * MINUTE), usage: undefined }));
  const deliveredBody = statusBody({ message_uuid: uuid, status: "delivered", timestamp: ago(5 * MINUTE - 4_200) });
  await send("status", deliveredBody);
  // The same body again: Vonage retrying a webhook it got no 2xx for in time.
  await send("status", deliveredBody);

  await page.goto(`/messages/${uuid}`);
  const card = (label: string) => page.getByRole("term").filter({ hasText: label }).locator("xpath=following-sibling::dd");
  await expect(card("State")).toHaveText("delivered");
  await expect(card("Final status")).toHaveText("delivered");
  await expect(card("Total time")).toContainText("4.2 s");
  await expect(card("Total time")).toContainText("submitted → delivered");
  await expect(card("Cost")).toHaveText("0.0333 EUR");

  const steps = page.getByRole("list", { name: "Lifecycle steps" }).getByRole("listitem");
  await expect(steps).toHaveCount(2);
  // Vonage's time was five minutes ago: each event reached us about that much later.
  await expect(steps.nth(0)).toContainText(/received 5 min( \d+ s)? later/);
  await expect(steps.nth(1)).toContainText(/received 4 min \d+ s later/);
  await expect(steps.nth(1)).toContainText("received 2× (Vonage retried)");
  await expect(page.getByText(/delivered 2×/)).toHaveCount(0);
  await expect(steps.nth(0)).not.toContainText("Vonage retried");
});

test("an overdue message says so on its lifecycle", async ({ page, send }) => {
  const uuid = randomUUID();
  const ago = clock();
  await send("status", statusBody({ message_uuid: uuid, status: "submitted", timestamp: ago(2 * HOUR) }));
  await page.goto(`/messages/${uuid}`);
  await expect(page.getByRole("term").filter({ hasText: "State" }).locator("xpath=following-sibling::dd")).toHaveText("overdue");
  await expect(page.getByText(/Overdue: no final status 2 h after its first event/)).toBeVisible();
  await expect(page.getByRole("term").filter({ hasText: "Total time" }).locator("xpath=following-sibling::dd")).toHaveText(
    "no final status yet",
  );
});

test("an inbound message has no final status or cost", async ({ page, send }) => {
  const uuid = randomUUID();
  await send("inbound", inboundBody({ message_uuid: uuid, text: "Hi there" }));
  await page.goto(`/messages/${uuid}`);
  await expect(page.getByText("Hi there", { exact: true })).toBeVisible();
  await expect(page.getByRole("term").filter({ hasText: "Direction" })).toBeVisible();
  await expect(page.getByRole("term").filter({ hasText: "Channel" })).toBeVisible();
  for (const label of ["Final status", "Cost", "State", "Total time"])
    await expect(page.getByRole("term").filter({ hasText: label })).toHaveCount(0);
});

test("the messages of one failover workflow are shown together, each opening its lifecycle", async ({ page, send }) => {
  const workflow = { workflow_id: `wf-${randomUUID()}` };
  const [whatsapp, sms] = [randomUUID(), randomUUID()];
  await send("status", statusBody({ message_uuid: whatsapp, channel: "whatsapp", status: "rejected", error: { title: "1340" }, workflow }));
  await send("status", statusBody({ message_uuid: sms, channel: "sms", status: "delivered", workflow }));

  await page.goto(`/messages/${whatsapp}`);
  const group = page.getByRole("region", { name: "Failover workflow" });
  await expect(group).toContainText(workflow.workflow_id);
  const members = group.getByRole("listitem");
  await expect(members).toHaveCount(2);
  await expect(members.nth(0)).toContainText(`${whatsapp} (this message)`);
  await expect(members.nth(0)).toContainText("failed");
  await expect(members.nth(1)).toContainText("delivered");

  await members.nth(1).getByRole("link", { name: sms }).click();
  await expect(page).toHaveURL(new RegExp(`/messages/${sms}$`));
  await expect(group.getByRole("listitem").nth(1)).toContainText(`${sms} (this message)`);
  await expect(group.getByRole("link", { name: whatsapp })).toBeVisible();
});

test("older messages are paged in with Load more", async ({ page, send }) => {
  const tag = `paged-${randomUUID()}`;
  for (let i = 0; i < 53; i++) await send("status", statusBody({ client_ref: tag }));
  await page.goto(`/messages?client_ref=${tag}`);
  const rows = listed(page, "All messages, newest first");
  await expect(rows).toHaveCount(50);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).toHaveCount(53);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});
