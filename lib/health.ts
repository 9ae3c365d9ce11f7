import { getConfig, type Config } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { integrityProblem, integrityState } from "@/lib/db/integrity";
import type { StorageCheck } from "@/lib/db/storage-check";
import { storageStats } from "@/lib/events/query";
import { ingestWorker, NO_WORKER } from "@/lib/ingest/channel";

/**
 * What GET /api/health answers. "ok" means a webhook could be stored right now: the database
 * answers, a test write commits, its disk has room, and the file is not known to be damaged
 * (lib/db/storage-check.ts, lib/db/integrity.ts). Anything else is "degraded" (503), so a load
 * balancer sends Vonage elsewhere and a monitor says why.
 */

/** Liveness for anyone: the status only, nothing else is disclosed. */
export async function livenessReport(): Promise<{ status: "ok" | "degraded" }> {
  const { problems } = await storageHealth();
  return { status: problems.length === 0 ? "ok" : "degraded" };
}

async function storageHealth(): Promise<{ reachable: boolean; error: string | null; storage: StorageCheck | null; problems: string[] }> {
  const problems: string[] = [];
  let reachable = true;
  let error: string | null = null;
  try {
    await getDatabase().$queryRawUnsafe("SELECT 1");
  } catch (e) {
    reachable = false;
    error = (e as Error).message;
    problems.push(`the database does not answer: ${error}`);
  }
  // Asked of the ingest worker, which owns the write path.
  const storage = reachable ? await (ingestWorker().current?.checkStorage() ?? { ...NO_WORKER }) : null;
  if (storage?.problem) problems.push(storage.problem);
  const damaged = getConfig().databaseKind === "sqlite" ? integrityProblem() : null;
  if (damaged) problems.push(damaged);
  return { reachable, error, storage, problems };
}

/**
 * The detailed report, for a session or the API token. Verification that is off is said loudly:
 * every event stored in that mode is marked unverified. The SMS API endpoints have a mode of
 * their own: a Messages API secret does not check their `sig`.
 */
export async function healthReport() {
  const config = getConfig();
  const verification = config.signatureConfigured
    ? { mode: "verified" as const, maxAgeSeconds: config.signatureMaxAgeSeconds, applicationId: config.applicationId ?? null }
    : {
        mode: "unverified" as const,
        warning: "VONAGE_SIGNATURE_SECRET is not set: webhooks are accepted without checking their signature and stored as unverified",
      };
  const smsVerification = smsVerificationOf(config);
  const { reachable, error, storage, problems } = await storageHealth();
  const status = problems.length === 0 ? ("ok" as const) : ("degraded" as const);
  const integrity = config.databaseKind === "sqlite" ? integrityState() : null;
  const database = { kind: config.databaseKind, reachable, ...(error ? { error } : {}), storage, integrity, problems };
  if (!reachable) return { status, database, verification, smsVerification };
  try {
    return { status, database, verification, smsVerification, ...(await storageStats()) };
  } catch (e) {
    return {
      status: "degraded" as const,
      database: { ...database, problems: [...problems, (e as Error).message] },
      verification,
      smsVerification,
    };
  }
}

function smsVerificationOf(config: Config) {
  switch (config.smsVerificationMode) {
    case "verified":
      return { mode: "verified" as const, method: config.smsSignatureMethod, maxAgeSeconds: config.smsSignatureMaxAgeSeconds };
    case "off":
      return { mode: "off" as const, detail: "SMS_API_WEBHOOKS=off: /webhooks/inbound-sms and /webhooks/delivery-receipt answer 404" };
    case "unverified":
      return {
        mode: "unverified" as const,
        warning:
          "VONAGE_SMS_SIGNATURE_SECRET is not set: SMS API webhooks (/webhooks/inbound-sms, /webhooks/delivery-receipt) are accepted without a signature and stored as unverified; set it to refuse unsigned ones, or SMS_API_WEBHOOKS=off if the account does not use them",
      };
  }
}
