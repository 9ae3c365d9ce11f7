import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { parseConfig } from "@/lib/config";
import { createDatabase } from "@/lib/db/client";
import { loadMigrations, migrateSqlite } from "@/lib/db/migrate";
import { sqliteDate } from "@/lib/db/sqlite-date";
import {
  EVENT_COLUMNS,
  EVENT_INSERT,
  EVENT_JSON_GROUPS,
  eventValues,
  READ_EVENT_COLUMNS,
  recordFromRow,
  REJECTION_COLUMNS,
  REJECTION_INSERT,
  rejectionValues,
  type ColumnType,
  type ReadEventColumn,
} from "@/lib/events/columns";
import { eventRecordToJson, newEventToJson, rejectionRowToJson } from "@/lib/events/records";
import type { StoredRejection } from "@/lib/events/rejection-sampling";
import { EVENT_SELECT } from "@/lib/events/sql";
import type { NewEvent } from "@/lib/events/store";
import type { EventError, EventJson, RejectionJson } from "@/lib/events/types";
import { Prisma, type Event, type Rejection } from "@/lib/generated/sqlite/client.ts";

/**
 * The manifests (lib/events/columns.ts) against prisma/schema.prisma and its migrations, on a
 * real SQLite file: a column the schema has and the manifest lacks, a wrong @map name or a wrong
 * type fails here; a field missing from the API's types fails the type check.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwc-columns-"));
const file = path.join(dir, "columns.db");
migrateSqlite(file, loadMigrations(path.join(process.cwd(), "prisma", "migrations")));
const raw = new Database(file);
const prisma = createDatabase(parseConfig({ DATABASE_URL: `file:${file}` }));

afterAll(async () => {
  await prisma.$disconnect();
  raw.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** How the migrations declare each type. */
const SQLITE_TYPES: Record<ColumnType, string> = { text: "TEXT", integer: "INTEGER", time: "DATETIME", boolean: "BOOLEAN", json: "TEXT" };

function tableColumns(table: string): Record<string, string> {
  const rows = raw.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string }[];
  return Object.fromEntries(rows.map((row) => [row.name, row.type]));
}

/** A value for each field that no other field has, by the column's type. */
function distinctValues(columns: readonly { field: string; type: ColumnType }[]): Record<string, unknown> {
  return Object.fromEntries(
    columns.map(({ field, type }, i): [string, unknown] => {
      if (type === "integer") return [field, 1000 + i];
      if (type === "time") return [field, new Date(Date.UTC(2026, 10, 27, 12, 0, i))];
      if (type === "boolean") return [field, true];
      if (type === "json") return [field, JSON.stringify({ field })];
      return [field, `value of ${field}`];
    }),
  );
}

/** What SQLite holds for a value Prisma wrote, as the raw driver reads it. */
function storedForm(type: ColumnType, value: unknown): unknown {
  if (type === "time") return sqliteDate(value as Date);
  if (type === "boolean") return value ? 1 : 0;
  return value;
}

describe("the event manifest", () => {
  it("has every field of the Prisma model Event, once", () => {
    expect(EVENT_COLUMNS.map((c) => c.field).sort()).toEqual(Object.values(Prisma.EventScalarFieldEnum).sort());
  });

  it("names every column of the migrated table, with its type", () => {
    expect(Object.fromEntries(EVENT_COLUMNS.map((c) => [c.sql, SQLITE_TYPES[c.type]]))).toEqual(tableColumns("events"));
  });

  it("gives each field the SQL name Prisma writes it to", async () => {
    const data = distinctValues(EVENT_COLUMNS);
    await prisma.event.create({ data: data as Prisma.EventCreateInput });
    const row = raw.prepare(`SELECT * FROM "events" WHERE "id" = ?`).get(data.id) as Record<string, unknown>;
    for (const c of EVENT_COLUMNS) expect([c.sql, row[c.sql]]).toEqual([c.sql, storedForm(c.type, data[c.field])]);
  });

  it("gives a new event's JSON as its row reads back: the live stream and the API agree, field order too", () => {
    const event: NewEvent = {
      kind: "sms-inbound",
      messageUuid: null,
      status: null,
      channel: "sms",
      messageType: "text",
      from: "447700900123",
      to: "447700900456",
      clientRef: null,
      errorCode: "1340",
      errorTitle: null,
      errorDetail: null,
      price: null,
      currency: null,
      timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, 5)),
      text: "part two",
      networkCode: "23410",
      concat: { ref: "ab", part: 2, total: 3 },
      wireForm: "form",
      receivedAt: new Date(Date.UTC(2026, 10, 27, 10, 0, 1)),
      verification: "verified",
      hashForm: null,
      apiKey: "a1b2c3d",
      applicationId: null,
      rawBody: `{"text":"part two"}`,
      payload: { text: "part two" },
      headers: { "user-agent": "Vonage" },
      tokenId: "jti-1",
    };
    const values = eventValues(7, "key-7", event, sqliteDate);
    expect(values).toHaveLength(EVENT_INSERT.length);
    raw
      .prepare(`INSERT INTO "events" (${EVENT_INSERT.map((c) => `"${c}"`).join(", ")}) VALUES (${values.map(() => "?").join(", ")})`)
      .run(values);
    const record = recordFromRow(raw.prepare(`SELECT ${EVENT_SELECT.sql} FROM "events" WHERE "id" = 7`).raw(true).get() as unknown[]);
    expect(JSON.stringify(newEventToJson(7, event))).toBe(JSON.stringify(eventRecordToJson(record)));
  });

  it("puts each nested field in a group the JSON has", () => {
    for (const c of READ_EVENT_COLUMNS) if (typeof c.json !== "string") expect(Object.keys(EVENT_JSON_GROUPS)).toContain(c.json[0]);
  });

  it("matches the API's types and the Prisma model's (checked by tsc)", () => {
    type Columns = (typeof EVENT_COLUMNS)[number];
    type Json = ReadEventColumn["json"];
    type TopLevel = Extract<Json, string> | Extract<Json, readonly unknown[]>[0];
    expectTypeOf<TopLevel>().toEqualTypeOf<keyof EventJson>();
    expectTypeOf<Extract<Json, readonly ["error", string]>[1]>().toEqualTypeOf<keyof EventError>();
    expectTypeOf<Extract<Json, readonly ["concat", string]>[1]>().toEqualTypeOf<keyof NonNullable<EventJson["concat"]>>();
    expectTypeOf<Columns["field"]>().toEqualTypeOf<keyof Event>();
    expectTypeOf<MismatchedTypes<Columns, Event>>().toEqualTypeOf<never>();
  });
});

/** Columns whose declared type is not the Prisma model's type of their field. */
type ModelType = { text: string; integer: number; time: Date; boolean: boolean; json: string };
type MismatchedTypes<C extends { field: keyof M; type: ColumnType }, M> = C extends unknown
  ? [NonNullable<M[C["field"]]>] extends [ModelType[C["type"]]]
    ? never
    : C["field"]
  : never;

describe("the rejection manifest", () => {
  it("has every field of the Prisma model Rejection, once", () => {
    expect(REJECTION_COLUMNS.map((c) => c.field).sort()).toEqual(Object.values(Prisma.RejectionScalarFieldEnum).sort());
  });

  it("names every column of the migrated table, with its type", () => {
    expect(Object.fromEntries(REJECTION_COLUMNS.map((c) => [c.sql, SQLITE_TYPES[c.type]]))).toEqual(tableColumns("rejections"));
  });

  it("gives each field the SQL name Prisma writes it to", async () => {
    const data = distinctValues(REJECTION_COLUMNS);
    await prisma.rejection.create({ data: data as Prisma.RejectionCreateInput });
    const row = raw.prepare(`SELECT * FROM "rejections" WHERE "id" = ?`).get(data.id) as Record<string, unknown>;
    for (const c of REJECTION_COLUMNS) expect([c.sql, row[c.sql]]).toEqual([c.sql, storedForm(c.type, data[c.field])]);
  });

  it("reads back what it writes, through Prisma", async () => {
    const rejection: StoredRejection = {
      receivedAt: new Date(Date.UTC(2026, 10, 27, 10, 0, 1)),
      endpoint: "/webhooks/message-status",
      method: "POST",
      reason: "bad_signature",
      detail: "signature does not match",
      httpStatus: 401,
      sourceIp: null,
      headers: { "content-type": "application/json" },
      tokenClaims: { iss: "x" },
      body: "{}",
      bodyBytes: 2,
      bodyTruncated: false,
      repeats: 3,
    };
    const values = rejectionValues(rejection, sqliteDate, (b) => (b ? 1 : 0));
    const { lastInsertRowid } = raw
      .prepare(
        `INSERT INTO "rejections" (${REJECTION_INSERT.map((c) => `"${c}"`).join(", ")}) VALUES (${values.map(() => "?").join(", ")})`,
      )
      .run(values);
    const row = await prisma.rejection.findUniqueOrThrow({ where: { id: Number(lastInsertRowid) } });
    const { receivedAt, ...rest } = rejection;
    expect(rejectionRowToJson(row)).toEqual({ id: Number(lastInsertRowid), receivedAt: receivedAt.toISOString(), ...rest });
  });

  it("matches the API's type and the Prisma model's (checked by tsc)", () => {
    type Columns = (typeof REJECTION_COLUMNS)[number];
    expectTypeOf<Columns["field"]>().toEqualTypeOf<keyof RejectionJson>();
    expectTypeOf<Columns["field"]>().toEqualTypeOf<keyof Rejection>();
    expectTypeOf<MismatchedTypes<Columns, Rejection>>().toEqualTypeOf<never>();
  });
});
