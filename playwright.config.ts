import { defineConfig, devices } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumPath } from "./test/support/chromium";

/**
 * Browser tests drive the real server (started per test file by e2e/fixtures.ts) in a real
 * Chromium (test/support/chromium.ts says which).
 */

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
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
    },
  },
});
