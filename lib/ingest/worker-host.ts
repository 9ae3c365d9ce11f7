import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { getConfig } from "@/lib/config";
import type { StorageCheck } from "@/lib/db/storage-check";
import type { CommitSink, EventKind } from "@/lib/events/types";
import type { LimitedBody } from "@/lib/http/body";
import { ingestWorker, NO_WORKER, Outbox, WORKER_LOST, type FromWorker, type ToWorker, type WireRequest } from "@/lib/ingest/channel";
import { BODY_ID_HEADER, readWebhookBody, responseOf, type WebhookAnswer } from "@/lib/webhooks/delivery";

/**
 * A webhook endpoint's route handler (app/webhooks/<endpoint>/route.ts): it takes the body server.ts read
 * and parked (lib/ingest/intake.ts) and hands the request to the ingest worker, which verifies,
 * parses and stores it and answers after the commit; this thread only turns that answer into the
 * response. So the thread that serves every request does little more per webhook than for an
 * empty route (docs/decisions/012-write-path.md). Route handlers, bundled separately by Next,
 * find server.ts's worker on globalThis.
 */
export async function forwardWebhook(route: EventKind, request: Request): Promise<Response> {
  const ingest = ingestWorker().current;
  if (!ingest) return responseOf(WORKER_LOST);
  const body = ingest.take(request.headers.get(BODY_ID_HEADER)) ?? (await readWebhookBody(request));
  const answer = await ingest.send({ route, method: request.method, url: request.url, headers: [...request.headers], body });
  return responseOf(answer);
}

/** How long one storage check answers for, and how long the worker may take to answer one. */
const CHECK_STORAGE_EVERY_MS = 2_000;
const CHECK_STORAGE_TIMEOUT_MS = 3_000;

/**
 * The ingest worker as the HTTP thread sees it (started by server.ts before it listens): it
 * keeps the bodies server.ts read until their route handlers take them, forwards requests and
 * their answers, hands committed events and rejections to the live layer (its `sink`), and if
 * the worker dies, answers what it had not answered with 503 (Vonage retries) and starts a new one.
 */
export class IngestWorker {
  /** Told of every commit, before the answers of its batch are resolved (server.ts sets it). */
  sink?: CommitSink;
  private worker!: Worker;
  /** Bodies server.ts has read, by the id it put in the request's BODY_ID_HEADER. */
  private readonly bodies = new Map<string, LimitedBody>();
  /** This thread's end of the channel the worker answers on (its events, its answers, in order). */
  private fromWorker!: MessagePort;
  private onReady?: () => void;
  private readonly pending = new Map<number, (response: WebhookAnswer) => void>();
  private readonly storageChecks = new Map<number, (check: StorageCheck) => void>();
  private storageCheck?: { at: number; result: Promise<StorageCheck> };
  private nextId = 1;
  private stopping = false;
  /** A worker is running and has opened the database. */
  private alive = false;
  private restarting = false;
  private failedRestarts = 0;
  private readonly outbox = new Outbox<{ id: number; request: WireRequest }>((requests) => {
    // Requests gathered for a worker that died meanwhile were already answered 503.
    if (this.alive) this.post({ type: "requests", requests });
  });

  /** `workerFile`: the compiled lib/ingest/worker.ts (dist/ingest-worker.js, made by `npm run build`). */
  private constructor(private readonly workerFile: URL) {}

  /** Starts the worker and waits until it has opened the database. */
  static async start(workerFile: URL): Promise<IngestWorker> {
    const ingest = new IngestWorker(workerFile);
    await ingest.spawn();
    return ingest;
  }

  /** server.ts: leaves a request's body for its route handler; the id goes in BODY_ID_HEADER. */
  park(body: LimitedBody): string {
    const id = crypto.randomUUID();
    this.bodies.set(id, body);
    return id;
  }

  /** The body left under this id, once (server.ts also drops it when the response closes). */
  take(id: string | null | undefined): LimitedBody | undefined {
    if (!id) return undefined;
    const body = this.bodies.get(id);
    this.bodies.delete(id);
    return body;
  }

  send(request: WireRequest): Promise<WebhookAnswer> {
    if (this.stopping) return Promise.resolve(WORKER_LOST);
    if (!this.alive) {
      this.restartSoon();
      return Promise.resolve(WORKER_LOST);
    }
    this.takeArrived();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.outbox.push({ id, request });
    });
  }

  /**
   * Whether a webhook could be stored now, asked of the worker (a real commit). Health checks
   * are public and may come often: one check serves every caller for CHECK_STORAGE_EVERY_MS.
   */
  checkStorage(): Promise<StorageCheck> {
    if (this.storageCheck && Date.now() - this.storageCheck.at < CHECK_STORAGE_EVERY_MS) return this.storageCheck.result;
    const result = this.askWorker();
    this.storageCheck = { at: Date.now(), result };
    return result;
  }

  private askWorker(): Promise<StorageCheck> {
    if (!this.alive || this.stopping) return Promise.resolve({ ...NO_WORKER });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.storageChecks.delete(id);
        resolve({ ...NO_WORKER, problem: `the ingest worker did not answer a test write within ${CHECK_STORAGE_TIMEOUT_MS} ms` });
      }, CHECK_STORAGE_TIMEOUT_MS);
      this.storageChecks.set(id, (check) => {
        clearTimeout(timer);
        resolve(check);
      });
      this.post({ type: "check-storage", id });
    });
  }

  /** Lets the worker close the database once every answer is in, then ends it. */
  async stop(): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + 5_000;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const stopped = new Promise<void>((resolve) => this.worker.once("exit", () => resolve()));
    this.post({ type: "stop" });
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2_000))]);
    await this.worker.terminate();
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /**
   * Handles what the worker has sent so far, now, instead of when the event loop gets to it.
   * Under load the loop reads many requests per turn before it delivers a message, and a
   * webhook's answer waited for that: about 10 ms more at the median at 50 concurrent requests
   * (decision 028, docs/performance-log.md). Each new request takes the answers that are in.
   */
  private takeArrived(port = this.fromWorker): void {
    for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
      this.handle(received.message as FromWorker);
    }
  }

  private handle(message: FromWorker): void {
    switch (message.type) {
      case "ready":
        this.alive = true;
        this.failedRestarts = 0;
        this.onReady?.();
        break;
      case "committed":
        this.sink?.events(message.events);
        break;
      case "rejected":
        this.sink?.rejections(message.rejections);
        break;
      case "responses":
        for (const { id, response } of message.responses) {
          this.pending.get(id)?.(response);
          this.pending.delete(id);
        }
        break;
      case "storage":
        this.storageChecks.get(message.id)?.(message.check);
        this.storageChecks.delete(message.id);
        break;
      case "stopped":
        void this.worker.terminate();
        break;
    }
  }

  private spawn(): Promise<void> {
    // The worker's writes run one transaction at a time (and a rejection beside it): on
    // PostgreSQL two connections are enough; the pool of DATABASE_POOL_SIZE serves the reads.
    const poolSize = String(Math.min(2, getConfig().databasePoolSize));
    const { port1: toHere, port2: fromWorker } = new MessageChannel();
    const worker = new Worker(this.workerFile, {
      env: { ...process.env, DATABASE_POOL_SIZE: poolSize },
      workerData: { toHost: toHere },
      transferList: [toHere],
    });
    this.worker = worker;
    this.fromWorker = fromWorker;
    return new Promise((resolve, reject) => {
      let ready = false;
      this.onReady = () => {
        ready = true;
        resolve();
      };
      fromWorker.on("message", (message: FromWorker) => this.handle(message));
      worker.on("error", (error) => {
        console.error("[ingest] worker failed:", error);
        if (!ready) reject(error);
      });
      worker.on("exit", (code) => {
        // What it sent before it ended counts: those answers follow their commits.
        this.takeArrived(fromWorker);
        fromWorker.close();
        this.alive = false;
        // Whatever it had not answered was not acknowledged: answer 503 so Vonage retries.
        for (const answer of this.pending.values()) answer(WORKER_LOST);
        this.pending.clear();
        if (!ready || this.stopping) return;
        console.error(`[ingest] worker exited (code ${code}); starting a new one`);
        this.restartSoon();
      });
    });
  }

  /** Starts a new worker: at once after a crash, then at most once a second while starts fail. */
  private restartSoon(): void {
    if (this.restarting || this.alive || this.stopping) return;
    this.restarting = true;
    setTimeout(
      () => {
        this.spawn()
          .catch((error: unknown) => {
            this.failedRestarts += 1;
            console.error("[ingest] could not restart the worker; webhooks get 503 until it starts:", error);
          })
          .finally(() => (this.restarting = false));
      },
      this.failedRestarts === 0 ? 0 : 1_000,
    ).unref();
  }
}
