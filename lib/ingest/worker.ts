import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { getConfig } from "@/lib/config";
import { closeSqliteWriteConnection, getDatabase, getSqliteWriteConnection } from "@/lib/db/client";
import { checkStorage } from "@/lib/db/storage-check";
import { setCommitListener } from "@/lib/events/store";
import { runBackfill } from "@/lib/messages/backfill";
import { receiveWebhook } from "@/lib/webhooks/receive";
import { Outbox, webhookRequestOf, type FromWorker, type ToWorker } from "@/lib/ingest/channel";
import type { WebhookAnswer } from "@/lib/webhooks/delivery";

/**
 * The ingest worker: verifies, parses and stores webhooks off the HTTP thread
 * (docs/decisions/012-write-path.md). It owns the database write path; each request's answer
 * is sent back only after its event is committed, and committed events are sent to the HTTP
 * thread (for the live stream) before the answers of their batch.
 */

const port = parentPort;
if (!port) throw new Error("lib/ingest/worker.ts runs as a worker thread (lib/ingest/worker-host.ts starts it)");

// Everything goes back on the channel the host made for it, which the HTTP thread can read
// without waiting for its event loop (lib/ingest/worker-host.ts).
const { toHost } = workerData as { toHost: MessagePort };
const post = (message: FromWorker) => toHost.postMessage(message);

setCommitListener({
  events: (events) => post({ type: "committed", events }),
  rejections: (rejections) => post({ type: "rejected", rejections }),
});

const answers = new Outbox<{ id: number; response: WebhookAnswer }>((responses) => post({ type: "responses", responses }));

port.on("message", (message: ToWorker) => {
  if (message.type === "stop") {
    // The HTTP thread stops sending before this; answers still in flight were awaited there.
    answers.drain();
    closeSqliteWriteConnection();
    void getDatabase()
      .$disconnect()
      .finally(() => post({ type: "stopped" }));
    return;
  }
  if (message.type === "check-storage") {
    void checkStorage().then((check) => post({ type: "storage", id: message.id, check }));
    return;
  }
  for (const { id, request } of message.requests) {
    receiveWebhook(request.route, webhookRequestOf(request), request.body).then(
      (response) => answers.push({ id, response }),
      (error: unknown) => {
        console.error("[ingest] request failed:", error);
        answers.push({ id, response: { status: 500, headers: [], body: "" } });
      },
    );
  }
});

// Open the write connection now, so a database that cannot be opened fails the start.
if (getConfig().databaseKind === "sqlite") getSqliteWriteConnection();
post({ type: "ready" });
// Message states of events stored before they were kept, filled in while webhooks are taken.
runBackfill().catch((error: unknown) => console.error("[messages] filling in message states failed:", error));
