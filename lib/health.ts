import { getConfig } from "@/lib/config";
import { storageStats } from "@/lib/events/query";

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
