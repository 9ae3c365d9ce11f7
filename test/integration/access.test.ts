import fs from "node:fs";
import path from "node:path";
import { SignJWT } from "jose";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "@/lib/auth/session";
import { postWebhook, statusBody } from "@/test/support/http";
import { makeDataDir, startServer, type RunningServer } from "@/test/support/server";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/** Nobody reads message contents or phone numbers without logging in. */

const PASSWORD = "correct horse battery staple";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, DASHBOARD_PASSWORD: PASSWORD } });
  expect((await postWebhook(server.url, "status", statusBody({ message_uuid: "msg-1" }))).status).toBe(200);
});
afterAll(async () => {
  await server?.stop();
});

const raw = (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { redirect: "manual", ...init });

async function login(password = PASSWORD, origin = server.url): Promise<Response> {
  return raw("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams({ password, next: "/rejections" }),
  });
}

async function sessionCookie(): Promise<string> {
  const response = await login();
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie")!;
  expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  return cookie.split(";")[0]!;
}

const PAGES = ["/", "/rejections", "/setup", "/messages/msg-1"];
const APIS = [
  "/api/events",
  "/api/messages/msg-1",
  "/api/rejections",
  "/api/setup",
  "/api/events/export?format=csv",
  "/api/rejections/export?format=ndjson",
];

describe("without credentials", () => {
  it.each(PAGES)("page %s redirects to the login page", async (page) => {
    const response = await raw(page);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`/login?next=${encodeURIComponent(page)}`);
  });

  it.each(APIS)("API %s answers 401 JSON", async (api) => {
    const response = await raw(api);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "unauthorized" });
  });

  it("health answers liveness only, with no counts or configuration", async () => {
    const response = await raw("/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("the Socket.IO stream refuses the connection and sends nothing", async () => {
    const socket = io(server.url, { auth: { after: 0 }, transports: ["websocket"], reconnection: false });
    const received: unknown[] = [];
    socket.on("events", (events: unknown[]) => received.push(...events));
    const error = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
    expect(error.message).toBe("unauthorized");
    socket.disconnect();
    expect(received).toEqual([]);
  });

  it("webhooks stay public: their signature is their authentication", async () => {
    expect((await postWebhook(server.url, "inbound", statusBody())).status).toBe(200);
  });

  it("the login page and its assets are reachable", async () => {
    const response = await raw("/login");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('type="password"');
    expect(html).not.toMatch(/DASHBOARD_PASSWORD is (not )?set|no password/i);
  });
});

describe("with a session", () => {
  it("logs in with the password and lands on the page asked for", async () => {
    const response = await login();
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/rejections");
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect(cookie).not.toContain("Secure");
  });

  it("marks the cookie Secure behind HTTPS", async () => {
    const response = await raw("/login", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://console.example.com",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "console.example.com",
      },
      body: new URLSearchParams({ password: PASSWORD }),
    });
    expect(response.headers.get("set-cookie")).toContain("Secure");
  });

  it.each([...PAGES, ...APIS, "/api/health"])("%s is served", async (p) => {
    const response = await raw(p, { headers: { cookie: await sessionCookie() } });
    expect(response.status).toBe(200);
  });

  it("the detailed health needs the session", async () => {
    const response = await raw("/api/health", { headers: { cookie: await sessionCookie() } });
    expect(await response.json()).toMatchObject({ status: "ok", verification: { mode: "verified" }, events: expect.any(Number) });
  });

  it("the socket connects with the session cookie and receives events", async () => {
    const socket = io(server.url, { extraHeaders: { cookie: await sessionCookie() }, auth: { after: 0 }, transports: ["websocket"] });
    const events = await new Promise<unknown[]>((resolve, reject) => {
      socket.on("events", resolve);
      socket.on("connect_error", reject);
    });
    socket.disconnect();
    expect(events.length).toBeGreaterThan(0);
  });

  it("logging out ends the session everywhere: the cookie stops working and its sockets are dropped", async () => {
    const cookie = await sessionCookie();
    const socket = io(server.url, { extraHeaders: { cookie }, transports: ["websocket"], reconnection: false });
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    const dropped = new Promise((resolve) => socket.on("disconnect", resolve));

    const response = await raw("/logout", { method: "POST", headers: { cookie, origin: server.url } });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
    await dropped;
    expect((await raw("/api/events", { headers: { cookie } })).status).toBe(401);

    const again = io(server.url, { extraHeaders: { cookie }, transports: ["websocket"], reconnection: false });
    const error = await new Promise<Error>((resolve) => again.on("connect_error", resolve));
    expect(error.message).toBe("unauthorized");
    again.disconnect();
  });

  it("refuses a tampered cookie, an expired session and one signed with another key", async () => {
    const cookie = await sessionCookie();
    const [name, token] = cookie.split("=") as [string, string];
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, exp: (claims.exp as number) + 86400 * 365 })).toString("base64url");
    const tampered = `${name}=${header}.${forgedPayload}.${signature}`;
    expect((await raw("/api/events", { headers: { cookie: tampered } })).status).toBe(401);

    const key = new TextEncoder().encode(fs.readFileSync(path.join(server.dataDir, "session-secret"), "utf8").trim());
    const expired = await new SignJWT({ sid: "expired-session" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("vonage-webhook-console")
      .setSubject("dashboard")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    expect((await raw("/api/events", { headers: { cookie: `${SESSION_COOKIE}=${expired}` } })).status).toBe(401);
    expect((await raw("/", { headers: { cookie: `${SESSION_COOKIE}=${expired}` } })).status).toBe(303);

    const otherKey = await new SignJWT({ sid: "x" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("vonage-webhook-console")
      .setSubject("dashboard")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("some-other-key-that-is-long-enough-000000"));
    expect((await raw("/api/events", { headers: { cookie: `${SESSION_COOKIE}=${otherKey}` } })).status).toBe(401);
  });
});

describe("with the API token", () => {
  it.each([...APIS, "/api/health"])("%s is served to Authorization: Bearer", async (api) => {
    expect((await raw(api, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).status).toBe(200);
  });

  it.each(APIS)("%s refuses a wrong token", async (api) => {
    expect((await raw(api, { headers: { authorization: `Bearer ${TEST_API_TOKEN}x` } })).status).toBe(401);
  });

  it("the socket accepts auth.token and refuses a wrong one", async () => {
    const good = io(server.url, { auth: { token: TEST_API_TOKEN, after: 0 }, transports: ["websocket"] });
    await new Promise((resolve, reject) => {
      good.on("events", resolve);
      good.on("connect_error", reject);
    });
    good.disconnect();
    const bad = io(server.url, { auth: { token: "nope-nope-nope-nope" }, transports: ["websocket"], reconnection: false });
    expect((await new Promise<Error>((resolve) => bad.on("connect_error", resolve))).message).toBe("unauthorized");
    bad.disconnect();
  });

  it("is not a way into the pages", async () => {
    expect((await raw("/", { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } })).status).toBe(303);
  });
});

describe("hardening", () => {
  it("refuses a login posted from another site", async () => {
    expect((await login(PASSWORD, "https://evil.example")).status).toBe(403);
    expect((await login(PASSWORD, "null")).status).toBe(403);
    const crossSite = await raw("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site", origin: "null" },
      body: new URLSearchParams({ password: PASSWORD }),
    });
    expect(crossSite.status).toBe(403);
    // What a browser sends for its own form under Referrer-Policy: no-referrer.
    const ownForm = await raw("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", origin: "null" },
      body: new URLSearchParams({ password: PASSWORD }),
    });
    expect(ownForm.status).toBe(303);
  });

  it("refuses a cross-site logout", async () => {
    const cookie = await sessionCookie();
    expect((await raw("/logout", { method: "POST", headers: { cookie, origin: "https://evil.example" } })).status).toBe(403);
    expect((await raw("/api/events", { headers: { cookie } })).status).toBe(200);
  });

  it("slows repeated failed logins from one address with a growing delay, and logs them", async () => {
    // A separate server, so the other tests' logins don't share this address's record.
    const own = await startServer({ env: { DASHBOARD_PASSWORD: PASSWORD } });
    const attempt = (password: string) =>
      fetch(`${own.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: own.url },
        body: new URLSearchParams({ password }),
      });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      expect((await attempt("wrong-1")).headers.get("location")).toMatch(/error=invalid/);
      expect((await attempt("wrong-2")).headers.get("location")).toMatch(/error=invalid/);
      const waits: number[] = [];
      for (const pause of [600, 1100]) {
        const refused = await attempt("wrong");
        expect(refused.status).toBe(429);
        waits.push(Number(refused.headers.get("retry-after")));
        await sleep(pause);
        expect((await attempt("wrong-again")).headers.get("location")).toMatch(/error=invalid/);
      }
      const refused = await attempt(PASSWORD);
      expect(refused.status).toBe(429);
      waits.push(Number(refused.headers.get("retry-after")));
      expect(waits).toEqual([1, 1, 2]);
      expect(own.output()).toMatch(/\[auth\] failed login from 127\.0\.0\.1 \(4 in a row\)/);
    } finally {
      await own.stop();
    }
  });

  it("sends security headers with every page and API answer", async () => {
    const cookie = await sessionCookie();
    for (const p of ["/", "/login", "/api/events"]) {
      const response = await raw(p, { headers: { cookie } });
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-eval");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
  });

  it("puts the nonce on every script of a page and loads nothing from other sites", async () => {
    const response = await raw("/", { headers: { cookie: await sessionCookie() } });
    const nonce = /'nonce-([^']+)'/.exec(response.headers.get("content-security-policy")!)![1];
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\/(?!127\.0\.0\.1)/);
  });

  it("never shows secrets in logs or API answers", async () => {
    const cookie = await sessionCookie();
    const key = fs.readFileSync(path.join(server.dataDir, "session-secret"), "utf8").trim();
    const answers = await Promise.all(
      ["/api/health", "/api/setup", "/api/rejections", "/api/events"].map(async (p) => (await raw(p, { headers: { cookie } })).text()),
    );
    for (const text of [server.output(), ...answers]) {
      for (const secret of [PASSWORD, TEST_API_TOKEN, TEST_SECRET, key]) expect(text).not.toContain(secret);
    }
  });
});

describe("without a password: the generated access token", () => {
  it("prints a one-click URL that logs in, keeps its keys owner-only, and survives a restart", async () => {
    const dataDir = makeDataDir();
    let own = await startServer({ dataDir });
    try {
      const url = own.loginUrl();
      const token = new URL(url).searchParams.get("token")!;
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(fs.statSync(path.join(dataDir, "access-token")).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(dataDir, "session-secret")).mode & 0o777).toBe(0o600);

      const response = await fetch(url, { redirect: "manual" });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("/");
      const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
      expect((await fetch(`${own.url}/api/events`, { headers: { cookie } })).status).toBe(200);

      const wrong = await fetch(`${own.url}/login?token=${token}x`, { redirect: "manual" });
      expect(wrong.headers.get("location")).toBe("/login?error=invalid");
      expect(wrong.headers.get("set-cookie")).toBeNull();

      // The token also works in the login form, and localhost gets no exemption.
      const form = await fetch(`${own.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: own.url },
        body: new URLSearchParams({ password: token }),
      });
      expect(form.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
      expect((await fetch(`${own.url}/api/events`)).status).toBe(401);

      await own.stop();
      own = await startServer({ dataDir });
      expect(new URL(own.loginUrl()).searchParams.get("token")).toBe(token);
      expect((await fetch(`${own.url}/api/events`, { headers: { cookie } })).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  it("uses SESSION_SECRET when given, writing no key file", async () => {
    const dataDir = makeDataDir();
    const own = await startServer({ dataDir, env: { SESSION_SECRET: "s".repeat(40), DASHBOARD_PASSWORD: PASSWORD } });
    try {
      expect(fs.existsSync(path.join(dataDir, "session-secret"))).toBe(false);
      expect(fs.existsSync(path.join(dataDir, "access-token"))).toBe(false);
      expect(own.output()).not.toContain("login?token=");
    } finally {
      await own.stop();
    }
  });
});
