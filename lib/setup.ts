import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { WEBHOOK_ENDPOINTS, type WebhookLevel } from "@/lib/webhooks/endpoints";

/**
 * What a new user needs to connect Vonage: the URLs to paste, whether signatures are
 * checked, and when each webhook last received a call (accepted or refused).
 */

export interface LastCall {
  at: string;
  outcome: "stored" | "refused";
  reason?: string;
  httpStatus: number;
}

export interface WebhookSetup {
  kind: string;
  level: WebhookLevel;
  label: string;
  dashboardField: string;
  url: string;
  lastCall: LastCall | null;
}

export interface SetupReport {
  baseUrl: string;
  publicUrlConfigured: boolean;
  signature: { configured: boolean; accounts: number; secrets: number; applicationId: string | null; maxAgeSeconds: number };
  smsSignature: { configured: boolean; mode: "verified" | "unverified" | "off"; method: string; secrets: number; maxAgeSeconds: number };
  webhooks: WebhookSetup[];
}

/** PUBLIC_URL, else the address the browser used (through a proxy, its forwarded host). */
function baseUrlOf(request: Request): string {
  const configured = getConfig().publicUrl;
  if (configured) return configured;
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

export async function setupReport(request: Request): Promise<SetupReport> {
  const config = getConfig();
  const db = getDatabase();
  const baseUrl = baseUrlOf(request);
  const webhooks = await Promise.all(
    WEBHOOK_ENDPOINTS.map(async (endpoint): Promise<WebhookSetup> => {
      const [event, rejection] = await Promise.all([
        db.event.findFirst({ where: { kind: endpoint.kind }, orderBy: { id: "desc" }, select: { receivedAt: true } }),
        db.rejection.findFirst({
          where: { endpoint: endpoint.path },
          orderBy: { id: "desc" },
          select: { receivedAt: true, reason: true, httpStatus: true },
        }),
      ]);
      const stored = event && { at: event.receivedAt, outcome: "stored" as const, httpStatus: 200 };
      const refused = rejection && {
        at: rejection.receivedAt,
        outcome: "refused" as const,
        reason: rejection.reason,
        httpStatus: rejection.httpStatus,
      };
      const last = [stored, refused].filter((c) => !!c).sort((a, b) => b.at.getTime() - a.at.getTime())[0];
      return {
        kind: endpoint.kind,
        level: endpoint.level,
        label: endpoint.label,
        dashboardField: endpoint.dashboardField,
        url: `${baseUrl}${endpoint.path}`,
        lastCall: last ? { ...last, at: last.at.toISOString() } : null,
      };
    }),
  );
  return {
    baseUrl,
    publicUrlConfigured: config.publicUrl !== undefined,
    signature: {
      configured: config.signatureConfigured,
      accounts: config.signatureSecrets.byApiKey.size,
      secrets: config.signatureSecrets.any.length + [...config.signatureSecrets.byApiKey.values()].reduce((n, list) => n + list.length, 0),
      applicationId: config.applicationId ?? null,
      maxAgeSeconds: config.signatureMaxAgeSeconds,
    },
    smsSignature: {
      configured: config.smsSignatureSecrets.length > 0,
      mode: config.smsVerificationMode,
      method: config.smsSignatureMethod,
      secrets: config.smsSignatureSecrets.length,
      maxAgeSeconds: config.smsSignatureMaxAgeSeconds,
    },
    webhooks,
  };
}
