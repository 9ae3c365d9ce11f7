import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadMigrations, migrateSqlite } from "@/lib/db/migrate";
import { recordFromRow } from "@/lib/events/columns";
import { eventLineOfJsonRow, eventRecordToJson, eventRecordToJsonText } from "@/lib/events/records";
import { EVENT_JSON_SELECT, EVENT_SELECT } from "@/lib/events/sql";

/**
 * Exports read events as JSON lines that SQLite builds (EVENT_JSON_SELECT). They must be the
 * very text the records give (eventRecordToJsonText), byte for byte, on a real SQLite file.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwc-lines-"));
const file = path.join(dir, "lines.db");
migrateSqlite(file, loadMigrations(path.join(process.cwd(), "prisma", "migrations")));
const db = new Database(file);

afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every character below 0x80, escapes and all, and some that JSON treats specially. */
const TRICKY_TEXT = `${Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join("")} é ☕ 🎉 \u2028\u2029 "quoted" \\ back`;

const ROWS: Record<string, unknown>[] = [
  // Every field set: a field the SQL does not build would show here.
  {
    kind: "inbound",
    message_uuid: "aaaaaaaa-0000-4000-8000-000000000001",
    status: "rejected",
    channel: "sms",
    message_type: "text",
    from_number: "447700900123",
    to_number: "447700900456",
    client_ref: 'ref "1"',
    error_code: "1340",
    error_title: "Outside of the window",
    error_detail: "line 1\nline 2",
    price: "0.0333",
    currency: "EUR",
    timestamp: "2026-11-27T10:00:00.123+00:00",
    received_at: "2026-11-27T10:00:01.456+00:00",
    verification: "verified",
    hash_form: "raw",
    api_key: "a1b2c3d",
    application_id: "app-1",
    text: TRICKY_TEXT,
    network_code: "23410",
    concat_ref: "ab",
    concat_part: 2,
    concat_total: 3,
    wire_form: "json",
    raw_body: `{"text":${JSON.stringify(TRICKY_TEXT)},"n":1.50}`,
    headers: `{"user-agent":"Vonage"}`,
    duplicates: 4,
    last_duplicate_at: "2026-11-27T10:05:00.000+00:00",
  },
  // Mostly null: no error, no concat, no provider time.
  { kind: "status", received_at: "2026-11-27T10:00:02.000+00:00", verification: "unverified", raw_body: "{}", headers: "{}" },
  // Part of an error and of a concat; times not in the stored form; a payload over several lines.
  {
    kind: "status",
    error_title: "only a title",
    concat_ref: "cd",
    concat_part: 1,
    timestamp: "2026-11-27T12:00:00.5+02:00",
    received_at: "2026-11-27 10:00:03",
    verification: "verified",
    raw_body: '{\n  "status": "delivered",\r\n  "price": 1.0\n}',
    headers: "{}",
  },
];

for (const [i, row] of ROWS.entries()) {
  const values = { ...row, dedupe_key: `key-${i}` };
  const columns = Object.keys(values);
  db.prepare(`INSERT INTO "events" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).run(
    ...Object.values(values),
  );
}

describe("EVENT_JSON_SELECT", () => {
  const records = (db.prepare(`SELECT ${EVENT_SELECT.sql} FROM "events" ORDER BY "id"`).raw(true).all() as unknown[][]).map(recordFromRow);
  const lines = (db.prepare(`SELECT ${EVENT_JSON_SELECT.sql} FROM "events" ORDER BY "id"`).raw(true).all() as unknown[][]).map(
    eventLineOfJsonRow,
  );

  it("gives the text the records give, for every row", () => {
    expect(lines).toHaveLength(ROWS.length);
    for (const [i, record] of records.entries()) {
      expect(lines[i]!.id).toBe(Number(record.id));
      expect(lines[i]!.json).toBe(eventRecordToJsonText(record));
    }
  });

  it("reads back as the API's JSON, times in UTC", () => {
    const parsed = lines.map((line) => JSON.parse(line.json) as Record<string, unknown>);
    expect(parsed).toEqual(records.map(eventRecordToJson));
    expect(parsed[2]!.timestamp).toBe("2026-11-27T10:00:00.500Z");
    expect(parsed[0]!.text).toBe(TRICKY_TEXT);
  });
});
