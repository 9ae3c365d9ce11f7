import { randomUUID } from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { getDatabase } from "@/lib/db/client";

/**
 * Dashboard sessions: a jose-signed token (HS256) in an HttpOnly, SameSite=Lax cookie,
 * Secure behind HTTPS. Logging out records the session id as revoked, so the token stops
 * working at once, on every instance, before it expires. Each token also carries the login
 * secret's fingerprint (lib/auth/keys.ts): a new password or access token ends older sessions.
 */

export const SESSION_COOKIE = "vwc_session";
const ISSUER = "vonage-webhook-console";

export interface Session {
  sid: string;
  expiresAt: Date;
}

export async function createSession(
  key: Uint8Array,
  maxAgeSeconds: number,
  loginFingerprint: string,
): Promise<{ token: string; session: Session }> {
  const sid = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ sid, lsf: loginFingerprint })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setSubject("dashboard")
    .setIssuedAt(now)
    .setExpirationTime(now + maxAgeSeconds)
    .sign(key);
  return { token, session: { sid, expiresAt: new Date((now + maxAgeSeconds) * 1000) } };
}

/**
 * The session a token stands for, or null if it is forged, tampered with, expired, revoked, or
 * was opened with another login secret.
 */
export async function verifySession(token: string, key: Uint8Array, loginFingerprint: string): Promise<Session | null> {
  let sid: unknown;
  let exp: number | undefined;
  let fingerprint: unknown;
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer: ISSUER, subject: "dashboard" });
    sid = payload.sid;
    exp = payload.exp;
    fingerprint = payload.lsf;
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
  if (typeof sid !== "string" || exp === undefined || fingerprint !== loginFingerprint) return null;
  const revoked = await getDatabase().revokedSession.findUnique({ where: { sid }, select: { sid: true } });
  return revoked ? null : { sid, expiresAt: new Date(exp * 1000) };
}

export async function revokeSession(session: Session): Promise<void> {
  const db = getDatabase();
  const now = new Date();
  await db.revokedSession.upsert({
    where: { sid: session.sid },
    create: { sid: session.sid, revokedAt: now, expiresAt: session.expiresAt },
    update: {},
  });
  // Revocations outlive their sessions by nothing: expired ones can go.
  await db.revokedSession.deleteMany({ where: { expiresAt: { lt: now } } });
}

export function sessionCookie(token: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${options.maxAgeSeconds}`,
    options.secure ? "Secure" : "",
  ]
    .filter(Boolean)
    .join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, "Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=0", secure ? "Secure" : ""].filter(Boolean).join("; ");
}

/** The session cookie's value from a Cookie header. */
export function sessionTokenFromCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return rest.join("=") || null;
  }
  return null;
}
