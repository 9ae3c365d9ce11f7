"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { fetchRejections } from "@/components/data/api";
import { connectEventSocket } from "@/components/realtime/socket";
import { JsonBlock } from "@/components/ui/json-block";
import type { RejectionJson } from "@/lib/events/types";
import { REJECTION_REASON_CODES, REJECTION_REASONS, type RejectionReason } from "@/lib/vonage/reasons";

/**
 * Refused webhook deliveries, newest first, each with its reason explained and the fix to
 * try. New refusals arrive over the socket as they are recorded; after a reconnect the view
 * reads what it missed meanwhile.
 */
export function RejectionsView({ toolbar }: { toolbar?: (reason: string) => React.ReactNode }) {
  const [reason, setReason] = useState("");
  const [rejections, setRejections] = useState<RejectionJson[]>([]);
  const [older, setOlder] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const newest = useRef(0);
  const seen = useRef(new Set<number>());
  // Another reason empties the list at once, during render rather than in the effect (which would render twice).
  const [listedReason, setListedReason] = useState(reason);
  if (reason !== listedReason) {
    setListedReason(reason);
    setLoading(true);
    setRejections([]);
  }

  useEffect(() => {
    let stopped = false;
    let socket: ReturnType<typeof connectEventSocket> | undefined;
    const filter: Record<string, string> = reason ? { reason } : {};
    seen.current = new Set();
    // Live rows and a reconnect's catch-up can overlap and arrive in either order.
    const add = (rows: RejectionJson[]) => {
      const fresh = rows.filter((r) => !seen.current.has(r.id) && (!reason || r.reason === reason));
      if (stopped || fresh.length === 0) return;
      for (const r of fresh) {
        seen.current.add(r.id);
        newest.current = Math.max(newest.current, r.id);
      }
      setRejections((current) => [...fresh, ...current].sort((a, b) => b.id - a.id));
    };
    const catchUp = () =>
      void fetchRejections({ ...filter, after: newest.current, limit: 500 })
        .then((page) => add(page.rejections))
        .catch(() => undefined);
    fetchRejections({ ...filter, limit: 100 })
      .then((page) => {
        if (stopped) return;
        for (const r of page.rejections) seen.current.add(r.id);
        setRejections(page.rejections);
        setOlder(page.nextCursor);
        newest.current = page.rejections[0]?.id ?? 0;
        setLoading(false);
        // Every connection, the first included, starts with what was recorded before it joined.
        socket = connectEventSocket(() => ({ streams: ["rejections"] }));
        socket.on("connect", catchUp);
        socket.on("rejections", add);
      })
      .catch((e: unknown) => !stopped && (setError(e instanceof Error ? e.message : String(e)), setLoading(false)));
    return () => {
      stopped = true;
      socket?.off();
      socket?.disconnect();
    };
  }, [reason]);

  const loadOlder = useCallback(() => {
    if (older === null) return;
    const filter: Record<string, string> = reason ? { reason } : {};
    fetchRejections({ ...filter, before: older, limit: 100 })
      .then((page) => {
        setRejections((current) => [...current, ...page.rejections]);
        setOlder(page.nextCursor);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [older, reason]);

  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto max-w-5xl space-y-4 p-4 sm:p-6">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <div>
            <h1 className="text-lg font-semibold">Rejected deliveries</h1>
            <p className="text-sm text-slate-600 dark:text-slate-300">
              Every webhook call the console refused, and why. Vonage retries only after 429 or 5xx answers.
            </p>
          </div>
          <div className="flex items-end gap-2">
            <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300">
              Reason
              <select
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                className="rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100"
              >
                <option value="">Any</option>
                {REJECTION_REASON_CODES.map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
            {toolbar?.(reason)}
          </div>
        </div>

        {error && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">
            {error}
          </p>
        )}
        {loading && <p className="text-sm text-slate-500">Loading…</p>}
        {!loading && rejections.length === 0 && (
          <p className="rounded-md bg-emerald-50 p-4 text-sm text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100">
            No refused deliveries{reason ? ` with reason ${reason}` : ""}.
          </p>
        )}

        <ul aria-label="Rejected deliveries, newest first" className="space-y-3">
          {rejections.map((r) => (
            <RejectionItem key={r.id} rejection={r} />
          ))}
        </ul>
        {older !== null && (
          <button
            type="button"
            onClick={loadOlder}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm dark:border-slate-600"
          >
            Load older
          </button>
        )}
      </div>
    </main>
  );
}

function RejectionItem({ rejection: r }: { rejection: RejectionJson }) {
  const info = REJECTION_REASONS[r.reason as RejectionReason];
  return (
    <li className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <div className="flex flex-wrap items-center gap-2">
        <span className="rounded-full bg-red-100 px-2 py-0.5 font-mono text-xs font-semibold text-red-800 ring-1 ring-red-300 ring-inset dark:bg-red-950 dark:text-red-200 dark:ring-red-800">
          {r.reason}
        </span>
        <span className="text-sm font-medium">
          {r.httpStatus} · {r.method} {r.endpoint}
        </span>
        <span className="ml-auto text-xs text-slate-500 tabular-nums">
          <time dateTime={r.receivedAt}>{new Date(r.receivedAt).toLocaleString()}</time>
          {r.sourceIp ? ` · from ${r.sourceIp}` : ""}
        </span>
      </div>
      {r.repeats > 1 && (
        <p className="mt-1 text-xs text-slate-500">
          +{(r.repeats - 1).toLocaleString()} similar refusal{r.repeats > 2 ? "s" : ""} from this address, not stored one by one
        </p>
      )}
      <p className="mt-2 text-sm">{info?.meaning ?? r.reason}</p>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        <span className="font-semibold">Try: </span>
        {info?.fix ?? "See the detail below."}
      </p>
      <p className="mt-1 font-mono text-xs break-words text-slate-500">{r.detail}</p>
      <details className="mt-2">
        <summary className="cursor-pointer text-xs font-medium text-slate-600 dark:text-slate-300">Request</summary>
        <div className="mt-2 grid gap-3 md:grid-cols-2">
          <JsonBlock title="Headers" value={r.headers} />
          {r.tokenClaims && <JsonBlock title="Token claims (unverified)" value={r.tokenClaims} />}
          <section className="md:col-span-2">
            <h3 className="mb-1 text-sm font-semibold">
              Body ({r.bodyBytes.toLocaleString()} bytes
              {r.bodyTruncated ? `, first ${new TextEncoder().encode(r.body).byteLength.toLocaleString()} bytes shown` : ""})
            </h3>
            <pre className="max-h-64 overflow-auto rounded-md bg-slate-100 p-3 text-xs break-all whitespace-pre-wrap dark:bg-slate-900">
              {r.body || "(empty)"}
            </pre>
          </section>
        </div>
      </details>
    </li>
  );
}
