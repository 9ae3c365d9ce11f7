import fs from "node:fs";

/**
 * The Chromium every browser run uses (the e2e tests, the README's screenshots, the benchmark's
 * browser part). Playwright cannot download its own browsers on our machines, so Debian's
 * Chromium is used when present; elsewhere, set CHROMIUM_PATH or let Playwright use its own.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

/** Headless flags: without the networking ones, Chromium keeps trying hosts this machine cannot reach. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
