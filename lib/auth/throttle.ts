import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { createClient } from "redis";
import { redisReconnectStrategy } from "@/lib/realtime/redis";

/**
 * Slows password guessing per source address: after the first failure, each further
 * attempt must wait a delay that doubles with every failure (0.5 s, 1 s, 2 s … capped at
 * 30 s). Attempts inside the wait are refused without being checked. A success, or 15
 * quiet minutes, forgets the address.
 *
 * The failures are counted with rate-limiter-flexible: in Redis when REDIS_URL is set, so
 * every instance sees the same count, else in memory. While Redis is away, an in-memory
 * limiter of the same library counts instead (its insurance limiter), so a login never fails
 * because Redis is down (docs/decisions/022-access-hardening.md).
 */

const FORGET_AFTER_SECONDS = 15 * 60;
const KEY_PREFIX = "vwc:login-failures";

export function delayAfterFailures(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(500 * 2 ** (failures - 2), 30_000);
}

export type LoginAttempt = { outcome: "wait"; waitMs: number } | { outcome: "accepted" } | { outcome: "refused"; failures: number };

export class LoginThrottle {
  /** The attempt each address has in progress on this instance: the next one waits for it. */
  private inProgress = new Map<string, Promise<unknown>>();

  constructor(
    private readonly failures: RateLimiterAbstract,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  /**
   * One login attempt from an address: refused unchecked while it must wait, otherwise `check`
   * decides and the outcome is recorded. An address's attempts run one after another, as they
   * did when the count was a synchronous map: parallel guesses must not all pass the same check
   * of the wait before any of their failures is counted.
   */
  attempt(address: string, check: () => boolean): Promise<LoginAttempt> {
    const previous = this.inProgress.get(address) ?? Promise.resolve();
    const result = previous.then(() => this.decide(address, check));
    const done = result.catch(() => undefined);
    this.inProgress.set(address, done);
    void done.then(() => {
      if (this.inProgress.get(address) === done) this.inProgress.delete(address);
    });
    return result;
  }

  /** 0 if the address may try now, else the milliseconds it must still wait. */
  async waitMs(address: string): Promise<number> {
    const record = await this.failures.get(address);
    if (!record) return 0;
    // Every failure restarts the record's expiry, so its age tells when the last one was.
    const sinceLastFailure = FORGET_AFTER_SECONDS * 1000 - record.msBeforeNext;
    return Math.max(0, delayAfterFailures(record.consumedPoints) - sinceLastFailure);
  }

  close(): Promise<void> {
    return this.onClose();
  }

  private async decide(address: string, check: () => boolean): Promise<LoginAttempt> {
    const waitMs = await this.waitMs(address);
    if (waitMs > 0) return { outcome: "wait", waitMs };
    if (check()) {
      await this.failures.delete(address);
      return { outcome: "accepted" };
    }
    const { consumedPoints } = await this.failures.penalty(address);
    // The library keeps a key's first expiry; the quiet period runs from the last failure.
    await this.failures.set(address, consumedPoints, FORGET_AFTER_SECONDS);
    return { outcome: "refused", failures: consumedPoints };
  }
}

/** The throttle for this process: shared through Redis when a URL is given, else in memory. */
export function createLoginThrottle(redisUrl?: string): LoginThrottle {
  const options = { keyPrefix: KEY_PREFIX, points: Number.MAX_SAFE_INTEGER, duration: FORGET_AFTER_SECONDS };
  const memory = new RateLimiterMemory(options);
  if (!redisUrl) return new LoginThrottle(memory);

  // No offline queue: while Redis is away a command fails at once and the insurance limiter answers.
  const client = createClient({ url: redisUrl, disableOfflineQueue: true, socket: { reconnectStrategy: redisReconnectStrategy } });
  let up = false;
  client.on("error", (error: Error) => {
    if (up) console.warn(`[auth] Redis connection lost (${error.message}); counting failed logins on this instance until it is back`);
    up = false;
  });
  client.on("ready", () => (up = true));
  client.connect().catch(() => undefined);
  const shared = new RateLimiterRedis({
    ...options,
    storeClient: client,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
  return new LoginThrottle(shared, async () => {
    if (client.isOpen) client.destroy();
  });
}
