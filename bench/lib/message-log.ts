import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { sqliteDate } from "@/lib/db/sqlite-date";
import { ROOT } from "@/test/support/server";

/**
 * A realistic month of a console's log for part 7 (insights): outbound messages on six channels
 * with their statuses (submitted → delivered → read, seconds then minutes apart), a few percent
 * rejected or undeliverable with a handful of error codes, prices in EUR and USD, recipients in
 * six countries, about 1% still open (some sent in the last minutes, so pending; the rest
 * overdue), a few RCS → SMS failover workflows, and inbound messages to make up the event count.
 * Written straight into the `events` table, ids in order of receipt, as the console stores them;
 * the console folds them into message states itself (its backfill, lib/messages/backfill.ts).
 * The same pseudo-random sequence for both stores, so SQLite and PostgreSQL hold the same mix
 * (not quite the same rows: the busier hours of the day fall elsewhere relative to `now`).
 * (test/support/seed.ts seeds a simpler, uniform log for the other parts.)
 */

export interface MessageLogOptions {
  /** Events in the log, inbound included. */
  events: number;
  /** Outbound messages (with status events); inbound messages make up the rest of the events. */
  messages: number;
  /** The log ends here (ms since 1970) and starts `days` before. */
  now: number;
  days: number;
}

export interface MessageLogStats {
  events: number;
  statusEvents: number;
  inboundEvents: number;
  messages: number;
  delivered: number;
  read: number;
  failed: number;
  open: number;
  /** Open messages sent in the last 5 minutes: pending for 10 minutes more at least. */
  recentOpen: number;
  workflows: number;
  seconds: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** mulberry32: small, fast and the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Weighted<T> = readonly (readonly [T, number])[];

const CHANNELS: Weighted<string> = [
  ["whatsapp", 40],
  ["sms", 25],
  ["rcs", 12],
  ["viber_service", 8],
  ["messenger", 8],
  ["mms", 7],
];
const READ_RECEIPTS = new Set(["whatsapp", "rcs", "viber_service", "messenger"]);

const COUNTRIES: Weighted<string> = [
  ["GB", 30],
  ["FR", 20],
  ["DE", 20],
  ["US", 15],
  ["ES", 8],
  ["IT", 7],
];
/** A mobile number's prefix and how many random digits follow. */
const NUMBERS: Record<string, [string, number]> = {
  GB: ["447400", 6],
  FR: ["336", 8],
  DE: ["49151", 8],
  US: ["1202555", 4],
  ES: ["346", 8],
  IT: ["393", 9],
};
/** Price per message by channel and country; the US is billed in USD, the rest in EUR. Messenger is free. */
const PRICES: Record<string, Record<string, string>> = {
  sms: { GB: "0.0420", FR: "0.0745", DE: "0.0865", US: "0.0079", ES: "0.0690", IT: "0.0790" },
  mms: { GB: "0.0300", FR: "0.0300", DE: "0.0300", US: "0.0200", ES: "0.0300", IT: "0.0300" },
  whatsapp: { GB: "0.0358", FR: "0.0735", DE: "0.0768", US: "0.0250", ES: "0.0315", IT: "0.0346" },
  viber_service: { GB: "0.0120", FR: "0.0120", DE: "0.0120", US: "0.0110", ES: "0.0120", IT: "0.0120" },
  rcs: { GB: "0.0100", FR: "0.0100", DE: "0.0100", US: "0.0090", ES: "0.0100", IT: "0.0100" },
};
const SENDERS: Record<string, string> = {
  sms: "447700900000",
  mms: "12025550100",
  whatsapp: "447700900001",
  viber_service: "ACME",
  messenger: "1063572045113",
  rcs: "acme_agent",
};
/** Median submitted → delivered, ms. */
const DELIVERY_MS: Record<string, number> = {
  sms: 4_000,
  mms: 8_000,
  whatsapp: 1_200,
  rcs: 1_500,
  viber_service: 2_000,
  messenger: 1_000,
};
/** Share of messages that fail, by channel (about 7.5% overall). */
const FAILURE_RATE: Record<string, number> = {
  sms: 0.08,
  mms: 0.09,
  whatsapp: 0.065,
  viber_service: 0.1,
  messenger: 0.04,
  rcs: 0.12,
};

interface Failure {
  status: "rejected" | "undeliverable";
  code: string;
  /** An undeliverable status follows a submitted one; a rejection comes instead of it. */
  afterSubmitted: boolean;
}
const rejected = (code: string): Failure => ({ status: "rejected", code, afterSubmitted: false });
const undeliverable = (code: string): Failure => ({ status: "undeliverable", code, afterSubmitted: true });
const FAILURES: Record<string, Weighted<Failure>> = {
  sms: [
    [rejected("1250"), 30],
    [rejected("1170"), 15],
    [rejected("1000"), 10],
    [undeliverable("1180"), 30],
    [undeliverable("1250"), 15],
  ],
  mms: [
    [rejected("1250"), 30],
    [rejected("1170"), 20],
    [undeliverable("1180"), 50],
  ],
  whatsapp: [
    [rejected("1340"), 55],
    [rejected("1170"), 10],
    [rejected("1000"), 5],
    [undeliverable("1300"), 30],
  ],
  viber_service: [
    [undeliverable("1300"), 70],
    [rejected("1170"), 20],
    [rejected("1000"), 10],
  ],
  messenger: [
    [undeliverable("1300"), 70],
    [rejected("1000"), 30],
  ],
  rcs: [
    [undeliverable("1300"), 80],
    [rejected("1000"), 20],
  ],
};
const ERROR_DETAILS: Record<string, [string, string]> = {
  "1000": ["Throttled", "Throttled - You have exceeded the submission capacity allowed on this account. Please wait and retry"],
  "1170": ["Invalid or missing msisdn", "Invalid or Missing MSISDN Param"],
  "1180": ["Absent subscriber temporary", "Absent Subscriber Temporary - The handset is switched off or out of coverage"],
  "1250": ["Unroutable", "Unroutable - No route exists to this destination"],
  "1300": ["Not part of the provider network", "The recipient is not a user of this channel"],
  "1340": ["Outside of the allowed window", "Outside of the allowed window - more than 24 hours since the user's last message"],
};
const INBOUND_CHANNELS: Weighted<string> = [
  ["whatsapp", 55],
  ["sms", 25],
  ["messenger", 10],
  ["viber_service", 6],
  ["rcs", 4],
];
const INBOUND_TEXTS = [
  "Yes",
  "STOP",
  "Thanks!",
  "When will my order arrive?",
  "Can I change the delivery address?",
  "I didn't get the code, can you send it again?",
  "Please call me back tomorrow morning",
  "OK",
];
const HEADERS = JSON.stringify({
  "content-type": "application/json",
  "user-agent": "Vonage/MessagingHUB/v1.0",
  authorization: "Bearer [redacted]",
});

/** The SMS a failed RCS message falls back to, in the same workflow. */
interface Failover {
  to: string;
  country: string;
  workflowId: string;
  at: number;
  clientRef: string | null;
}

/** One stored event, in the `events` columns the seed fills. */
interface LogEvent {
  receivedMs: number;
  timestampMs: number;
  kind: "status" | "inbound";
  uuid: string;
  status: string | null;
  channel: string;
  messageType: string | null;
  from: string;
  to: string;
  clientRef: string | null;
  errorCode: string | null;
  price: string | null;
  currency: string | null;
  text: string | null;
  workflowId: string | null;
  /** Extra fields of the body (inbound profile, status destination). */
  extra: Record<string, unknown>;
}

function pick<T>(random: () => number, weighted: Weighted<T>): T {
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of weighted) {
    r -= w;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** Log-normal around `median`: most values near it, a long tail above. */
function lognormal(random: () => number, median: number, sigma: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return median * Math.exp(sigma * normal);
}

function uuidOf(random: () => number): string {
  const hex = Array.from({ length: 4 }, () =>
    Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, "0"),
  ).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function phoneOf(random: () => number, country: string): string {
  const [prefix, digits] = NUMBERS[country]!;
  return prefix + String(Math.floor(random() * 10 ** digits)).padStart(digits, "0");
}

/** A time in [from, to), busier in the (European) daytime than at night. */
function busyTime(random: () => number, from: number, to: number): number {
  for (;;) {
    const at = from + random() * (to - from);
    const hour = new Date(at).getUTCHours() + new Date(at).getUTCMinutes() / 60;
    const weight = hour >= 6 && hour < 22 ? 0.25 + 0.75 * Math.sin((Math.PI * (hour - 6)) / 16) : 0.25;
    if (random() < weight) return at;
  }
}

/** The log's events in order of receipt, and what they add up to. */
export function generateMessageLog(options: MessageLogOptions): { events: LogEvent[]; stats: Omit<MessageLogStats, "seconds"> } {
  const random = generator(18);
  const { now } = options;
  const start = now - options.days * DAY;
  const events: LogEvent[] = [];
  const stats = { delivered: 0, read: 0, failed: 0, open: 0, recentOpen: 0, workflows: 0 };
  const lag = () => 50 + lognormal(random, 150, 0.6);
  let messages = 0;
  // A failover's SMS, made when its RCS message fails.
  let failover = null as Failover | null;

  while (messages < options.messages) {
    messages += 1;
    const fallback: Failover | null = failover;
    failover = null;
    const uuid = uuidOf(random);
    const channel: string = fallback ? "sms" : pick(random, CHANNELS);
    const country: string = fallback?.country ?? pick(random, COUNTRIES);
    const to: string = fallback?.to ?? phoneOf(random, country);
    const clientRef: string | null = fallback ? fallback.clientRef : random() < 0.6 ? `campaign-${Math.floor(random() * 40) + 1}` : null;
    const workflowId: string | null = fallback?.workflowId ?? null;
    const price = PRICES[channel]?.[country] ?? null;
    const currency = price === null ? null : country === "US" ? "USD" : "EUR";
    let sentAt = fallback ? fallback.at + 500 : busyTime(random, start, now - 5 * MINUTE);

    const status = (statusName: string, at: number, error: string | null, priced: boolean, workflow: string | null) => {
      if (at > now) return false;
      events.push({
        receivedMs: at + lag(),
        timestampMs: at,
        kind: "status",
        uuid,
        status: statusName,
        channel,
        messageType: null,
        from: SENDERS[channel]!,
        to,
        clientRef,
        errorCode: error,
        price: priced ? price : null,
        currency: priced ? currency : null,
        text: null,
        workflowId: workflow,
        extra: channel === "sms" ? { destination: { network_code: "23410" } } : {},
      });
      return true;
    };

    const roll = random();
    if (roll < 0.01) {
      // Still open: a submitted status and nothing since. Some were sent a moment ago.
      stats.open += 1;
      if (random() < 0.12) {
        sentAt = now - random() * 5 * MINUTE;
        stats.recentOpen += 1;
      }
      status("submitted", sentAt, null, true, workflowId);
      continue;
    }
    if (roll < 0.01 + FAILURE_RATE[channel]!) {
      const failure: Failure = pick(random, FAILURES[channel]!);
      // An RCS recipient without RCS: half of the sends fall back to SMS in a workflow.
      const fallsBack: boolean = channel === "rcs" && failure.code === "1300" && random() < 0.5;
      const workflow: string | null = fallsBack ? `wf-${uuid.slice(0, 8)}` : workflowId;
      if (failure.afterSubmitted) status("submitted", sentAt, null, true, workflow);
      // An absent handset is retried for hours; the others fail within seconds.
      const failAt: number = failure.code === "1180" ? sentAt + lognormal(random, 20 * MINUTE, 1) : sentAt + lognormal(random, 8_000, 0.8);
      if (status(failure.status, failure.afterSubmitted ? failAt : sentAt, failure.code, failure.status === "undeliverable", workflow))
        stats.failed += 1;
      else stats.open += 1;
      if (fallsBack && failAt < now - MINUTE && messages < options.messages) {
        stats.workflows += 1;
        failover = { to, country, workflowId: workflow!, at: failAt, clientRef };
      }
      continue;
    }
    status("submitted", sentAt, null, true, workflowId);
    // A few percent wait minutes for a handset to come back into coverage.
    const slow = random() < 0.03 ? 20 + random() * 180 : 1;
    const deliveredAt = sentAt + Math.min(lognormal(random, DELIVERY_MS[channel]!, 0.7) * slow, 2 * 3_600_000);
    if (!status("delivered", deliveredAt, null, true, workflowId)) {
      stats.open += 1;
      continue;
    }
    stats.delivered += 1;
    if (READ_RECEIPTS.has(channel) && random() < 0.75) {
      const readAt = deliveredAt + Math.min(lognormal(random, 3 * MINUTE, 1.5), DAY);
      if (status("read", readAt, null, false, workflowId)) stats.read += 1;
    }
  }

  const statusEvents = events.length;
  const inbound = options.events - statusEvents;
  if (inbound < 0)
    throw new Error(`${options.messages} messages make ${statusEvents} status events, more than the ${options.events} asked`);
  for (let i = 0; i < inbound; i++) {
    const channel = pick(random, INBOUND_CHANNELS);
    const at = busyTime(random, start, now);
    events.push({
      receivedMs: at + lag(),
      timestampMs: at,
      kind: "inbound",
      uuid: uuidOf(random),
      status: null,
      channel,
      messageType: "text",
      from: phoneOf(random, pick(random, COUNTRIES)),
      to: SENDERS[channel]!,
      clientRef: null,
      errorCode: null,
      price: null,
      currency: null,
      text: INBOUND_TEXTS[Math.floor(random() * INBOUND_TEXTS.length)]!,
      workflowId: null,
      extra: { profile: { name: "Customer" }, context_status: "none" },
    });
  }
  events.sort((a, b) => a.receivedMs - b.receivedMs);
  return { events, stats: { ...stats, events: events.length, statusEvents, inboundEvents: inbound, messages } };
}

/** The body Vonage would have sent for the event. */
function bodyOf(e: LogEvent): string {
  const timestamp = new Date(e.timestampMs).toISOString();
  if (e.kind === "inbound") {
    return JSON.stringify({
      channel: e.channel,
      message_uuid: e.uuid,
      to: e.to,
      from: e.from,
      timestamp,
      message_type: "text",
      text: e.text,
      ...e.extra,
    });
  }
  const details = e.errorCode === null ? null : ERROR_DETAILS[e.errorCode]!;
  return JSON.stringify({
    message_uuid: e.uuid,
    to: e.to,
    from: e.from,
    timestamp,
    status: e.status,
    channel: e.channel,
    ...(e.clientRef === null ? {} : { client_ref: e.clientRef }),
    ...(e.price === null ? {} : { usage: { currency: e.currency, price: e.price } }),
    ...(details === null
      ? {}
      : {
          error: {
            type: `https://developer.vonage.com/api-errors/messages#${e.errorCode}`,
            title: e.errorCode,
            detail: details[1],
          },
        }),
    ...(e.workflowId === null ? {} : { workflow: { workflow_id: e.workflowId, items_number: "1", items_total: "2" } }),
    ...e.extra,
  });
}

/** The row's columns, in the order of COLUMNS below; dates as the store wants them. */
function rowOf(e: LogEvent, id: number, date: (ms: number) => string): unknown[] {
  const raw = bodyOf(e);
  const details = e.errorCode === null ? null : ERROR_DETAILS[e.errorCode]!;
  return [
    id,
    e.kind,
    createHash("sha256").update(`${e.kind}\n${raw}`).digest("hex"),
    e.uuid,
    e.status,
    e.channel,
    e.messageType,
    e.from,
    e.to,
    e.clientRef,
    e.errorCode,
    details?.[0] ?? null,
    details?.[1] ?? null,
    e.price,
    e.currency,
    date(Math.floor(e.timestampMs)),
    date(Math.floor(e.receivedMs)),
    e.text,
    raw,
  ];
}

const COLUMNS = [
  "id",
  "kind",
  "dedupe_key",
  "message_uuid",
  "status",
  "channel",
  "message_type",
  "from_number",
  "to_number",
  "client_ref",
  "error_code",
  "error_title",
  "error_detail",
  "price",
  "currency",
  "timestamp",
  "received_at",
  "text",
  "raw_body",
];
const CONSTANT_COLUMNS = `"verification", "hash_form", "api_key", "headers", "duplicates"`;

/** PostgreSQL's timestamp(3) without time zone holds UTC, as Prisma writes it. */
const postgresDate = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace("Z", "");

/** Writes the log into an empty console's store: a SQLite file path or a postgresql:// URL. */
export async function seedMessageLog(target: string, options: MessageLogOptions): Promise<MessageLogStats> {
  const t0 = Date.now();
  const { events, stats } = generateMessageLog(options);
  if (target.startsWith("postgres")) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      const types = ["int", ...COLUMNS.slice(1).map((c) => (c === "timestamp" || c === "received_at" ? "timestamp(3)" : "text"))];
      const sql = `INSERT INTO "events" (${COLUMNS.map((c) => `"${c}"`).join(", ")}, ${CONSTANT_COLUMNS})
        SELECT *, 'verified', 'raw', 'a1b2c3d', $${COLUMNS.length + 1}, 0
        FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})`;
      // One transaction; each batch is built while the one before is written.
      const BATCH = 5_000;
      await client.query("BEGIN");
      let pending: Promise<unknown> = Promise.resolve();
      for (let from = 0; from < events.length; from += BATCH) {
        const columns: unknown[][] = COLUMNS.map(() => []);
        events.slice(from, from + BATCH).forEach((e, i) => rowOf(e, from + i + 1, postgresDate).forEach((v, c) => columns[c]!.push(v)));
        await pending;
        pending = client.query(sql, [...columns, HEADERS]);
      }
      await pending;
      await client.query("COMMIT");
    } finally {
      await client.end();
    }
  } else {
    const db = new Database(target, { timeout: 10_000 });
    try {
      // The twelve indexes of a million rows stay in memory until the commit (SQLite's default cache is 2 MB).
      db.pragma("cache_size = -1048576");
      const insert = db.prepare(
        `INSERT INTO "events" (${COLUMNS.map((c) => `"${c}"`).join(", ")}, ${CONSTANT_COLUMNS})
         VALUES (${COLUMNS.map(() => "?").join(", ")}, 'verified', 'raw', 'a1b2c3d', ?, 0)`,
      );
      db.transaction(() => {
        events.forEach((e, i) => insert.run(...rowOf(e, i + 1, (ms) => sqliteDate(new Date(ms))), HEADERS));
      }).immediate();
      // Into the database file, as a long-running console's checkpoints would have done.
      db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
  }
  return { ...stats, seconds: (Date.now() - t0) / 1000 };
}

/** seedMessageLog in a child process, so the benchmark's event loop stays free while it runs. */
export function seedMessageLogInChild(target: string, options: MessageLogOptions): Promise<MessageLogStats> {
  const script = `import { seedMessageLog } from "./bench/lib/message-log.ts";
    const stats = await seedMessageLog(${JSON.stringify(target)}, ${JSON.stringify(options)});
    console.log(JSON.stringify(stats));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`seeding failed: ${stderr || error.message}`))
          : resolve(JSON.parse(stdout.trim().split("\n").pop()!) as MessageLogStats),
    );
  });
}
