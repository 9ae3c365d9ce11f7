import { remember } from "@/lib/remember";

/**
 * Whether the SQLite file is intact. A damaged page is found only by reading it: a health check's
 * test write and `SELECT 1` both succeeded on a file with 20 pages overwritten in the middle, while
 * COUNT(*) over the events failed with SQLITE_CORRUPT. So the file is read whole, with
 * `PRAGMA quick_check`, on its own thread at start-up and then every
 * DATABASE_INTEGRITY_CHECK_HOURS (lib/db/integrity-host.ts, started by server.ts), and any query
 * that meets a damaged page says so here. /api/health reports what is known.
 *
 * Route handlers read this module; only server.ts imports the host, which starts a worker.
 */

export interface IntegrityState {
  /** When the last whole-file check finished, and what it found (null: no problem). */
  checkedAt: string | null;
  problem: string | null;
  /** A query that met a damaged page since the last check, with SQLite's words. */
  seenAt: string | null;
  seen: string | null;
}

export function integrityState(): IntegrityState {
  return remember("integrity", () => ({ checkedAt: null, problem: null, seenAt: null, seen: null }));
}

/** The problem to report, if any. */
export function integrityProblem(): string | null {
  const state = integrityState();
  if (state.problem) return `the database file is damaged (PRAGMA quick_check: ${state.problem}); restore a backup`;
  if (state.seen) return `a query met a damaged database page (${state.seen}); restore a backup`;
  return null;
}

/** Any query's error: SQLite's codes for a damaged or foreign file are remembered. */
export function noteDatabaseError(error: unknown): void {
  const text = `${(error as { code?: string })?.code ?? ""} ${error instanceof Error ? error.message : String(error)}`;
  if (!/SQLITE_CORRUPT|SQLITE_NOTADB|disk image is malformed|file is not a database/i.test(text)) return;
  const state = integrityState();
  state.seenAt = new Date().toISOString();
  state.seen = text.trim().slice(0, 300);
}

/** A whole-file check's result. A clean check clears what queries saw before it. */
export function recordIntegrityCheck(problem: string | null): void {
  const state = integrityState();
  state.checkedAt = new Date().toISOString();
  state.problem = problem;
  if (problem === null) {
    state.seen = null;
    state.seenAt = null;
  }
}
