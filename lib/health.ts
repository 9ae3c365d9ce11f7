import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { storageStats } from "@/lib/events/query";

/** Liveness only: is the process up and the database answering. Nothing else is disclosed. */
export async function livenessReport(): Promise<{ status: "ok" | "degraded" }> {
  try {
    await getDatabase().$queryRawUnsafe("SELECT 1");
    return { status: "ok" };
  } catch {
    return { status: "degraded" };
  }
}

/**
 * What GET /api/health reports. Verification that is off is said loudly: every event
 * stored in that mode is marked unverified.
 */
export async function healthReport() {
  const config = getConfig();
  const verification = config.signatureConfigured
    ? { mode: "verified" as const, maxAgeSeconds: config.signatureMaxAgeSeconds, applicationId: config.applicationId ?? null }
    : {
        mode: "unverified" as const,
        warning: "VONAGE_SIGNATURE_SECRET is not set: webhooks are accepted without checking their signature and stored as unverified",
      };
  try {
    const stats = await storageStats();
    return { status: "ok" as const, database: { kind: config.databaseKind, reachable: true }, verification, ...stats };
  } catch (error) {
    return {
      status: "degraded" as const,
      database: { kind: config.databaseKind, reachable: false, error: (error as Error).message },
      verification,
    };
  }
}
