import fs from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import next from "next";
import { createGate } from "@/lib/auth/gate";
import { loadAuthKeys } from "@/lib/auth/keys";
import { ConfigError, getConfig } from "@/lib/config";
import { configureConnection, getDatabase } from "@/lib/db/client";
import { setCounter } from "@/lib/db/count";
import { CountWorker } from "@/lib/db/count-worker-host";
import { scheduleIntegrityChecks } from "@/lib/db/integrity-host";
import { migrate } from "@/lib/db/migrate";
import { attachRealtime, type Realtime } from "@/lib/realtime/io";
import { setWebhookAdmission, WebhookAdmission } from "@/lib/http/admission";
import { RETRY_AFTER_SECONDS } from "@/lib/http/headers";
import {
  answerParserError,
  headerBytesOf,
  MAX_HEADER_BYTES,
  PARSER_MAX_HEADER_BYTES,
  refuseHeadersTooLarge,
  refuseUnroutableMethod,
  ROUTABLE_METHODS,
} from "@/lib/http/transport";
import { ingestWorker } from "@/lib/ingest/channel";
import { IngestWorker } from "@/lib/ingest/worker-host";
import { WebhookIntake } from "@/lib/ingest/intake";
import { REMOTE_ADDRESS_HEADER } from "@/lib/webhooks/delivery";

/**
 * The console's entry point: one HTTP server that hands requests to Next.js and carries
 * Socket.IO (docs/decisions/001-custom-server.md).
 */

/**
 * Connections the kernel queues while this thread is busy. Node's default, 511, overflowed in a
 * 4× burst: the kernel then drops the sender's SYN, and the sender retries after 1 s, 3 s, 7 s.
 * Queued, a connection is served in order once accepted. The kernel caps the backlog at
 * net.core.somaxconn.
 */
const LISTEN_BACKLOG = 4096;

/**
 * How long an idle keep-alive connection stays open. Node's default, 5 s, is what a sender's
 * connection pool also waits before dropping one: when the server closes a connection just as
 * the sender reuses it, the sender's request is reset (decision 018). 65 s outlasts common
 * client and load-balancer idle timeouts (60 s).
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * How long any request may take to arrive, headers and body (Node's default: 300 s, which let
 * a trickled body hold a connection for five minutes). Webhook bodies have their own, shorter
 * deadline (WEBHOOK_BODY_TIMEOUT_MS, lib/ingest/intake.ts); this bounds every other route. Node
 * checks it every 30 s, so a request is cut 30 to 60 s after it began. It only covers receiving:
 * a long export's response is not cut.
 */
const REQUEST_TIMEOUT_MS = 30_000;

async function main() {
  // A .env file fills in variables the environment does not set (ENV_FILE="" turns it off).
  const envFile = process.env.ENV_FILE ?? ".env";
  if (envFile && fs.existsSync(envFile)) process.loadEnvFile(envFile);
  let config;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const report = await migrate(config, path.resolve("."));
  const store = config.databaseKind === "sqlite" ? `SQLite ${config.sqlitePath}` : `PostgreSQL ${redactUrl(config.databaseUrl)}`;
  console.log(`[db] ${store}: ${report.applied.length > 0 ? `applied ${report.applied.join(", ")}` : "schema up to date"}`);
  const db = getDatabase();
  const settings = await configureConnection(db);
  // Webhooks are verified and stored on a worker thread (lib/ingest); it opens the write path now.
  // `npm run build` compiles the worker beside this file (scripts/build-server.mjs).
  const ingest = await IngestWorker.start(new URL("./ingest-worker.js", import.meta.url));
  // Route handlers, bundled separately by Next, find it on globalThis.
  ingestWorker().current = ingest;
  // Counts for exports on SQLite, off this thread (lib/db/count.ts).
  const counter = config.sqlitePath ? new CountWorker(config.sqlitePath) : undefined;
  setCounter(counter);
  // A damaged page is found only by reading it: the whole file, on a thread of its own (lib/db/integrity.ts).
  const integrity = config.sqlitePath ? scheduleIntegrityChecks(config.sqlitePath, config.databaseIntegrityCheckHours) : undefined;
  console.log(
    `[db] ${Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );

  const dev = config.nodeEnv !== "production";
  const app = next({ dev, hostname: config.host, port: config.port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const keys = loadAuthKeys(config);
  let realtime: Realtime | undefined;
  const gate = createGate(config, keys, { onLogout: (session) => realtime?.disconnectSession(session.sid) });

  const admission = new WebhookAdmission(config.maxConcurrentWebhooks, RETRY_AFTER_SECONDS, config.maxWebhookDelayMs);
  // Exports let webhooks in progress go first (lib/export/stream.ts).
  setWebhookAdmission(admission);

  // Webhook bodies are read before admission, with a deadline (docs/decisions/019-slow-bodies.md).
  const intake = new WebhookIntake({
    admission,
    ingest,
    bodyTimeoutMs: config.webhookBodyTimeoutMs,
    maxPendingPerAddress: config.maxPendingBodiesPerAddress,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    gate
      .handle(req, res)
      .then((answered) => (answered ? undefined : handle(req, res)))
      .catch((error: unknown) => {
        console.error("[server] request failed:", error);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  };

  const server = createServer({ maxHeaderSize: PARSER_MAX_HEADER_BYTES, requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    // Route handlers cannot see the TCP peer; hand it over in a header nobody else can set.
    req.headers[REMOTE_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
    const headerBytes = headerBytesOf(req);
    if (req.url?.startsWith("/webhooks/")) return intake.receive(req, res, headerBytes, serve);
    if (headerBytes > MAX_HEADER_BYTES) return refuseHeadersTooLarge(res, headerBytes);
    if (!ROUTABLE_METHODS.has(req.method ?? "")) return refuseUnroutableMethod(req, res);
    serve(req, res);
  });
  server.on("clientError", answerParserError);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Node counts this from a request's first byte, not over idle keep-alive time (measured on
  // Node 20), and on a reused connection it, not requestTimeout, is what cuts a slow request off.
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  realtime = await attachRealtime(server, {
    authenticate: (request, token) => gate.authenticate(request.headers, token),
    allowsOrigin: (request) => gate.allowsOrigin(request.headers),
    redisUrl: config.redisUrl,
  });
  // What the worker commits goes live.
  ingest.sink = realtime.commits;

  server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const base = config.publicUrl ?? `http://localhost:${port}`;
    console.log(`[server] Vonage Webhook Console listening on http://${config.host}:${port} (${dev ? "development" : "production"})`);
    console.log(`[server] Message Status URL:  ${base}/webhooks/message-status`);
    console.log(`[server] Inbound Message URL: ${base}/webhooks/inbound-message`);
    if (keys.accessToken) {
      console.log(`[server] Dashboard (no DASHBOARD_PASSWORD set): open ${base}/login?token=${keys.accessToken}`);
    } else {
      console.log(`[server] Dashboard: ${base}/ (log in with DASHBOARD_PASSWORD)`);
    }
    if (config.signatureConfigured) {
      console.log(`[server] Messages API signature verification ON (max token age ${config.signatureMaxAgeSeconds} s)`);
    } else {
      console.warn(
        "[server] WARNING: VONAGE_SIGNATURE_SECRET is not set. Webhooks are accepted WITHOUT signature verification and stored as UNVERIFIED.",
      );
    }
    // The account-level SMS API endpoints are checked with their own secret, or not at all.
    if (config.smsVerificationMode === "verified") {
      console.log(`[server] SMS API webhooks: sig verification ON (${config.smsSignatureMethod}); unsigned ones are refused`);
    } else if (config.smsVerificationMode === "off") {
      console.log("[server] SMS API webhooks OFF (SMS_API_WEBHOOKS=off): /webhooks/inbound-sms and /webhooks/delivery-receipt answer 404");
    } else {
      console.warn(
        "[server] WARNING: SMS API webhooks (/webhooks/inbound-sms, /webhooks/delivery-receipt) are accepted WITHOUT signature verification and stored as UNVERIFIED: set VONAGE_SMS_SIGNATURE_SECRET to refuse unsigned ones, or SMS_API_WEBHOOKS=off.",
      );
    }
    console.log("[server] ready");
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`[server] ${signal}: closing`);
    // Stop accepting connections and let in-flight webhooks finish, their commits included;
    // idle keep-alive connections are closed as soon as they go idle.
    server.close(() => {
      clearInterval(idle);
      void Promise.all([ingest.stop(), counter?.stop()])
        .then(() => db.$disconnect())
        .finally(() => process.exit(0));
    });
    realtime?.close();
    void gate.close();
    admission.close();
    integrity?.stop();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    setTimeout(() => server.closeAllConnections(), 8_000).unref();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

/** A database URL without its password, for logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

main().catch((error: unknown) => {
  console.error("[server] failed to start:", error);
  process.exit(1);
});
