import type { IncomingHttpHeaders } from "node:http";
import type { Config } from "@/lib/config";

/**
 * Which browser origins count as the console's own, for the gate's CSRF check and for the
 * Socket.IO handshake (docs/decisions/022-access-hardening.md). A page on another port of the
 * same host, or on a sibling subdomain, is the same *site*, so the SameSite=Lax cookie goes
 * with its requests: only the Origin tells them apart.
 */

type OriginSettings = Pick<Config, "publicUrl" | "allowedOrigins">;

/** True when the request came over HTTPS, as a TLS-terminating proxy reports it. */
export function isHttps(headers: IncomingHttpHeaders): boolean {
  return (
    String(headers["x-forwarded-proto"] ?? "")
      .split(",")[0]
      ?.trim() === "https"
  );
}

/** The origin this request was made to, as the browser saw it, then PUBLIC_URL's and ALLOWED_ORIGINS. */
export function ownOrigins(headers: IncomingHttpHeaders, config: OriginSettings): string[] {
  const host = String(headers["x-forwarded-host"] ?? headers.host ?? "");
  const proto = isHttps(headers) ? "https" : "http";
  return [`${proto}://${host}`, ...(config.publicUrl ? [new URL(config.publicUrl).origin] : []), ...config.allowedOrigins];
}

/**
 * For the live stream's handshake: a browser always sends Origin on a WebSocket upgrade and on
 * a cross-origin request; a client without one is not a browser page (a script with the API
 * token), so it cannot be a cross-site hijack.
 */
export function allowsOrigin(headers: IncomingHttpHeaders, config: OriginSettings): boolean {
  const origin = headers.origin;
  return origin === undefined || ownOrigins(headers, config).includes(origin);
}
