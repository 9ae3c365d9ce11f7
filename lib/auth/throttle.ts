/**
 * Slows password guessing per source address: after the first failure, each further
 * attempt must wait a delay that doubles with every failure (0.5 s, 1 s, 2 s … capped at
 * 30 s). Attempts inside the wait are refused without being checked. A success, or 15
 * quiet minutes, forgets the address.
 */

const FORGET_AFTER_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

export function delayAfterFailures(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(500 * 2 ** (failures - 2), 30_000);
}

interface Record {
  failures: number;
  last: number;
}

export class LoginThrottle {
  private records = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  /** 0 if the address may try now, else the milliseconds it must still wait. */
  waitMs(address: string): number {
    const record = this.current(address);
    if (!record) return 0;
    return Math.max(0, record.last + delayAfterFailures(record.failures) - this.now());
  }

  /** Records a failure; returns how many failures in a row this address has. */
  fail(address: string): number {
    const record = this.current(address) ?? { failures: 0, last: 0 };
    record.failures += 1;
    record.last = this.now();
    this.records.delete(address);
    this.records.set(address, record);
    if (this.records.size > MAX_TRACKED) this.records.delete(this.records.keys().next().value!);
    return record.failures;
  }

  succeed(address: string): void {
    this.records.delete(address);
  }

  private current(address: string): Record | undefined {
    const record = this.records.get(address);
    if (record && this.now() - record.last > FORGET_AFTER_MS) {
      this.records.delete(address);
      return undefined;
    }
    return record;
  }
}
