import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { expect, test } from "@/e2e/fixtures";
import { statusBody } from "@/test/support/http";

/** The Export control downloads exactly what the filters select, named for what it is. */

test("Export downloads the filtered view, in the chosen format, masked when asked", async ({ page, send }) => {
  const tag = `export-${randomUUID()}`;
  for (let i = 0; i < 8; i++) {
    await send("status", statusBody({ client_ref: tag, status: i % 2 ? "delivered" : "rejected", to: `44770090${String(1000 + i)}` }));
  }
  await page.goto(`/?client_ref=${tag}&status=delivered`);
  await expect(page.getByText("4 events matching the filters")).toBeVisible();

  await page.getByRole("button", { name: "Export" }).click();
  const dialog = page.getByRole("dialog", { name: "Export events" });
  await expect(dialog).toContainText("Every event matching the current filters");
  await expect(dialog).toContainText("Not masked");
  const [csvDownload] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download CSV" }).click()]);
  expect(csvDownload.suggestedFilename()).toMatch(/^vonage-events-\d{4}-\d{2}-\d{2}T\d{4}Z\.csv$/);
  const rows = parse<Record<string, string>>(fs.readFileSync(await csvDownload.path(), "utf8"), { columns: true });
  expect(rows).toHaveLength(4);
  for (const row of rows) expect(row).toMatchObject({ clientRef: tag, status: "delivered" });
  expect(rows.map((r) => r.to)).toContain("447700901001");
  await expect(dialog).toContainText(`Downloaded ${csvDownload.suggestedFilename()}: 4 events`);

  await dialog.getByRole("radio", { name: /^NDJSON/ }).check();
  await dialog.getByLabel("Mask phone numbers").check();
  await expect(dialog).toContainText("Masked: numbers keep their country code and last three digits");
  const [ndjsonDownload] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: "Download NDJSON (masked)" }).click(),
  ]);
  expect(ndjsonDownload.suggestedFilename()).toMatch(/^vonage-events-masked-\d{4}-\d{2}-\d{2}T\d{4}Z\.ndjson$/);
  const lines = fs
    .readFileSync(await ndjsonDownload.path(), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { to: string; payload: { to: string } });
  expect(lines).toHaveLength(4);
  for (const line of lines) {
    expect(line.to).toMatch(/^44\*{7}\d{3}$/);
    expect(line.payload.to).toBe(line.to);
  }

  // Unmasked JSON is written from lines SQLite builds (lib/events/sql.ts): the same events, whole.
  await dialog.getByRole("radio", { name: /^JSON/ }).check();
  await dialog.getByLabel("Mask phone numbers").uncheck();
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download JSON" }).click()]);
  expect(jsonDownload.suggestedFilename()).toMatch(/^vonage-events-\d{4}-\d{2}-\d{2}T\d{4}Z\.json$/);
  type Exported = {
    id: number;
    clientRef: string;
    status: string;
    to: string;
    receivedAt: string;
    payload: { to: string; client_ref: string };
  };
  const events = JSON.parse(fs.readFileSync(await jsonDownload.path(), "utf8")) as Exported[];
  expect(events.map((e) => e.to).sort()).toEqual(["447700901001", "447700901003", "447700901005", "447700901007"]);
  for (const event of events) {
    expect(event).toMatchObject({ clientRef: tag, status: "delivered", payload: { to: event.to, client_ref: tag } });
    expect(event.receivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  }
  expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => b - a));
});

test("the rejections log exports the same way", async ({ page, server }) => {
  await fetch(`${server.url}/webhooks/message-status`, { method: "POST", body: statusBody() });
  await page.goto("/rejections");
  await page.getByRole("button", { name: "Export" }).click();
  const dialog = page.getByRole("dialog", { name: "Export rejections" });
  await dialog.getByRole("radio", { name: /^JSON/ }).check();
  const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download JSON" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^vonage-rejections-\d{4}-\d{2}-\d{2}T\d{4}Z\.json$/);
  const rejections = JSON.parse(fs.readFileSync(await download.path(), "utf8")) as { reason: string }[];
  expect(rejections.map((r) => r.reason)).toContain("missing_token");
});
