/**
 * Screenshots of the main views, in the light and dark themes, for the README:
 *   npm run screenshots        (needs a build: npm run build)
 * Starts its own console on a scratch database and fills it with the demo webhooks.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import type { EventJson } from "@/lib/events/types";
import { CHROMIUM_ARGS, chromiumPath } from "@/test/support/chromium";
import { getJson, postWebhook, statusBody } from "@/test/support/http";
import { ROOT, startServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

const OUT = path.join(ROOT, "docs/screenshots");

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const empty = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, PUBLIC_URL: "https://console.example.com" } });
  const server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const demo = spawnSync(process.execPath, ["--import", "tsx", "scripts/demo.ts", server.url], {
      cwd: ROOT,
      env: { ...process.env, VONAGE_SIGNATURE_SECRET: TEST_SECRET },
      encoding: "utf8",
    });
    if (demo.status !== 0) throw new Error(demo.stderr);
    await postWebhook(server.url, "status", statusBody(), { secret: "a-wrong-secret-0000000000" });
    await postWebhook(server.url, "status", statusBody(), { iatOffset: -200_000 });
    await postWebhook(server.url, "inbound", statusBody(), { unsigned: true });
    const { body } = await getJson<{ events: EventJson[] }>(server.url, "/api/events?status=read&channel=whatsapp&limit=1");
    const lifecycle = body.events[0]!.messageUuid!;

    const views: [string, string][] = [
      ["timeline", `${server.url}/`],
      ["timeline-filtered", `${server.url}/?status=rejected`],
      ["lifecycle", `${server.url}/messages/${lifecycle}`],
      ["rejections", `${server.url}/rejections`],
      ["setup", `${empty.url.replace("127.0.0.1", "localhost")}/`],
    ];
    for (const scheme of ["light", "dark"] as const) {
      const page = await browser.newPage({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      // Cookies are per host, not per port: reach the empty console as "localhost".
      await page.goto(empty.loginUrl().replace("127.0.0.1", "localhost"));
      await page.goto(server.loginUrl());
      for (const [name, url] of views) {
        await page.goto(url);
        await page.waitForTimeout(1200);
        await page.screenshot({ path: path.join(OUT, `${name}-${scheme}.png`) });
      }
      await page.close();
    }
    const phone = await browser.newPage({ colorScheme: "light", viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(server.loginUrl());
    await phone.goto(`${server.url}/`);
    await phone.waitForTimeout(1200);
    await phone.screenshot({ path: path.join(OUT, "timeline-phone.png") });
    console.log(`Screenshots written to ${path.relative(ROOT, OUT)}/`);
  } finally {
    await browser.close();
    await server.stop();
    await empty.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
