import { createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "@/lib/config";

/**
 * The secrets behind dashboard access. The session-signing key comes from SESSION_SECRET,
 * or is generated once and kept in the data folder (owner-only) so restarts keep everyone
 * logged in. Without DASHBOARD_PASSWORD, a random access token is generated and kept the
 * same way; it is what the one-click login URL carries.
 */

/** Characters of the login secret's fingerprint kept in each session (96 bits of HMAC-SHA256). */
const FINGERPRINT_LENGTH = 16;

export interface AuthKeys {
  sessionKey: Uint8Array;
  /** The generated access token, only when no password is configured. */
  accessToken: string | null;
  /**
   * A short HMAC of the login secret (the password, or the access token) under the session key.
   * Every session carries it, so changing the secret ends every session opened with the old one.
   */
  loginFingerprint: string;
}

/** Reads a secret file, or creates it with a fresh random value readable only by its owner. */
function readOrCreateSecretFile(file: string, bytes: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 32) {
      fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const value = randomBytes(bytes).toString("base64url");
  // "wx" fails if another process created it meanwhile; then read what it wrote.
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: "wx" });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw error;
  }
}

export function loadAuthKeys(config: Config): AuthKeys {
  const sessionKeyFile = config.sessionSecret ? null : path.join(config.dataDir, "session-secret");
  const sessionSecret = config.sessionSecret ?? readOrCreateSecretFile(sessionKeyFile!, 48);
  const accessTokenFile = config.dashboardPassword ? null : path.join(config.dataDir, "access-token");
  const accessToken = accessTokenFile ? readOrCreateSecretFile(accessTokenFile, 24) : null;
  const sessionKey = new TextEncoder().encode(sessionSecret);
  return {
    sessionKey,
    accessToken,
    loginFingerprint: loginFingerprint(sessionKey, config.dashboardPassword ?? accessToken!),
  };
}

export function loginFingerprint(sessionKey: Uint8Array, loginSecret: string): string {
  return createHmac("sha256", sessionKey).update(`login-secret:${loginSecret}`).digest("base64url").slice(0, FINGERPRINT_LENGTH);
}
