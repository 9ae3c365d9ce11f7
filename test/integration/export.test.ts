import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventJson, RejectionJson } from "@/lib/events/types";
import { unneutralize } from "@/lib/export/csv";
import { EVENT_CSV_COLUMNS, REJECTION_CSV_COLUMNS } from "@/lib/events/columns";
import { apiAuth, getJson, inboundBody, listAllEvents, postWebhook, statusBody } from "@/test/support/http";
import { seedEventsInChild } from "@/test/support/seed";
import { onPostgres } from "@/test/support/postgres";
import { startServer, type RunningServer } from "@/test/support/server";
import { TEST_SECRET } from "@/test/support/vonage";

/** Exports: exactly what the filters select, in three formats, streamed. */

let server: RunningServer;
const TRICKY = [
  'Café ☕ — "quoted", with commas, and\nnew lines\r\nand emoji 🎉',
  '=HYPERLINK("http://evil.example","click")',
  "+44 call me",
  "-1+2",
  "@SUM(A1:A2)",
  "\tstarts with a tab",
  "'starts with a quote",
];

beforeAll(async () => {
  server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
  for (const text of TRICKY) {
    expect((await postWebhook(server.url, "inbound", inboundBody({ text, from: "447700900123", client_ref: "tricky" }))).status).toBe(200);
  }
  for (let i = 0; i < 12; i++) {
    expect(
      (
        await postWebhook(
          server.url,
          "status",
          statusBody({ status: i % 4 ? "delivered" : "rejected", to: `1415555${String(i).padStart(4, "0")}` }),
        )
      ).status,
    ).toBe(200);
  }
  await postWebhook(server.url, "status", statusBody({ to: "447700900999" }), { secret: "wrong-secret-0000000000" });
  await postWebhook(server.url, "status", `{"msisdn":"447700900888","text":"=cmd"}`, { unsigned: true });
});
afterAll(async () => {
  await server?.stop();
});

async function exportOf(path: string): Promise<{ response: Response; text: string }> {
  const response = await fetch(`${server.url}${path}`, { headers: apiAuth });
  return { response, text: await response.text() };
}

function csvRecords(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { columns: true }).map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, unneutralize(v)])),
  );
}

/** The CSV row an event should become (after reading the neutralisation back). */
function expectedCsv(e: EventJson): Record<string, string> {
  const s = (v: string | number | boolean | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    id: s(e.id),
    receivedAt: s(e.receivedAt),
    timestamp: s(e.timestamp),
    kind: s(e.kind),
    channel: s(e.channel),
    messageUuid: s(e.messageUuid),
    status: s(e.status),
    messageType: s(e.messageType),
    from: s(e.from),
    to: s(e.to),
    clientRef: s(e.clientRef),
    errorCode: s(e.error?.code),
    errorTitle: s(e.error?.title),
    price: s(e.price),
    currency: s(e.currency),
    verification: s(e.verification),
    duplicates: s(e.duplicates),
    text: s(e.text),
    payload: JSON.stringify(e.payload),
  };
}

describe.each(["", "kind=inbound", "client_ref=tricky", "status=rejected&channel=sms"])("GET /api/events/export?%s", (filter) => {
  let expected: EventJson[];
  beforeAll(async () => {
    expected = await listAllEvents(server.url, filter);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("NDJSON is the API's JSON, one event per line", async () => {
    const { response, text } = await exportOf(`/api/events/export?format=ndjson&${filter}`);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((line) => JSON.parse(line) as EventJson)).toEqual(expected);
  });

  it("JSON is one array of the API's JSON", async () => {
    const { response, text } = await exportOf(`/api/events/export?format=json&${filter}`);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(JSON.parse(text)).toEqual(expected);
  });

  it("CSV has the documented columns and reads back to the same values", async () => {
    const { response, text } = await exportOf(`/api/events/export?format=csv&${filter}`);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(text.split("\r\n")[0]).toBe(EVENT_CSV_COLUMNS.join(","));
    expect(csvRecords(text)).toEqual(expected.map(expectedCsv));
  });
});

describe("events export", () => {
  it("names the file for what it is and when, as an attachment", async () => {
    const { response } = await exportOf("/api/events/export?format=csv");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="vonage-events-\d{4}-\d{2}-\d{2}T\d{4}Z\.csv"$/);
    expect(response.headers.get("x-export-rows")).toBe(String((await listAllEvents(server.url)).length));
    const masked = await exportOf("/api/events/export?format=ndjson&mask=1");
    expect(masked.response.headers.get("content-disposition")).toMatch(/filename="vonage-events-masked-.*\.ndjson"/);
  });

  it("neutralises spreadsheet formulas in every CSV cell", async () => {
    const { text } = await exportOf("/api/events/export?format=csv&client_ref=tricky");
    const cells = parse(text).flat();
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(cells).toContain(`'${TRICKY[1]}`);
    expect(cells).toContain("'+44 call me");
  });

  it("an empty result is a valid file in each format", async () => {
    const none = `message_id=${randomUUID()}`;
    expect((await exportOf(`/api/events/export?format=csv&${none}`)).text).toBe(`${EVENT_CSV_COLUMNS.join(",")}\r\n`);
    expect(JSON.parse((await exportOf(`/api/events/export?format=json&${none}`)).text)).toEqual([]);
    expect((await exportOf(`/api/events/export?format=ndjson&${none}`)).text).toBe("");
  });

  it.each([
    ["format=xml", "format"],
    ["format=csv&since=last-tuesday", "since"],
    ["format=csv&colour=red", "unknown parameter"],
    ["format=csv&mask=maybe", "mask"],
    ["format=csv&limit=10", "unknown parameter"],
  ])("answers 400 with a message, before streaming anything, for %s", async (query, message) => {
    const { response, text } = await exportOf(`/api/events/export?${query}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-disposition")).toBeNull();
    expect(JSON.parse(text)).toMatchObject({ error: "bad_request", detail: expect.stringContaining(message) });
  });

  it("masks phone numbers in the columns and inside the payload", async () => {
    for (const format of ["ndjson", "csv", "json"]) {
      const { response, text } = await exportOf(`/api/events/export?format=${format}&mask=1`);
      expect(response.headers.get("x-export-masked")).toBe("1");
      expect(text).not.toMatch(/4477009\d{5}|1415555\d{4}/);
      expect(text).toContain("44*******123");
    }
    const rows = csvRecords((await exportOf("/api/events/export?format=csv&mask=1&client_ref=tricky")).text);
    expect(rows[0]).toMatchObject({ from: "44*******123" });
    expect(JSON.parse(rows[0]!.payload!)).toMatchObject({ from: "44*******123", to: "44*******000" });
  });
});

describe("rejections export", () => {
  it("exports the rejections log in each format, filtered like the API", async () => {
    const { body } = await getJson<{ rejections: RejectionJson[] }>(server.url, "/api/rejections");
    const ndjson = (await exportOf("/api/rejections/export?format=ndjson")).text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RejectionJson);
    expect(ndjson).toEqual(body.rejections);
    expect(JSON.parse((await exportOf("/api/rejections/export?format=json&reason=bad_signature")).text)).toEqual(
      body.rejections.filter((r) => r.reason === "bad_signature"),
    );
    const { response, text } = await exportOf("/api/rejections/export?format=csv");
    expect(response.headers.get("content-disposition")).toMatch(/filename="vonage-rejections-\d{4}-\d{2}-\d{2}T\d{4}Z\.csv"/);
    expect(text.split("\r\n")[0]).toBe(REJECTION_CSV_COLUMNS.join(","));
    const rows = csvRecords(text);
    expect(rows.map((r) => r.reason)).toEqual(body.rejections.map((r) => r.reason));
    expect(rows.find((r) => r.reason === "missing_token")!.body).toBe(`{"msisdn":"447700900888","text":"=cmd"}`);
  });

  it("masks numbers in refused bodies", async () => {
    const { text } = await exportOf("/api/rejections/export?format=ndjson&mask=1");
    expect(text).not.toContain("447700900888");
    expect(text).toContain("44*******888");
  });
});

describe("large exports", () => {
  const SEEDED = 200_000;
  beforeAll(() => seedEventsInChild(server.env.DATABASE_URL!, { count: SEEDED, tag: "bulk" }), 120_000);

  function rssKb(): number {
    const status = fs.readFileSync(`/proc/${server.pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
  }

  it("streams 200,000 events with flat memory, the first byte leaving before the database is read to the end", async () => {
    // Warm up the route, so its one-time loading does not count as growth.
    await exportOf("/api/events/export?format=ndjson&client_ref=tricky");
    const before = rssKb();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb())), 25);
    try {
      const response = await fetch(`${server.url}/api/events/export?format=ndjson`, { headers: apiAuth });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      // The server logs when it has read the last page; at the first byte it has not.
      expect(server.output()).not.toMatch(/\[export\] events ndjson: done after \d+ of 2000\d\d rows/);
      let lines = 0;
      for (let chunk = first; !chunk.done; chunk = await reader.read()) {
        for (let i = chunk.value.indexOf(10); i !== -1; i = chunk.value.indexOf(10, i + 1)) lines++;
      }
      expect(lines).toBeGreaterThanOrEqual(SEEDED);
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - before) / 1024;
    console.log(
      `export of ${SEEDED} events: server RSS ${Math.round(before / 1024)} MB → peak ${Math.round(peak / 1024)} MB (+${growthMb.toFixed(1)} MB)`,
    );
    // On PostgreSQL, node-postgres parses a page's rows across several turns of the event
    // loop, so they outlive a young-generation GC and V8 lets the old generation grow by
    // 40–200 MB before collecting it (measured; it is reclaimed, not leaked). The bound is
    // asserted on SQLite, the default store; docs/performance-log.md has the PostgreSQL figures.
    if (!onPostgres) expect(growthMb).toBeLessThan(50);
    await expect.poll(() => server.output()).toMatch(/\[export\] events ndjson: done after 2000\d\d of 2000\d\d rows/);
  }, 120_000);

  it("answers webhooks while an export streams, and counts only what was stored when it started", async () => {
    const before = (await listAllEvents(server.url, "client_ref=during-export")).length;
    const response = await fetch(`${server.url}/api/events/export?format=ndjson`, { headers: apiAuth });
    const announced = Number(response.headers.get("x-export-rows"));
    const reader = response.body!.getReader();
    let lines = 0;
    const count = (bytes: Uint8Array) => {
      for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
    };
    count((await reader.read()).value!);
    // Five webhooks, one after the other, while this client reads as fast as it can. They must
    // all be answered while most of the export is still to come: an export once held every
    // answer until its last row.
    let linesAtLastAnswer = NaN;
    const webhooks = (async () => {
      for (let i = 0; i < 5; i++)
        expect((await postWebhook(server.url, "status", statusBody({ client_ref: "during-export" }))).status).toBe(200);
      linesAtLastAnswer = lines;
    })();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) count(chunk.value);
    await webhooks;
    expect(linesAtLastAnswer).toBeLessThan(announced / 2);
    expect(lines).toBe(announced);
    expect((await listAllEvents(server.url, "client_ref=during-export")).length).toBe(before + 5);
  }, 120_000);

  it("stops the work on the server when the client goes away", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/events/export?format=csv`, { headers: apiAuth, signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect
      .poll(() => server.output(), { timeout: 10_000 })
      .toMatch(/\[export\] events csv: cancelled by the client after \d+ of \d+ rows/);
    const [, done, total] = /cancelled by the client after (\d+) of (\d+) rows/.exec(server.output())!;
    expect(Number(done)).toBeLessThan(Number(total));
  }, 60_000);
});
