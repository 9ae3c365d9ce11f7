import fs from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests drive the real server (started per test file by e2e/fixtures.ts) in a real
 * Chromium. Playwright cannot download its own browsers on our machines, so Debian's
 * Chromium is used when present; elsewhere, set CHROMIUM_PATH or let
 * Playwright use its own.
 */
const executablePath = process.env.CHROMIUM_PATH ?? (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  // Every data folder the run makes, removed at its end.
  globalSetup: "./test/support/temp-root.ts",
  // One server per file, on a 2-core machine: one file at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: process.env.CI ? "line" : "list",
  use: {
    ...devices["Desktop Chrome"],
    trace: "retain-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
