import { getConfig } from "@/lib/config";
import { isDatabaseBusy } from "@/lib/db/client";
import { noteWriteOutcome } from "@/lib/db/storage-check";
import type { WriteOutcome } from "@/lib/events/batch";
import { newEventToJson, newRejectionToJson } from "@/lib/events/records";
import { RejectionSampler, type StoredRejection } from "@/lib/events/rejection-sampling";
import type { CommitSink, EventKind, RejectionJson, Verification } from "@/lib/events/types";
import { writeEvents, writeRejections as writeRejectionBatch } from "@/lib/events/write";
import { BatchWriter } from "@/lib/events/writer";
import { remember } from "@/lib/remember";
import { sha256 } from "@/lib/sha256";
import type { JsonObject } from "@/lib/vonage/content";
import type { NormalizedEvent } from "@/lib/vonage/payload";

/**
 * The write side: idempotent, durable storage of events and rejections. A caller's
 * promise resolves only after the event is committed; committed events and rejections are
 * then handed to the commit listener (the ingest worker's, which posts them to the HTTP
 * thread for the live layer).
 */

export interface NewEvent extends NormalizedEvent {
  kind: EventKind;
  concat: { ref: string; part: number; total: number } | null;
  wireForm: string | null;
  receivedAt: Date;
  verification: Verification;
  hashForm: string | null;
  apiKey: string | null;
  applicationId: string | null;
  rawBody: string;
  payload: JsonObject;
  headers: Record<string, string>;
  /** What identifies a retry of this delivery; defaults to the raw body. */
  dedupeContent?: string;
  /**
   * The verified token's jti: the same signed token seen again is a replay, whatever body or
   * endpoint it comes with (lib/events/batch.ts). Null when unverified or the token has none.
   */
  tokenId: string | null;
}

export interface RecordResult {
  id: number;
  duplicate: boolean;
}

export interface NewRejection {
  receivedAt: Date;
  endpoint: string;
  method: string;
  reason: string;
  detail: string;
  httpStatus: number;
  sourceIp: string | null;
  headers: Record<string, string>;
  tokenClaims: Record<string, unknown> | null;
  body: string;
  bodyBytes: number;
  bodyTruncated: boolean;
}

/**
 * A retried delivery repeats its content; endpoint + content identify an event. For the
 * Messages API that is the raw body byte for byte; SMS API callers pass their parameters
 * without the signing fields (lib/webhooks/receive-sms.ts).
 */
function dedupeKeyOf(kind: EventKind, content: string): string {
  return sha256(`${kind}\n${content}`).toString("hex");
}

/**
 * Who is told of committed events and rejections, in commit order, before their callers' promises resolve:
 * the ingest worker (lib/ingest/worker.ts). One listener, set once; none in a process that
 * only stores (scripts, the benchmark's bare server).
 */
export function setCommitListener(listener: CommitSink | undefined): void {
  commitListener().current = listener;
}

function commitListener(): { current?: CommitSink } {
  return remember("commit-listener", (): { current?: CommitSink } => ({}));
}

function eventWriter(): BatchWriter<NewEvent, WriteOutcome> {
  return remember(
    "event-writer",
    () =>
      new BatchWriter<NewEvent, WriteOutcome>({
        writeBatch: (events) =>
          noting(() =>
            writeEvents(
              events,
              events.map((e) => dedupeKeyOf(e.kind, e.dedupeContent ?? e.rawBody)),
            ),
          ),
        isRetryable: isDatabaseBusy,
        retryForMs: getConfig().databaseBusyTimeoutMs,
        afterCommit: (outcomes) => {
          const listener = commitListener().current;
          const fresh = outcomes.filter((o) => !o.duplicate);
          if (listener && fresh.length > 0) listener.events(fresh.map((o) => newEventToJson(o.id, o.event)));
        },
      }),
  );
}

/** Runs one batch's write, telling the health check whether it worked (lib/db/storage-check.ts). */
async function noting<T>(write: () => Promise<T>): Promise<T> {
  try {
    const result = await write();
    noteWriteOutcome();
    return result;
  } catch (error) {
    noteWriteOutcome(error);
    throw error;
  }
}

/** Stores one event (or counts a duplicate); resolves after commit. */
export async function recordEvent(event: NewEvent): Promise<RecordResult> {
  const { id, duplicate } = await eventWriter().write(event);
  return { id, duplicate };
}

function rejectionWriter(): BatchWriter<StoredRejection, RejectionJson> {
  return remember(
    "rejection-writer",
    () =>
      new BatchWriter<StoredRejection, RejectionJson>({
        writeBatch: (rejections) =>
          noting(async () => {
            const ids = await writeRejectionBatch(rejections, getConfig().rejectionsMaxRows);
            return rejections.map((r, i) => newRejectionToJson(ids[i]!, r));
          }),
        isRetryable: isDatabaseBusy,
        retryForMs: getConfig().databaseBusyTimeoutMs,
        afterCommit: (rows) => commitListener().current?.rejections(rows),
      }),
  );
}

/** Past the full ones, one refusal in this many from an address is kept, with this much of its body. */
const SAMPLE_EVERY = 100;
const SAMPLE_BODY_BYTES = 4 * 1024;
/** Addresses tracked at once: a few hundred bytes each. */
const MAX_SAMPLED_ADDRESSES = 10_000;
/** Refusals kept in full per window, all addresses together, as a multiple of the per-address number. */
const FULL_PER_WINDOW_FACTOR = 10;

/**
 * The one sampler of this process (the ingest worker, where refusals are recorded). A timer
 * writes the summary rows of windows that close with refusals not yet counted on a row.
 */
function rejectionSampler(): RejectionSampler {
  return remember("rejection-sampler", () => {
    const config = getConfig();
    const windowMs = config.rejectionsWindowSeconds * 1000;
    const sampler = new RejectionSampler({
      windowMs,
      fullPerAddress: config.rejectionsFullPerAddress,
      fullPerWindow: config.rejectionsFullPerAddress * FULL_PER_WINDOW_FACTOR,
      sampleEvery: SAMPLE_EVERY,
      sampleBodyBytes: SAMPLE_BODY_BYTES,
      maxAddresses: MAX_SAMPLED_ADDRESSES,
    });
    setInterval(() => void writeRejections(sampler.closeExpired(Date.now())), Math.min(windowMs, 1000)).unref();
    return sampler;
  });
}

async function writeRejections(rows: StoredRejection[]): Promise<void> {
  await Promise.all(rows.map((row) => rejectionWriter().write(row)));
}

/**
 * Records a refused delivery, in full, as a sample or as a count (lib/events/rejection-sampling.ts);
 * resolves after commit of whatever it stored.
 */
export function recordRejection(rejection: NewRejection): Promise<void> {
  return writeRejections(rejectionSampler().admit(rejection, Date.now()));
}
