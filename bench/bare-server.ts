import { createServer, type IncomingMessage } from "node:http";
import path from "node:path";
import { configureConnection, getDatabase, getSqliteWriteConnection } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { getConfig } from "@/lib/config";
import { receiveMessagesWebhook } from "@/lib/webhooks/receive";
import { readWebhookBody, REMOTE_ADDRESS_HEADER } from "@/lib/webhooks/delivery";

/**
 * Benchmark only (part 1c, "for information"): the console's verify-and-store code for Message
 * Status webhooks behind a bare node:http server, without Next.js, the gate or Socket.IO.
 * The difference from the real route is what the framework costs. Configured like server.ts
 * (DATABASE_URL, VONAGE_SIGNATURE_SECRET, migrations applied first, same SQLite pragmas);
 * if server.ts's start-up sequence changes, mirror it here.
 */

async function main() {
  const config = getConfig();
  if (!config.sqlitePath) throw new Error("the bare benchmark server needs a SQLite DATABASE_URL");
  // As server.ts does: migrations first, then the same connection settings on both connections.
  await migrate(config, path.resolve("."));
  const db = getDatabase();
  await configureConnection(db);
  getSqliteWriteConnection();

  const server = createServer((req, res) => {
    toRequest(req)
      .then(async (request) => receiveMessagesWebhook("status", request, await readWebhookBody(request)))
      .then((answer) => {
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(answer.body);
      })
      .catch((error: unknown) => {
        console.error("[bare] request failed:", error);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    console.log(`[bare] listening on ${typeof address === "object" && address ? address.port : 0}`);
  });
  const shutdown = () => {
    server.close(() => void db.$disconnect().finally(() => process.exit(0)));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

/** IncomingMessage → fetch Request, body buffered (webhook bodies are small). */
async function toRequest(req: IncomingMessage): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  // As server.ts does: the peer address in the header only the server may set.
  headers.set(REMOTE_ADDRESS_HEADER, req.socket.remoteAddress ?? "");
  const method = req.method ?? "GET";
  return new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
}

main().catch((error: unknown) => {
  console.error("[bare] failed to start:", error);
  process.exit(1);
});
