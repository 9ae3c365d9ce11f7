import { randomUUID } from "node:crypto";
import { expect, test, timelineItems } from "@/e2e/fixtures";
import { postWebhook, statusBody } from "@/test/support/http";
import { makeDataDir, startServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";
import type { Page } from "@playwright/test";

/**
 * The real-time contract: whatever happens to the connection, the page ends with every
 * event exactly once, in order.
 */

/** Message IDs of the rendered timeline, top to bottom. */
async function renderedIds(page: Page): Promise<string[]> {
  return timelineItems(page).evaluateAll((items) =>
    items
      .sort((a, b) => Number((a as HTMLElement).dataset.index) - Number((b as HTMLElement).dataset.index))
      .map((li) => li.querySelector("[data-row-link]")?.textContent ?? ""),
  );
}

function batch(count: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({ uuid: randomUUID(), body: "", i, tag })).map((m) => ({
    ...m,
    body: statusBody({ message_uuid: m.uuid, client_ref: tag, status: "delivered" }),
  }));
}

async function expectExactly(page: Page, expectedOldestFirst: string[]) {
  await expect(timelineItems(page)).toHaveCount(expectedOldestFirst.length, { timeout: 30_000 });
  expect(await renderedIds(page)).toEqual([...expectedOldestFirst].reverse());
}

test.beforeEach(async ({ page }) => {
  // Tall enough that all rows of a batch are rendered by the virtualised list.
  await page.setViewportSize({ width: 1280, height: 4200 });
});

test("50 webhooks sent while the browser is offline arrive once each, in order", async ({ page, context, send }) => {
  const tag = `offline-${randomUUID()}`;
  await page.goto(`/?client_ref=${tag}`);
  await expect(page.getByRole("status")).toHaveText("Live");

  await context.setOffline(true);
  await expect(page.getByRole("status")).toHaveText("Reconnecting…", { timeout: 30_000 });
  const messages = batch(50, tag);
  for (const m of messages) await send("status", m.body);
  await context.setOffline(false);

  await expect(page.getByRole("status")).toHaveText("Live", { timeout: 30_000 });
  await expectExactly(
    page,
    messages.map((m) => m.uuid),
  );
});

test("events keep flowing, without gaps, across a server restart", async ({ page }) => {
  const dataDir = makeDataDir();
  const env = { VONAGE_SIGNATURE_SECRET: TEST_SECRET };
  let server = await startServer({ dataDir, env });
  const port = server.port;
  const tag = `restart-${randomUUID()}`;
  const messages = batch(50, tag);
  try {
    await page.goto(server.loginUrl());
    await page.goto(`${server.url}/?client_ref=${tag}`);
    await expect(page.getByRole("status")).toHaveText("Live");
    for (const m of messages.slice(0, 20)) expect((await postWebhook(server.url, "status", m.body)).status).toBe(200);

    await server.stop();
    await expect(page.getByRole("status")).toHaveText("Reconnecting…");
    server = await startServer({ dataDir, env, port });
    // Sent at once after the restart: some before the page has reconnected.
    for (const m of messages.slice(20)) expect((await postWebhook(server.url, "status", m.body)).status).toBe(200);

    await expect(page.getByRole("status")).toHaveText("Live", { timeout: 30_000 });
    await expectExactly(
      page,
      messages.map((m) => m.uuid),
    );
  } finally {
    await server.stop();
  }
});

test("a page reload in the middle of a stream shows everything once at the seam", async ({ page, server }) => {
  const tag = `reload-${randomUUID()}`;
  const messages = batch(60, tag);
  await page.goto(`/?client_ref=${tag}`);
  await expect(page.getByRole("status")).toHaveText("Live");

  const sending = (async () => {
    for (const m of messages) {
      expect((await postWebhook(server.url, "status", m.body)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  await expect(timelineItems(page).first()).toBeVisible();
  await page.reload();
  await sending;
  await expectExactly(
    page,
    messages.map((m) => m.uuid),
  );
});

test("an empty console shows how to connect Vonage, with both URLs", async ({ page }) => {
  const server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
  try {
    await page.goto(server.loginUrl());
    await expect(page.getByText("No events yet: connect your Vonage application")).toBeVisible();
    await expect(page.getByText(`${server.url}/webhooks/inbound-message`)).toBeVisible();
    await expect(page.getByText(`${server.url}/webhooks/message-status`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Copy the Inbound Message URL" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Copy the Message Status URL" })).toBeVisible();
    await expect(page.getByText("Messages API signature verification is on")).toBeVisible();
    await expect(page.getByText("No call received yet.")).toHaveCount(4);
    await expect(page.getByText("Account-level SMS settings")).toBeVisible();
    await expect(page.getByText(`${server.url}/webhooks/inbound-sms`)).toBeVisible();
    await expect(page.getByText(`${server.url}/webhooks/delivery-receipt`)).toBeVisible();

    // The first call shows up in the setup help, and the first event replaces it with the timeline.
    expect((await postWebhook(server.url, "status", statusBody(), { unsigned: true })).status).toBe(503);
    await expect(page.getByText(/refused \(503 missing_token\)/)).toBeVisible({ timeout: 10_000 });
    const uuid = randomUUID();
    expect((await postWebhook(server.url, "status", statusBody({ message_uuid: uuid }))).status).toBe(200);
    await expect(timelineItems(page).filter({ hasText: uuid })).toHaveCount(1);
  } finally {
    await server.stop();
  }
});
