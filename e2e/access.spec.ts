import { randomUUID } from "node:crypto";
import { test as base } from "@playwright/test";
import { io } from "socket.io-client";
import { expect, timelineItems } from "@/e2e/fixtures";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { postWebhook, statusBody } from "@/test/support/http";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/** Logging in and out in a real browser, with a password and with the one-click URL. */

const PASSWORD = "correct horse battery staple";
const test = base.extend<object, { secured: RunningServer }>({
  secured: [
    async ({}, use) => {
      const server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, DASHBOARD_PASSWORD: PASSWORD } });
      await use(server);
      await server.stop();
    },
    { scope: "worker", timeout: 90_000 },
  ],
});

test("log in, watch a live event arrive, log out, and the session's socket stops receiving", async ({ page, context, secured }) => {
  await page.goto(`${secured.url}/`);
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await expect(page.getByText(/Timeline/)).toHaveCount(0);

  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "did not work" })).toBeVisible();

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(`${secured.url}/`);
  await expect(page.getByRole("status")).toHaveText("Live");

  const uuid = randomUUID();
  expect((await postWebhook(secured.url, "status", statusBody({ message_uuid: uuid }))).status).toBe(200);
  await expect(timelineItems(page).filter({ hasText: uuid })).toHaveCount(1);

  // A second listener on the same session, to watch what happens to it at logout.
  const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)!;
  const socket = io(secured.url, {
    extraHeaders: { cookie: `${cookie.name}=${cookie.value}` },
    transports: ["websocket"],
    reconnection: false,
  });
  const heard: unknown[] = [];
  socket.on("events", (events: unknown[]) => heard.push(...events));
  await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
  const dropped = new Promise<void>((resolve) => socket.on("disconnect", () => resolve()));

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await dropped;
  expect((await postWebhook(secured.url, "status", statusBody())).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(heard).toEqual([]);
  socket.disconnect();

  await page.goto(`${secured.url}/rejections`);
  await expect(page).toHaveURL(/\/login\?next=%2Frejections$/);
});

test("the printed one-click URL logs in, then disappears from the address bar", async ({ page }) => {
  const server = await startServer();
  try {
    const url = server.loginUrl();
    expect(url).toMatch(/\/login\?token=/);
    await page.goto(url);
    await expect(page).toHaveURL(`${server.url}/`);
    expect(page.url()).not.toContain("token");
    await expect(page.getByText("No events yet")).toBeVisible();
    await page.reload();
    await expect(page).toHaveURL(`${server.url}/`);
  } finally {
    await server.stop();
  }
});
