import { execFile } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * Fills a console's SQLite file directly with realistic stored events, far faster than
 * posting webhooks: for tests and benchmarks that need hundreds of thousands of rows.
 * The rows are what the console itself would have stored for those bodies.
 */

const CHANNELS = ["sms", "whatsapp", "mms", "viber_service", "messenger", "rcs"];
const STATUSES = ["submitted", "delivered", "read", "rejected", "undeliverable"];

export interface SeedOptions {
  /** How many events to add. */
  count: number;
  /** Added to every client_ref, to find the seeded rows again. */
  tag?: string;
  /** Events per message_uuid (a lifecycle of several statuses). */
  perMessage?: number;
}

export function seedEvents(databaseFile: string, { count, tag = "seed", perMessage = 3 }: SeedOptions): void {
  const db = new Database(databaseFile, { timeout: 10_000 });
  const insert = db.prepare(`INSERT INTO "events" ("kind", "dedupe_key", "message_uuid", "status", "channel", "message_type",
    "from_number", "to_number", "client_ref", "error_code", "error_title", "error_detail", "price", "currency", "timestamp",
    "received_at", "verification", "hash_form", "api_key", "application_id", "text", "raw_body", "headers", "duplicates")
    VALUES (@kind, @dedupe, @uuid, @status, @channel, NULL, @from, @to, @clientRef, @errorCode, @errorTitle, @errorDetail,
    @price, 'EUR', @timestamp, @receivedAt, 'verified', 'raw', 'a1b2c3d', NULL, NULL, @raw, @headers, 0)`);
  const headers = JSON.stringify({ "content-type": "application/json", "user-agent": "Vonage/MessagingHUB/v1.0", authorization: "Bearer [redacted]" });
  const start = Date.now() - count * 10;
  const fill = db.transaction(() => {
    let uuid = randomUUID();
    for (let i = 0; i < count; i++) {
      if (i % perMessage === 0) uuid = randomUUID();
      const status = STATUSES[i % STATUSES.length]!;
      const channel = CHANNELS[i % CHANNELS.length]!;
      const failed = status === "rejected" || status === "undeliverable";
      const timestamp = new Date(start + i * 10).toISOString();
      const body = {
        message_uuid: uuid,
        to: `4477009${String(i % 100000).padStart(5, "0")}`,
        from: "447700900000",
        timestamp,
        status,
        channel,
        client_ref: `${tag}-${i}`,
        usage: { currency: "EUR", price: "0.0333" },
        ...(failed ? { error: { type: "https://developer.vonage.com/api-errors/messages#1340", title: "1340", detail: "Outside of the allowed window" } } : {}),
      };
      const raw = JSON.stringify(body);
      insert.run({
        kind: "status",
        dedupe: createHash("sha256").update(`status\n${raw}`).digest("hex"),
        uuid,
        status,
        channel,
        from: body.from,
        to: body.to,
        clientRef: body.client_ref,
        errorCode: failed ? "1340" : null,
        errorTitle: failed ? "Outside of the allowed window" : null,
        errorDetail: failed ? "Outside of the allowed window" : null,
        price: "0.0333",
        timestamp: timestamp.replace("Z", "+00:00"),
        receivedAt: new Date(start + i * 10 + 150).toISOString().replace("Z", "+00:00"),
        raw,
        headers,
      });
    }
  });
  fill.immediate();
  db.close();
}

/**
 * seedEvents in a child process, so the caller's event loop stays free (a test that blocks it
 * for seconds sees its idle keep-alive connections closed under it).
 */
export function seedEventsInChild(databaseFile: string, options: SeedOptions): Promise<void> {
  const script = `import { seedEvents } from "./test/support/seed.ts"; seedEvents(${JSON.stringify(databaseFile)}, ${JSON.stringify(options)});`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT }, (error, _stdout, stderr) =>
      error ? reject(new Error(`seeding failed: ${stderr || error.message}`)) : resolve(),
    );
  });
}
