import type { SummaryRow } from "@/bench/lib/report";

/** What every part hands back to bench/run.ts. */
export interface PartResult {
  /** Raw figures for the JSON file. */
  details: Record<string, unknown>;
  /** Its lines of the summary table. */
  rows: SummaryRow[];
  /** Its detail section for bench/results/<time>.md (absolute numbers). */
  markdown: string;
}

export function log(part: string, message: string): void {
  console.log(`[bench:${part}] ${message}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until check() is true or the time is up; returns whether it became true. */
export async function waitFor(check: () => boolean, timeoutMs: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
