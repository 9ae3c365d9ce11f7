import path from "node:path";
import { z } from "zod";
import { remember } from "@/lib/remember";
import { SMS_SIGNATURE_METHODS } from "@/lib/vonage/sms-signature";

/**
 * The one place that reads process.env. Every setting is validated at start-up and every
 * problem is reported at once (server.ts prints them and exits).
 */

export interface SignatureSecrets {
  /** Secrets that apply to any api_key (one, or several during a rotation). */
  any: string[];
  /** api_key -> its account's secrets, from `api_key:secret` entries. */
  byApiKey: Map<string, string[]>;
}

export type DatabaseKind = "sqlite" | "postgresql";

const DEFAULT_DATABASE_URL = "file:./data/events.db";
const API_KEY_PAIR = /^([A-Za-z0-9_-]{1,64}):(.+)$/;

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const optionalString = z.preprocess(emptyAsUndefined, z.string().trim().optional());

/** A maximum token or `timestamp` age: at most 30 days. */
const tokenAgeSeconds = z.coerce
  .number()
  .int()
  .min(1)
  .max(30 * 86400);

/** One of a few words, in any case; unset or empty means `fallback`. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z.preprocess(
    (v) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(values, { message: `must be one of ${values.join(", ")}` }).default(fallback as never),
  );
}

/**
 * `secret`, `old,new` (rotation) or `api_key:secret,...` (several accounts). A secret
 * that itself contains `:` is only read as a pair when the part before it looks like an
 * API key.
 */
export function parseSecrets(raw: string | undefined): { secrets: SignatureSecrets; problems: string[] } {
  const secrets: SignatureSecrets = { any: [], byApiKey: new Map() };
  const problems: string[] = [];
  if (!raw) return { secrets, problems };
  for (const [index, entry] of raw.split(",").entries()) {
    const value = entry.trim();
    if (value === "") {
      problems.push(`entry ${index + 1} is empty (check for a stray comma)`);
      continue;
    }
    if (/\s/.test(value)) {
      problems.push(`entry ${index + 1} contains whitespace`);
      continue;
    }
    const pair = API_KEY_PAIR.exec(value);
    if (pair) {
      const [, apiKey, secret] = pair as unknown as [string, string, string];
      const list = secrets.byApiKey.get(apiKey) ?? [];
      list.push(secret);
      secrets.byApiKey.set(apiKey, list);
    } else {
      secrets.any.push(value);
    }
  }
  return { secrets, problems };
}

/** Every variable the console reads, each validated on its own so all problems are reported together. */
const variables = {
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("development")),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyAsUndefined, z.string().default("0.0.0.0")),
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default(DEFAULT_DATABASE_URL)
      .refine((url) => /^(file:|postgres(ql)?:\/\/)/.test(url), {
        message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
      }),
  ),
  /** PostgreSQL: connections per instance. */
  DATABASE_POOL_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  /** Redis for Socket.IO across several instances (redis://…). */
  REDIS_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^rediss?$/, message: "must be a redis:// or rediss:// URL" }).optional()),
  /** Webhook requests in progress beyond which new ones are answered 503 + Retry-After. */
  MAX_CONCURRENT_WEBHOOKS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(64)),
  /** How far behind (ms) the server may run before new webhooks are answered 503 + Retry-After. */
  MAX_WEBHOOK_DELAY_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(10).max(60_000).default(100)),
  /** SQLite: how often the whole file is checked for damage (PRAGMA quick_check), at start-up too; 0 turns it off. */
  DATABASE_INTEGRITY_CHECK_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().min(0).max(8760).default(24)),
  /**
   * Milliseconds from a webhook's headers by which its whole body must have arrived, else 408.
   * At most 25 s: Node's own request timeout (server.ts, 30 s) would cut the body off first, unrecorded.
   */
  WEBHOOK_BODY_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(25_000).default(10_000)),
  /** Webhook requests from one address whose bodies may be arriving at once; beyond, 429 + Retry-After. */
  MAX_PENDING_BODIES_PER_ADDRESS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(16)),
  /** Milliseconds a write waits for a locked database before the webhook gets 503. */
  DATABASE_BUSY_TIMEOUT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(60_000).default(5000)),
  VONAGE_SIGNATURE_SECRET: optionalString,
  VONAGE_APPLICATION_ID: optionalString,
  SIGNATURE_MAX_AGE_SECONDS: z.preprocess(emptyAsUndefined, tokenAgeSeconds.default(86400)),
  /** The account's signature secret for SMS API `sig` (comma-separated during a rotation). */
  VONAGE_SMS_SIGNATURE_SECRET: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((raw) => (raw ?? "").split(",").map((s) => s.trim()))
      .refine((list) => list.length === 1 || list.every((s) => s !== ""), { message: "has an empty entry (check for a stray comma)" })
      .transform((list) => list.filter((s) => s !== "")),
  ),
  VONAGE_SMS_SIGNATURE_METHOD: oneOf(SMS_SIGNATURE_METHODS, "md5hash"),
  /** The account-level SMS API endpoints: `on`, or `off` (404, recorded) for an account that does not use them. */
  SMS_API_WEBHOOKS: oneOf(["on", "off"] as const, "on"),
  /** Oldest SMS API `timestamp` accepted; defaults to SIGNATURE_MAX_AGE_SECONDS. */
  SMS_SIGNATURE_MAX_AGE_SECONDS: z.preprocess(emptyAsUndefined, tokenAgeSeconds.optional()),
  /** Where generated secrets are kept; defaults to the SQLite file's folder, else ./data. */
  DATA_DIR: optionalString,
  DASHBOARD_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8, "must be at least 8 characters").optional()),
  DASHBOARD_API_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, "must be at least 16 characters").regex(/^\S+$/, "must not contain spaces").optional(),
  ),
  SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  SESSION_MAX_AGE_SECONDS: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number()
      .int()
      .min(60)
      .max(365 * 86400)
      .default(7 * 86400),
  ),
  /** Rejections kept at most; the oldest beyond are deleted as new ones are written (0: no cap). */
  REJECTIONS_MAX_ROWS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(10_000)),
  /** Refusals from one address kept in full per window; past them, samples and counts. */
  REJECTIONS_FULL_PER_ADDRESS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(20)),
  /** The window (seconds) over which refusals per address are counted. */
  REJECTIONS_WINDOW_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(86_400).default(60)),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (login throttling). */
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.stringbool().default(false)),
  /**
   * Minutes after its first event by which a message without a final status is overdue, per
   * channel: `sms=10,whatsapp=30` (the others keep their defaults, lib/messages/thresholds.ts).
   */
  MESSAGE_OVERDUE_MINUTES: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((raw, ctx) => {
        const minutes: Record<string, number> = {};
        for (const entry of (raw ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")) {
          const match = /^([a-z_]+)=(\d+(?:\.\d+)?)$/.exec(entry);
          if (!match || Number(match[2]) <= 0 || Number(match[2]) > 43_200) {
            ctx.addIssue({
              code: "custom",
              message: `"${entry}" is not channel=minutes (more than 0, at most 43200), e.g. sms=10,whatsapp=30`,
            });
            continue;
          }
          minutes[match[1]!] = Number(match[2]);
        }
        return minutes;
      }),
  ),
  /** Origins besides the console's own whose pages may log in and open the live stream. */
  ALLOWED_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .optional()
      .transform((raw) =>
        (raw ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      )
      .refine((list) => list.every((s) => originOf(s) !== undefined), {
        message: "must be comma-separated origins (scheme, host and port, no path), e.g. https://console.example.com",
      })
      .transform((list) => list.map((s) => originOf(s)!)),
  ),
};

/** `https://host[:port]` as browsers send it in Origin, or undefined when the value has a path, query or credentials. */
function originOf(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  const bare = /^https?:$/.test(url.protocol) && url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
  return bare ? url.origin : undefined;
}

type Env = { [K in keyof typeof variables]: z.output<(typeof variables)[K]> };

function buildConfig(env: Env, secrets: SignatureSecrets) {
  const databaseKind: DatabaseKind = env.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql";
  const sqlitePath = databaseKind === "sqlite" ? sqliteFilePath(env.DATABASE_URL) : undefined;
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ""),
    databaseUrl: env.DATABASE_URL,
    databaseKind,
    sqlitePath,
    dataDir: path.resolve(/*turbopackIgnore: true*/ env.DATA_DIR ?? (sqlitePath ? path.dirname(sqlitePath) : "data")),
    databaseBusyTimeoutMs: env.DATABASE_BUSY_TIMEOUT_MS,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseIntegrityCheckHours: env.DATABASE_INTEGRITY_CHECK_HOURS,
    maxConcurrentWebhooks: env.MAX_CONCURRENT_WEBHOOKS,
    maxWebhookDelayMs: env.MAX_WEBHOOK_DELAY_MS,
    webhookBodyTimeoutMs: env.WEBHOOK_BODY_TIMEOUT_MS,
    maxPendingBodiesPerAddress: env.MAX_PENDING_BODIES_PER_ADDRESS,
    redisUrl: env.REDIS_URL,
    signatureSecrets: secrets,
    signatureConfigured: secrets.any.length > 0 || secrets.byApiKey.size > 0,
    applicationId: env.VONAGE_APPLICATION_ID,
    signatureMaxAgeSeconds: env.SIGNATURE_MAX_AGE_SECONDS,
    smsSignatureSecrets: env.VONAGE_SMS_SIGNATURE_SECRET,
    smsSignatureMethod: env.VONAGE_SMS_SIGNATURE_METHOD,
    smsSignatureMaxAgeSeconds: env.SMS_SIGNATURE_MAX_AGE_SECONDS ?? env.SIGNATURE_MAX_AGE_SECONDS,
    smsApiWebhooks: env.SMS_API_WEBHOOKS,
    /**
     * How the SMS API endpoints treat a request: `verified` (sig required, unsigned refused),
     * `unverified` (accepted and marked so) or `off`. Independent of the Messages API's mode.
     */
    smsVerificationMode:
      env.SMS_API_WEBHOOKS === "off"
        ? ("off" as const)
        : env.VONAGE_SMS_SIGNATURE_SECRET.length > 0
          ? ("verified" as const)
          : ("unverified" as const),
    dashboardPassword: env.DASHBOARD_PASSWORD,
    dashboardApiToken: env.DASHBOARD_API_TOKEN,
    sessionSecret: env.SESSION_SECRET,
    sessionMaxAgeSeconds: env.SESSION_MAX_AGE_SECONDS,
    trustProxy: env.TRUST_PROXY,
    rejectionsMaxRows: env.REJECTIONS_MAX_ROWS,
    rejectionsFullPerAddress: env.REJECTIONS_FULL_PER_ADDRESS,
    rejectionsWindowSeconds: env.REJECTIONS_WINDOW_SECONDS,
    allowedOrigins: env.ALLOWED_ORIGINS,
    messageOverdueMinutes: env.MESSAGE_OVERDUE_MINUTES,
  };
}

export type Config = ReturnType<typeof buildConfig>;

/** `file:./data/events.db` -> an absolute path, relative to the working directory. */
function sqliteFilePath(url: string): string {
  const file = url.replace(/^file:(\/\/)?/, "").split("?")[0] ?? "";
  return path.resolve(/*turbopackIgnore: true*/ file);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates an environment; throws a ConfigError naming every problem. */
export function parseConfig(source: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const env: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(variables)) {
    const result = schema.safeParse(source[name]);
    if (result.success) env[name] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
  }
  const { secrets, problems: secretProblems } = parseSecrets(env.VONAGE_SIGNATURE_SECRET as string | undefined);
  problems.push(...secretProblems.map((problem) => `VONAGE_SIGNATURE_SECRET: ${problem}`));
  if (problems.length > 0) throw new ConfigError(problems);
  return buildConfig(env as Env, secrets);
}

/** The process's configuration, parsed once and shared by server.ts and Next's bundles. */
export function getConfig(): Config {
  return remember("config", () => parseConfig(process.env));
}
