import { test as base, expect, type Page } from "@playwright/test";
import { ackOf, postWebhook, type PostOptions } from "@/test/support/http";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/**
 * `server`: a real console for the test file (its own SQLite file, signatures checked).
 * `send`: posts a signed webhook to it, like Vonage. Pages use the server as baseURL.
 */
export const test = base.extend<
  { send: (kind: "status" | "inbound", body: string, options?: PostOptions) => Promise<number> },
  { server: RunningServer }
>({
  server: [
    async ({}, use) => {
      const server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 90_000 },
  ],
  baseURL: async ({ server }, use) => use(server.url),
  // Every page starts logged in, through the one-click URL the server printed.
  page: async ({ page, server }, use) => {
    await page.goto(server.loginUrl());
    await use(page);
  },
  send: async ({ server }, use) => {
    await use(async (kind, body, options) => {
      const response = await postWebhook(server.url, kind, body, options);
      expect(response.status, await response.clone().text()).toBe(200);
      return ackOf(response).id;
    });
  },
});

export { expect };

/** Fails the test if the page ever opens a dialog (alert, confirm, prompt). */
export function forbidDialogs(page: Page): void {
  page.on("dialog", (dialog) => {
    void dialog.dismiss();
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
}

/** The timeline's entries, newest first. */
export const timelineItems = (page: Page) => page.getByRole("list", { name: "Events, newest first" }).getByRole("listitem");
