import type BetterSqlite3 from "better-sqlite3";
import type { NewEvent } from "@/lib/events/store";
import type { Prisma } from "@/lib/generated/sqlite/client.ts";
import { Prisma as PrismaSql } from "@/lib/generated/sqlite/client.ts";
import { planMessages, type CountRow, type LatencyCount, type MessageFact, type MessageRow, type Outcome } from "@/lib/messages/state";

/**
 * Writes what a batch of new events does to the `messages` rows and the insights' summaries
 * (lib/messages/state.ts), inside the caller's transaction: the event batch's own
 * (lib/events/write.ts), or a backfill batch's (lib/messages/backfill.ts). SQLite through the
 * driver's write connection, PostgreSQL through Prisma's transaction client, the same SQL.
 */

/** The `messages` columns and their fields in MessageRow, but `id`, which the table hands out. */
const MESSAGE_COLUMNS = [
  ["message_uuid", "messageUuid"],
  ["channel", "channel"],
  ["from_number", "from"],
  ["to_number", "to"],
  ["client_ref", "clientRef"],
  ["country", "country"],
  ["workflow_id", "workflowId"],
  ["first_event_at", "firstEventAt"],
  ["submitted_at", "submittedAt"],
  ["delivered_at", "deliveredAt"],
  ["read_at", "readAt"],
  ["failed_at", "failedAt"],
  ["last_status", "lastStatus"],
  ["last_status_at", "lastStatusAt"],
  ["last_failure", "lastFailure"],
  ["last_failure_at", "lastFailureAt"],
  ["error_code", "errorCode"],
  ["error_at", "errorAt"],
  ["cost_units", "costUnits"],
  ["currency", "currency"],
  ["price_at", "priceAt"],
  ["outcome", "outcome"],
  ["final_status", "finalStatus"],
  ["conflict", "conflict"],
  ["events", "events"],
] as const satisfies readonly (readonly [string, Exclude<keyof MessageRow, "id">])[];

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");
const MESSAGE_SQL_NAMES = MESSAGE_COLUMNS.map(([sql]) => sql);

/** Every column is replaced by the new row's: the row was computed from the stored one. */
const UPSERT_MESSAGE = `INSERT INTO "messages" (${quoted(MESSAGE_SQL_NAMES)}) VALUES`;
const ON_MESSAGE_CONFLICT = `ON CONFLICT ("message_uuid") DO UPDATE SET ${MESSAGE_SQL_NAMES.slice(1)
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ")}`;

const COUNT_KEY = ["grain", "start", "channel", "country", "currency", "error_code"];
const COUNT_FIELDS = ["total", "delivered", "read", "failed", "open", "priced", "cost_units", "inbound"];
const UPSERT_COUNT = `INSERT INTO "message_counts" (${quoted([...COUNT_KEY, ...COUNT_FIELDS])}) VALUES`;
const ON_COUNT_CONFLICT = `ON CONFLICT (${quoted(COUNT_KEY)}) DO UPDATE SET ${COUNT_FIELDS.map(
  (c) => `"${c}" = "message_counts"."${c}" + excluded."${c}"`,
).join(", ")}`;

const UPSERT_LATENCY = `INSERT INTO "message_latencies" ("grain", "start", "channel", "metric", "bucket", "count") VALUES`;
const ON_LATENCY_CONFLICT = `ON CONFLICT ("grain", "channel", "start", "metric", "bucket") DO UPDATE SET "count" = "message_latencies"."count" + excluded."count"`;

function countValues(c: CountRow): unknown[] {
  return [
    c.grain,
    c.start,
    c.channel,
    c.country,
    c.currency,
    c.errorCode,
    c.total,
    c.delivered,
    c.read,
    c.failed,
    c.open,
    c.priced,
    c.costUnits,
    c.inbound,
  ];
}

function latencyValues(l: LatencyCount): unknown[] {
  return [l.grain, l.start, l.channel, l.metric, l.bucket, l.count];
}

function messageValues(row: MessageRow, bool: (b: boolean) => unknown): unknown[] {
  return MESSAGE_COLUMNS.map(([, field]) => (field === "conflict" ? bool(row.conflict) : row[field]));
}

/** A `messages` row as a query reads it (bigint or number, boolean or 0/1) to a MessageRow. */
export function messageRowOf(record: Record<string, unknown>): MessageRow {
  const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(record.id),
    messageUuid: String(record.message_uuid),
    channel: (record.channel as string | null) ?? null,
    from: (record.from_number as string | null) ?? null,
    to: (record.to_number as string | null) ?? null,
    clientRef: (record.client_ref as string | null) ?? null,
    country: (record.country as string | null) ?? null,
    workflowId: (record.workflow_id as string | null) ?? null,
    firstEventAt: Number(record.first_event_at),
    submittedAt: number(record.submitted_at),
    deliveredAt: number(record.delivered_at),
    readAt: number(record.read_at),
    failedAt: number(record.failed_at),
    lastStatus: (record.last_status as string | null) ?? null,
    lastStatusAt: number(record.last_status_at),
    lastFailure: (record.last_failure as string | null) ?? null,
    lastFailureAt: number(record.last_failure_at),
    errorCode: (record.error_code as string | null) ?? null,
    errorAt: number(record.error_at),
    costUnits: number(record.cost_units),
    currency: (record.currency as string | null) ?? null,
    priceAt: number(record.price_at),
    outcome: record.outcome as Outcome,
    finalStatus: (record.final_status as string | null) ?? null,
    conflict: record.conflict === true || record.conflict === 1 || record.conflict === 1n,
    events: Number(record.events),
  };
}

/** The failover workflow an event names: `workflow.workflow_id` (.NET) or `workflow.id` (Java). */
export function workflowIdOf(payload: NewEvent["payload"]): string | null {
  const workflow = payload.workflow;
  if (workflow === null || typeof workflow !== "object" || Array.isArray(workflow)) return null;
  const id = workflow.workflow_id ?? workflow.id;
  return typeof id === "string" && id !== "" ? id : null;
}

export function messageFactOf(event: NewEvent): MessageFact {
  return {
    kind: event.kind,
    messageUuid: event.messageUuid,
    status: event.status,
    channel: event.channel,
    from: event.from,
    to: event.to,
    clientRef: event.clientRef,
    errorCode: event.errorCode,
    price: event.price,
    currency: event.currency,
    timestampMs: event.timestamp?.getTime() ?? null,
    receivedMs: event.receivedAt.getTime(),
    workflowId: event.kind === "status" ? workflowIdOf(event.payload) : null,
  };
}

const uuidsOf = (facts: MessageFact[]) => [...new Set(facts.flatMap((f) => (f.messageUuid === null ? [] : [f.messageUuid])))];

interface SqliteStatements {
  known: BetterSqlite3.Statement<[string], Record<string, unknown>>;
  message: BetterSqlite3.Statement<unknown[]>;
  count: BetterSqlite3.Statement<unknown[]>;
  latency: BetterSqlite3.Statement<unknown[]>;
}

const prepared = new WeakMap<BetterSqlite3.Database, SqliteStatements>();

function sqliteStatements(db: BetterSqlite3.Database): SqliteStatements {
  let s = prepared.get(db);
  if (s) return s;
  const params = (n: number) => `(${Array(n).fill("?").join(", ")})`;
  s = {
    known: db.prepare(`SELECT * FROM "messages" WHERE "message_uuid" IN (SELECT "value" FROM json_each(?))`),
    message: db.prepare(`${UPSERT_MESSAGE} ${params(MESSAGE_COLUMNS.length)} ${ON_MESSAGE_CONFLICT}`),
    count: db.prepare(`${UPSERT_COUNT} ${params(COUNT_KEY.length + COUNT_FIELDS.length)} ${ON_COUNT_CONFLICT}`),
    latency: db.prepare(`${UPSERT_LATENCY} ${params(6)} ${ON_LATENCY_CONFLICT}`),
  };
  prepared.set(db, s);
  return s;
}

/** SQLite: folds the facts into the messages and summaries, in the caller's (synchronous) transaction. */
export function writeMessagesSqlite(db: BetterSqlite3.Database, facts: MessageFact[]): void {
  if (facts.length === 0) return;
  const s = sqliteStatements(db);
  const uuids = uuidsOf(facts);
  const known = new Map(uuids.length === 0 ? [] : s.known.all(JSON.stringify(uuids)).map((r) => [String(r.message_uuid), messageRowOf(r)]));
  const plan = planMessages(known, facts);
  for (const row of plan.rows) s.message.run(messageValues(row, (b) => (b ? 1 : 0)));
  for (const count of plan.counts) s.count.run(countValues(count));
  for (const latency of plan.latencies) s.latency.run(latencyValues(latency));
}

function rowsSql(rows: unknown[][]): Prisma.Sql {
  return PrismaSql.join(rows.map((row) => PrismaSql.sql`(${PrismaSql.join(row)})`));
}

/** PostgreSQL: the same, through the caller's Prisma transaction. */
export async function writeMessagesPostgres(tx: Prisma.TransactionClient, facts: MessageFact[]): Promise<void> {
  if (facts.length === 0) return;
  const uuids = uuidsOf(facts);
  const known =
    uuids.length === 0
      ? []
      : await tx.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "messages" WHERE "message_uuid" = ANY(${uuids}::text[])`;
  const plan = planMessages(new Map(known.map((r) => [String(r.message_uuid), messageRowOf(r)])), facts);
  if (plan.rows.length > 0) {
    await tx.$executeRaw`${PrismaSql.raw(UPSERT_MESSAGE)} ${rowsSql(plan.rows.map((r) => messageValues(r, (b) => b)))} ${PrismaSql.raw(ON_MESSAGE_CONFLICT)}`;
  }
  if (plan.counts.length > 0) {
    await tx.$executeRaw`${PrismaSql.raw(UPSERT_COUNT)} ${rowsSql(plan.counts.map(countValues))} ${PrismaSql.raw(ON_COUNT_CONFLICT)}`;
  }
  if (plan.latencies.length > 0) {
    await tx.$executeRaw`${PrismaSql.raw(UPSERT_LATENCY)} ${rowsSql(plan.latencies.map(latencyValues))} ${PrismaSql.raw(ON_LATENCY_CONFLICT)}`;
  }
}
