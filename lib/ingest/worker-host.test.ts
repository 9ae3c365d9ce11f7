import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { migrate } from "@/lib/db/migrate";
import type { EventJson } from "@/lib/events/types";
import type { WireRequest } from "@/lib/ingest/channel";
import { IngestWorker } from "@/lib/ingest/worker-host";
import { statusBody } from "@/test/support/http";
import { ROOT } from "@/test/support/server";
import { signedHeaders, TEST_SECRET } from "@/test/support/vonage";
import { DUPLICATE_HEADER, EVENT_ID_HEADER } from "@/lib/webhooks/endpoints";

/** The ingest worker as server.ts uses it, on a real SQLite file: answers, ordering, and a crash. */

// The worker as `npm run build` compiles it (npm test builds before it runs vitest).
const WORKER_FILE = new URL("../../dist/ingest-worker.js", import.meta.url);
if (!fs.existsSync(WORKER_FILE)) throw new Error("dist/ingest-worker.js is missing: run `npm run build` first");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwc-ingest-"));
const env = { DATABASE_URL: `file:${path.join(dir, "events.db")}`, VONAGE_SIGNATURE_SECRET: TEST_SECRET };
const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
let ingest: IngestWorker;
const committed: EventJson[] = [];

beforeAll(async () => {
  await migrate(parseConfig(env), ROOT);
  // A worker starts with a copy of this process's environment.
  Object.assign(process.env, env);
  ingest = await IngestWorker.start(WORKER_FILE);
  ingest.sink = { events: (events) => committed.push(...events), rejections: () => undefined };
});
afterAll(async () => {
  await ingest?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function wire(body = statusBody()): Promise<WireRequest> {
  const headers = { ...(await signedHeaders(body)), "content-length": String(Buffer.byteLength(body)) };
  return {
    route: "status",
    method: "POST",
    url: "http://127.0.0.1/webhooks/message-status",
    headers: Object.entries(headers),
    body: { ok: true, bytes: new TextEncoder().encode(body) },
  };
}

const idOf = (answer: { headers: [string, string][] }) => Number(new Map(answer.headers).get(EVENT_ID_HEADER));

describe("ingest worker", () => {
  it("answers 200 after the commit, and publishes the event on this thread before the answer", async () => {
    const before = committed.length;
    const answer = await ingest.send(await wire());
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("");
    // The committed message is posted before the batch's answers, so it is already here.
    expect(committed.slice(before).map((e) => e.id)).toEqual([idOf(answer)]);
  });

  it("takes the answers that are in when the next request is sent, without waiting for the event loop", async () => {
    const [first, second] = await Promise.all([wire(), wire()]);
    let answer: { headers: [string, string][] } | undefined;
    void ingest.send(first).then((a) => (answer = a));
    await new Promise((resolve) => setImmediate(resolve)); // the request goes to the worker
    const before = committed.length;
    // This thread holds still, with no turn of its event loop, while the worker commits and answers.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
    expect(answer).toBeUndefined();
    const next = ingest.send(second);
    for (let i = 0; i < 5; i++) await Promise.resolve(); // microtasks only: still no turn of the loop
    expect(answer).toBeDefined();
    expect(committed.slice(before).map((e) => e.id)).toEqual([idOf(answer!)]);
    expect((await next).status).toBe(200);
  });

  it("answers a refusal with its reason", async () => {
    const request = await wire();
    request.headers = request.headers.filter(([name]) => name !== "authorization");
    const answer = await ingest.send(request);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ error: "missing_token" });
  });

  it("answers 503 for what a crashed worker had not answered, restarts it, and stores the retry once", async () => {
    const body = statusBody();
    const lost = ingest.send(await wire(body));
    await (ingest as unknown as { worker: Worker }).worker.terminate();
    const answer = await lost;
    expect(answer.status).toBe(503);
    expect(new Map(answer.headers).get("retry-after")).toBe("5");

    // Vonage retries (503 while the new worker starts): the new worker stores it, once.
    let retry = await ingest.send(await wire(body));
    for (let i = 0; retry.status === 503 && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      retry = await ingest.send(await wire(body));
    }
    expect(retry.status).toBe(200);
    const again = await ingest.send(await wire(body));
    expect(new Map(again.headers).get(DUPLICATE_HEADER)).toBe("true");
    expect(idOf(again)).toBe(idOf(retry));
  });
});
