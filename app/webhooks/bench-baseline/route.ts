/**
 * Benchmark baseline (bench/, docs/benchmarks.md): the cheapest route handler this build can
 * serve, so `npm run bench` can compare the real webhook pipeline with Next.js's own cost on
 * the same server, in the same run. It exists only when the server runs with BENCH_BASELINE=1;
 * otherwise it answers 404 like any unknown path.
 *
 * BENCH_BASELINE is read from process.env here on purpose, not through lib/config: it is a
 * benchmark switch, not a setting of the console, and keeping it out of the validated
 * configuration means no product module changes for the benchmark's sake.
 */

export const dynamic = "force-dynamic";

const enabled = () => process.env.BENCH_BASELINE === "1";

/** The ingestion baseline: answer 200. server.ts has read the whole body, as for a webhook (lib/ingest/intake.ts). */
export function POST() {
  if (!enabled()) return new Response(null, { status: 404 });
  return new Response(null, { status: 200 });
}

/** The query baseline: a route handler round trip that touches no database. */
export function GET() {
  if (!enabled()) return new Response(null, { status: 404 });
  return new Response(null, { status: 200 });
}
