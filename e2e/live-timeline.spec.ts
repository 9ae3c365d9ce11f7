import { randomUUID } from "node:crypto";
import { expect, forbidDialogs, test, timelineItems } from "@/e2e/fixtures";
import { inboundBody, statusBody } from "@/test/support/http";
import { dlrParams, inboundSmsParams, sendSms } from "@/test/support/sms";
import { messagesFixtures } from "@/test/support/vonage";

/** The live timeline, its rendering, filters and the message lifecycle, in a real browser. */

test.beforeEach(async ({ page }) => {
  forbidDialogs(page);
});

test("a signed webhook appears in an open page without reload", async ({ page, send }) => {
  await page.goto("/");
  await expect(page.getByRole("status")).toHaveText("Live");
  const uuid = randomUUID();
  await send("status", statusBody({ message_uuid: uuid, status: "delivered", channel: "whatsapp" }));
  const item = timelineItems(page).filter({ hasText: uuid });
  await expect(item).toHaveCount(1);
  await expect(item).toContainText("delivered");
  await expect(item).toContainText("whatsapp");
});

test("both kinds and every channel render, and inbound text is shown as text", async ({ page, send }) => {
  await page.setViewportSize({ width: 1280, height: 4000 });
  await page.goto("/");
  await expect(page.getByRole("status")).toHaveText("Live");

  const sent: { uuid: string; label: string; media?: string }[] = [];
  for (const fixture of messagesFixtures()) {
    const uuid = randomUUID();
    const body: Record<string, unknown> = { ...(JSON.parse(fixture.body) as Record<string, unknown>), message_uuid: uuid };
    await send(fixture.kind, JSON.stringify(body));
    const type = body.message_type as string | undefined;
    const status = body.status as string | undefined;
    const media = fixture.kind === "inbound" && type === "image" ? (body.image as { url: string }).url : undefined;
    sent.push({ uuid, label: status ?? type ?? "text", media });
  }
  const rcs = randomUUID();
  await send("status", statusBody({ message_uuid: rcs, channel: "rcs", status: "read" }));
  sent.push({ uuid: rcs, label: "read" });
  const xss = randomUUID();
  const attack = "<img src=x onerror=alert(1)><script>alert(2)</script>";
  await send("inbound", inboundBody({ message_uuid: xss, text: attack }));

  for (const { uuid, label, media } of sent) {
    const item = timelineItems(page).filter({ hasText: uuid });
    await expect(item).toHaveCount(1);
    await expect(item).toContainText(label);
    if (media) await expect(item.getByRole("link", { name: "open image" })).toHaveAttribute("href", media);
  }
  expect(sent.filter((s) => s.media).length).toBeGreaterThan(0);
  const xssItem = timelineItems(page).filter({ hasText: xss });
  await expect(xssItem).toContainText(attack);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(xssItem.locator("script")).toHaveCount(0);
  // Media links are links, never loaded by the page.
  await expect(page.locator('img[src^="https://"], video[src], audio[src]')).toHaveCount(0);
});

test("the message ID filter narrows history and live events, and round-trips through the URL", async ({ page, send }) => {
  const wanted = randomUUID();
  await send("status", statusBody({ message_uuid: wanted, status: "submitted" }));
  await send("status", statusBody({ status: "submitted" }));

  await page.goto("/");
  await expect(page.getByRole("status")).toHaveText("Live");
  await page.getByLabel("Message ID").fill(`  ${wanted}  `);
  await expect(page).toHaveURL(new RegExp(`message_id=${wanted}$`));
  await expect(timelineItems(page)).toHaveCount(1);
  await expect(timelineItems(page).first()).toContainText(wanted);

  await expect(page.getByRole("status")).toHaveText("Live");
  await send("status", statusBody({ status: "delivered" }));
  await send("status", statusBody({ message_uuid: wanted, status: "delivered" }));
  await expect(timelineItems(page)).toHaveCount(2);
  await expect(timelineItems(page).first()).toContainText("delivered");
  for (const text of await timelineItems(page).allInnerTexts()) expect(text).toContain(wanted);

  await page.reload();
  await expect(page.getByLabel("Message ID")).toHaveValue(wanted);
  await expect(timelineItems(page)).toHaveCount(2);
});

test("the lifecycle view orders out-of-order statuses by Vonage's time", async ({ page, send }) => {
  const uuid = randomUUID();
  await send("status", statusBody({ message_uuid: uuid, status: "read", timestamp: "2026-11-27T10:03:00Z", usage: undefined }));
  await send("status", statusBody({ message_uuid: uuid, status: "submitted", timestamp: "2026-11-27T10:00:00Z", usage: undefined }));
  await send(
    "status",
    statusBody({
      message_uuid: uuid,
      status: "delivered",
      timestamp: "2026-11-27T10:00:02.1Z",
      usage: { price: "0.0147", currency: "EUR" },
    }),
  );

  await page.goto(`/?message_id=${uuid}`);
  await timelineItems(page).filter({ hasText: "read" }).click();
  await expect(page).toHaveURL(new RegExp(`/messages/${uuid}$`));
  const steps = page.getByRole("list", { name: "Lifecycle steps" }).getByRole("listitem");
  await expect(steps).toHaveCount(3);
  const order = await steps.evaluateAll((items) => items.map((li) => li.querySelector("span")?.textContent));
  expect(order).toEqual(["submitted", "delivered", "read"]);
  await expect(steps.nth(1)).toContainText("+2.1 s");
  await expect(steps.nth(2)).toContainText("+2 min 58 s");
  await expect(page.getByText("they arrived in a different order")).toBeVisible();
  await expect(page.getByRole("definition").filter({ hasText: "0.0147 EUR" })).toBeVisible();

  // A status that arrives while the view is open joins it in place.
  await expect(page.getByRole("status")).toHaveText("Live");
  await send("status", statusBody({ message_uuid: uuid, status: "rejected", timestamp: "2026-11-27T10:01:00Z" }));
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(2)).toContainText("rejected");
  await expect(page.getByText("conflicting reports")).toBeVisible();
});

test("SMS API delivery receipts and inbound SMS appear live, with multi-part messages put together", async ({ page, server }) => {
  const tag = `sms-${randomUUID()}`;
  await page.goto("/?kind=sms-dlr");
  await expect(page.getByRole("status")).toHaveText("Live");
  const receipt = dlrParams({ status: "failed", "err-code": "6", "client-ref": tag });
  expect((await sendSms(server.url, "sms-dlr", receipt, "form")).status).toBe(200);
  const row = timelineItems(page).filter({ hasText: receipt.messageId! });
  await expect(row).toContainText("failed");
  await expect(row).toContainText("DLR");
  await expect(row).toContainText("Anti-Spam Rejection");

  await page.goto("/?kind=sms-inbound");
  await expect(page.getByRole("status")).toHaveText("Live");
  const parts = ["Part one, ", "part two."];
  const ids: string[] = [];
  for (const n of [2, 1]) {
    const params = inboundSmsParams({
      concat: "true",
      "concat-ref": "9",
      "concat-total": "2",
      "concat-part": String(n),
      text: parts[n - 1]!,
      msisdn: "447700900777",
    });
    ids[n] = params.messageId!;
    expect((await sendSms(server.url, "sms-inbound", params)).status).toBe(200);
  }
  await expect(timelineItems(page).filter({ hasText: ids[2]! })).toContainText("part 2/2");
  await expect(timelineItems(page).filter({ hasText: ids[1]! })).toContainText("SMS API");

  await timelineItems(page).filter({ hasText: ids[1]! }).getByRole("link", { name: ids[1]! }).click();
  const group = page.getByRole("region", { name: "Multi-part message" });
  await expect(group).toContainText("complete");
  await expect(group).toContainText("Part one, part two.");
});
