import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOCKET_PATH } from "@/lib/realtime/contract";
import { apiAuth, postWebhook, statusBody } from "@/test/support/http";
import { makeDataDir, startServer, type RunningServer } from "@/test/support/server";
import { TEST_API_TOKEN, TEST_SECRET } from "@/test/support/vonage";

/** Access hardening (docs/decisions/022-access-hardening.md): origins, redirects, sessions, bad input, file modes. */

const PASSWORD = "correct horse battery staple";
const OTHER_ORIGIN = "http://127.0.0.1:9999";
const LISTED_ORIGIN = "https://console.example.com";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    env: { VONAGE_SIGNATURE_SECRET: TEST_SECRET, DASHBOARD_PASSWORD: PASSWORD, ALLOWED_ORIGINS: LISTED_ORIGIN },
  });
  expect((await postWebhook(server.url, "status", statusBody({ message_uuid: "msg-1" }))).status).toBe(200);
});
afterAll(async () => {
  await server?.stop();
});

const raw = (base: string, p: string, init: RequestInit = {}) => fetch(`${base}${p}`, { redirect: "manual", ...init });

function postLogin(base: string, form: Record<string, string>): Promise<Response> {
  return raw(base, "/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
    body: new URLSearchParams(form),
  });
}

async function sessionCookie(base = server.url, password = PASSWORD): Promise<string> {
  const response = await postLogin(base, { password });
  expect(response.status).toBe(303);
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

/** A WebSocket handshake as a browser page sends it; resolves with the HTTP status (101 when accepted). */
function websocketHandshake(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${SOCKET_PATH}/?EIO=4&transport=websocket`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": Buffer.from("0123456789abcdef").toString("base64"),
        ...headers,
      },
    });
    request.on("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode!);
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on("error", reject);
    request.end();
  });
}

/** Connects over long-polling with the given headers; resolves with "connected" or the connect_error message. */
async function pollingConnect(extraHeaders: Record<string, string>): Promise<string> {
  const socket = io(server.url, { extraHeaders, auth: { after: 0 }, transports: ["polling"], reconnection: false });
  try {
    return await new Promise<string>((resolve) => {
      socket.on("events", () => resolve("connected"));
      socket.on("connect_error", (error) => resolve(error.message));
    });
  } finally {
    socket.disconnect();
  }
}

describe("Socket.IO refuses handshakes from other origins", () => {
  it("refuses a WebSocket upgrade from another origin, with a valid session", async () => {
    const cookie = await sessionCookie();
    expect(await websocketHandshake({ cookie, origin: OTHER_ORIGIN })).not.toBe(101);
    expect(await websocketHandshake({ cookie, origin: "null" })).not.toBe(101);
    // A sibling subdomain of the same site: the SameSite=Lax cookie is sent, the origin differs.
    expect(await websocketHandshake({ cookie, origin: "http://other.127.0.0.1.nip.io", host: "console.127.0.0.1.nip.io" })).not.toBe(101);
  });

  it("accepts a WebSocket upgrade from its own origin, from ALLOWED_ORIGINS, and without an Origin", async () => {
    const cookie = await sessionCookie();
    expect(await websocketHandshake({ cookie, origin: server.url })).toBe(101);
    expect(await websocketHandshake({ cookie, origin: LISTED_ORIGIN })).toBe(101);
    expect(await websocketHandshake({ cookie })).toBe(101);
    // Behind a proxy, the origin the browser saw.
    expect(
      await websocketHandshake({
        cookie,
        origin: "https://proxy.example",
        "x-forwarded-host": "proxy.example",
        "x-forwarded-proto": "https",
      }),
    ).toBe(101);
  });

  it("refuses long-polling from another origin and serves it from its own or without an Origin", async () => {
    const cookie = await sessionCookie();
    expect(await pollingConnect({ cookie, origin: OTHER_ORIGIN })).not.toBe("connected");
    expect(await pollingConnect({ cookie, origin: server.url })).toBe("connected");
    expect(await pollingConnect({ cookie })).toBe("connected");
  });
});

describe("login redirects go only to this console's own pages", () => {
  const ATTACKS = [
    "/\t/evil.example",
    "/\\evil.example",
    "//evil.example",
    "/\r\nset-cookie: x=1",
    "/\u3000/evil.example",
    "https://evil.example/",
  ];

  it.each(ATTACKS)("POST /login with next=%j lands on /", async (next) => {
    const response = await postLogin(server.url, { password: PASSWORD, next });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
  });

  it.each(ATTACKS)("GET /login?next=%j with a session lands on /", async (next) => {
    const response = await raw(server.url, `/login?next=${encodeURIComponent(next)}`, { headers: { cookie: await sessionCookie() } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
  });

  it("keeps a same-origin next with its query and fragment", async () => {
    const response = await postLogin(server.url, { password: PASSWORD, next: "/messages/msg-1?tab=raw#top" });
    expect(response.headers.get("location")).toBe("/messages/msg-1?tab=raw#top");
  });

  it("the one-click token URL lands on / for a foreign next", async () => {
    const own = await startServer();
    try {
      for (const next of ATTACKS) {
        const response = await fetch(`${own.loginUrl()}&next=${encodeURIComponent(next)}`, { redirect: "manual" });
        expect(response.status).toBe(303);
        expect(response.headers.get("location")).toBe("/");
      }
    } finally {
      await own.stop();
    }
  });
});

describe("sessions end when the login secret changes", () => {
  it("a cookie survives a restart with the same password, and not one with another password", async () => {
    const dataDir = makeDataDir();
    let own = await startServer({ dataDir, env: { DASHBOARD_PASSWORD: PASSWORD } });
    try {
      const cookie = await sessionCookie(own.url);
      await own.stop();
      own = await startServer({ dataDir, env: { DASHBOARD_PASSWORD: PASSWORD } });
      expect((await raw(own.url, "/api/events", { headers: { cookie } })).status).toBe(200);
      await own.stop();
      own = await startServer({ dataDir, env: { DASHBOARD_PASSWORD: "a different password" } });
      expect((await raw(own.url, "/api/events", { headers: { cookie } })).status).toBe(401);
      expect((await raw(own.url, "/", { headers: { cookie } })).status).toBe(303);
    } finally {
      await own.stop();
    }
  });

  it("a session opened with the generated access token ends when a password is set", async () => {
    const dataDir = makeDataDir();
    let own = await startServer({ dataDir });
    try {
      const response = await fetch(own.loginUrl(), { redirect: "manual" });
      const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
      expect((await raw(own.url, "/api/events", { headers: { cookie } })).status).toBe(200);
      await own.stop();
      own = await startServer({ dataDir, env: { DASHBOARD_PASSWORD: PASSWORD } });
      expect((await raw(own.url, "/api/events", { headers: { cookie } })).status).toBe(401);
    } finally {
      await own.stop();
    }
  });
});

describe("bad percent-encoding in a message id", () => {
  it("the API answers 400 JSON", async () => {
    const response = await raw(server.url, "/api/messages/%ff", { headers: apiAuth });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "bad_request" });
  });

  it("the page answers 404, not a server error", async () => {
    const response = await raw(server.url, "/messages/%ff", { headers: { cookie: await sessionCookie() } });
    expect(response.status).toBe(404);
  });

  it("a message id with a percent sign still works, encoded once", async () => {
    expect((await postWebhook(server.url, "status", statusBody({ message_uuid: "100%-real" }))).status).toBe(200);
    const response = await raw(server.url, `/api/messages/${encodeURIComponent("100%-real")}`, { headers: apiAuth });
    expect(response.status).toBe(200);
  });
});

describe("control characters in filters", () => {
  it.each(["text=%00", "text=a%1Fb", "phone=%7F", "status=%C2%85", "client_ref=%0A", "message_id=msg-1%00"])(
    "GET /api/events?%s answers 400",
    async (query) => {
      const response = await raw(server.url, `/api/events?${query}`, { headers: apiAuth });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/control character/);
    },
  );

  it("the export refuses them too", async () => {
    const response = await raw(server.url, "/api/events/export?format=csv&text=%00", { headers: apiAuth });
    expect(response.status).toBe(400);
  });

  it("the Socket.IO handshake refuses them", async () => {
    const socket = io(server.url, {
      auth: { token: TEST_API_TOKEN, after: 0, filter: { text: "\u0000" } },
      transports: ["websocket"],
      reconnection: false,
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.on("events", () => resolve("connected"));
      socket.on("connect_error", (error) => resolve(error.message));
    });
    socket.disconnect();
    expect(outcome).toMatch(/^bad filter: .*control character/);
  });

  it("ordinary text still filters", async () => {
    expect((await raw(server.url, "/api/events?text=hello%20world", { headers: apiAuth })).status).toBe(200);
  });
});

describe("the SQLite file is readable by its owner only", () => {
  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  it("creates the data folder 0700 and the database, -wal and -shm 0600", async () => {
    const dataDir = path.join(makeDataDir(), "fresh");
    const file = path.join(dataDir, "events.db");
    const own = await startServer({ dataDir, env: { DATABASE_URL: `file:${file}`, VONAGE_SIGNATURE_SECRET: TEST_SECRET } });
    try {
      expect((await postWebhook(own.url, "status", statusBody())).status).toBe(200);
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
    } finally {
      await own.stop();
    }
  });

  it("tightens an existing database file to 0600 at start", async () => {
    const dataDir = makeDataDir();
    const file = path.join(dataDir, "events.db");
    const env = { DATABASE_URL: `file:${file}` };
    let own = await startServer({ dataDir, env });
    await own.stop();
    fs.chmodSync(file, 0o644);
    own = await startServer({ dataDir, env });
    try {
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
    } finally {
      await own.stop();
    }
  });
});
