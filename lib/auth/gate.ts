import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "@/lib/config";
import type { AuthKeys } from "@/lib/auth/keys";
import {
  clearedSessionCookie,
  createSession,
  revokeSession,
  sessionCookie,
  sessionTokenFromCookie,
  verifySession,
  type Session,
} from "@/lib/auth/session";
import { allowsOrigin, isHttps, ownOrigins } from "@/lib/auth/origin";
import { PRINCIPAL_HEADER } from "@/lib/auth/principal";
import { createLoginThrottle } from "@/lib/auth/throttle";
import { bearerToken } from "@/lib/http/headers";
import { contentSecurityPolicy, newNonce, securityHeaders } from "@/lib/http/security-headers";
import { sha256 } from "@/lib/sha256";

/**
 * The one gate in front of everything (server.ts calls it for every HTTP request and every
 * Socket.IO handshake). Webhooks stay public: their signature is their authentication.
 * Everything else that shows message contents or phone numbers needs a session (password
 * or one-click access token) or the API token. See docs/decisions/007-access-control.md.
 */

export type Principal = { kind: "session"; session: Session } | { kind: "api-token" };

const LOGIN_BODY_LIMIT = 4096;
const PUBLIC_PREFIXES = ["/_next/static/"];
const PUBLIC_PATHS = new Set(["/login", "/icon.svg", "/favicon.ico", "/robots.txt", "/api/health"]);
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Constant-time string comparison (hashing first makes the lengths equal). */
function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

export interface Gate {
  /** True when the gate answered the request itself; otherwise hand it on to Next. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** For Socket.IO: the principal of a handshake, or null. */
  authenticate(headers: IncomingMessage["headers"], token?: unknown): Promise<Principal | null>;
  /** For Socket.IO: false when a browser page of another origin makes the handshake. */
  allowsOrigin(headers: IncomingMessage["headers"]): boolean;
  close(): Promise<void>;
}

export function createGate(config: Config, keys: AuthKeys, hooks: { onLogout?: (session: Session) => void } = {}): Gate {
  const throttle = createLoginThrottle(config.redisUrl);
  const dev = config.nodeEnv !== "production";

  async function authenticate(headers: IncomingMessage["headers"], bearer?: unknown): Promise<Principal | null> {
    if (config.dashboardApiToken && typeof bearer === "string" && secretEquals(bearer, config.dashboardApiToken)) {
      return { kind: "api-token" };
    }
    const token = sessionTokenFromCookie(headers.cookie);
    if (!token) return null;
    const session = await verifySession(token, keys.sessionKey, keys.loginFingerprint);
    return session ? { kind: "session", session } : null;
  }

  const isSecure = (req: IncomingMessage) => isHttps(req.headers);

  function clientAddress(req: IncomingMessage): string {
    const forwarded = config.trustProxy
      ? String(req.headers["x-forwarded-for"] ?? "")
          .split(",")[0]
          ?.trim()
      : "";
    return forwarded || req.socket.remoteAddress || "unknown";
  }

  /**
   * CSRF: a state-changing browser request must come from one of our own pages. Browsers
   * say so in Sec-Fetch-Site; older ones send Origin (with Referrer-Policy: no-referrer,
   * Chromium sends `Origin: null` on form posts, so Sec-Fetch-Site comes first). A request
   * with neither is not from a browser, and cannot be a cross-site forgery. This is the
   * algorithm of Go's http.CrossOriginProtection.
   */
  function sameOrigin(req: IncomingMessage): boolean {
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined) return site === "same-origin" || site === "none";
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return ownOrigins(req.headers, config).includes(origin);
  }

  function redirect(res: ServerResponse, location: string, cookies: string[] = []): true {
    res.statusCode = 303;
    res.setHeader("location", location);
    res.setHeader("cache-control", "no-store");
    if (cookies.length) res.setHeader("set-cookie", cookies);
    res.end();
    return true;
  }

  function json(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): true {
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.end(JSON.stringify(body));
    return true;
  }

  async function startSession(req: IncomingMessage, res: ServerResponse, next: string): Promise<true> {
    const { token } = await createSession(keys.sessionKey, config.sessionMaxAgeSeconds, keys.loginFingerprint);
    return redirect(res, next, [sessionCookie(token, { secure: isSecure(req), maxAgeSeconds: config.sessionMaxAgeSeconds })]);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<true> {
    if (!sameOrigin(req)) return json(res, 403, { error: "forbidden", detail: "cross-site login refused" });
    const form = new URLSearchParams(await readBody(req, LOGIN_BODY_LIMIT));
    const next = safeNext(form.get("next"));
    const address = clientAddress(req);
    const password = form.get("password") ?? "";
    const expected = config.dashboardPassword ?? keys.accessToken;
    const attempt = await throttle.attempt(address, () => Boolean(expected && password && secretEquals(password, expected)));
    if (attempt.outcome === "wait") {
      const seconds = Math.ceil(attempt.waitMs / 1000);
      res.setHeader("retry-after", String(seconds));
      return redirectWithStatus(res, 429, `/login?error=wait&seconds=${seconds}&next=${encodeURIComponent(next)}`);
    }
    if (attempt.outcome === "accepted") return startSession(req, res, next);
    console.warn(`[auth] failed login from ${address} (${attempt.failures} in a row)`);
    return redirect(res, `/login?error=invalid&next=${encodeURIComponent(next)}`);
  }

  /** A refusal that still shows the login page, with the status code telling scripts why. */
  function redirectWithStatus(res: ServerResponse, status: number, location: string): true {
    res.statusCode = status;
    res.setHeader("location", location);
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.end(
      `<!doctype html><meta http-equiv="refresh" content="0;url=${location.replace(/"/g, "&quot;")}"><p>Too many attempts. <a href="${location.replace(/"/g, "&quot;")}">Back to login</a></p>`,
    );
    return true;
  }

  async function tokenLogin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<true> {
    const address = clientAddress(req);
    const token = url.searchParams.get("token") ?? "";
    const attempt = await throttle.attempt(address, () => Boolean(keys.accessToken && secretEquals(token, keys.accessToken)));
    // Redirecting drops the token from the address bar (and from the browser's history entry).
    if (attempt.outcome === "accepted") return startSession(req, res, safeNext(url.searchParams.get("next")));
    if (attempt.outcome === "refused") console.warn(`[auth] failed one-click login from ${address} (${attempt.failures} in a row)`);
    return redirect(res, "/login?error=invalid");
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<true> {
    if (!sameOrigin(req)) return json(res, 403, { error: "forbidden", detail: "cross-site logout refused" });
    const principal = await authenticate(req.headers);
    if (principal?.kind === "session") {
      await revokeSession(principal.session);
      hooks.onLogout?.(principal.session);
    }
    return redirect(res, "/login?logged_out=1", [clearedSessionCookie(isSecure(req))]);
  }

  return {
    authenticate: (headers, token) => authenticate(headers, token),
    allowsOrigin: (headers) => allowsOrigin(headers, config),
    close: () => throttle.close(),

    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://console.invalid");
      const path = url.pathname;
      const method = req.method ?? "GET";
      delete req.headers[PRINCIPAL_HEADER];

      // Webhooks answer JSON to Vonage: no page, no nonce; the hot path stays lean.
      if (path.startsWith("/webhooks/")) {
        res.setHeader("x-content-type-options", "nosniff");
        return false;
      }
      const nonce = newNonce();
      const csp = contentSecurityPolicy(nonce, dev);
      for (const [name, value] of Object.entries(securityHeaders(csp))) res.setHeader(name, value);
      // Next.js takes the nonce for its own scripts from the request's CSP header.
      req.headers["content-security-policy"] = csp;

      if (PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix))) return false;
      if (path === "/login" && method === "POST") return login(req, res);
      if (path === "/login" && url.searchParams.has("token")) return tokenLogin(req, res, url);
      if (path === "/logout" && method === "POST") return logout(req, res);

      const bearer = bearerToken(req.headers.authorization);
      const principal = await authenticate(req.headers, path.startsWith("/api/") ? bearer : undefined);
      if (principal) {
        if (STATE_CHANGING.has(method) && principal.kind === "session" && !sameOrigin(req)) {
          return json(res, 403, { error: "forbidden", detail: "cross-site request refused" });
        }
        req.headers[PRINCIPAL_HEADER] = principal.kind;
        if (path === "/login") return redirect(res, safeNext(url.searchParams.get("next")));
        // Next.js answers 500 when it cannot decode a path parameter (/messages/%ff).
        if (!decodesAsUri(path)) {
          if (path.startsWith("/api/"))
            return json(res, 400, { error: "bad_request", detail: "the path (a message id?) has invalid percent-encoding" });
          return notFoundPage(res);
        }
        return false;
      }
      if (PUBLIC_PATHS.has(path)) return false;
      if (path.startsWith("/api/")) {
        return json(
          res,
          401,
          { error: "unauthorized", detail: "log in, or send Authorization: Bearer <DASHBOARD_API_TOKEN>" },
          {
            "www-authenticate": 'Bearer realm="vonage-webhook-console"',
          },
        );
      }
      return redirect(res, `/login?next=${encodeURIComponent(path + url.search)}`);
    },
  };
}

const PLACEHOLDER_ORIGIN = "http://console.invalid";

/**
 * Where to go after logging in: a path on this console, else "/". Browsers drop tabs and
 * newlines from a Location and read a backslash as a slash, so `/\t/evil.example` would leave
 * the site; anything with a control character, a backslash or whitespace is refused, and what
 * is left must resolve to the console's own origin. The answer is the parsed path, query and
 * fragment, percent-encoded by the URL parser, so it is always a valid header value.
 */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || /[\p{Cc}\\\s]/u.test(next) || !URL.canParse(next, PLACEHOLDER_ORIGIN)) {
    return "/";
  }
  const url = new URL(next, PLACEHOLDER_ORIGIN);
  return url.origin === PLACEHOLDER_ORIGIN ? url.pathname + url.search + url.hash : "/";
}

function decodesAsUri(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** A page path whose percent-encoding is broken names nothing. */
function notFoundPage(res: ServerResponse): true {
  res.statusCode = 404;
  res.setHeader("content-type", "text/html; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  res.end(
    '<!doctype html><title>Not found</title><p>Not a valid address or message id: its percent-encoding is broken.</p><p><a href="/">Back to the timeline</a></p>',
  );
  return true;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
