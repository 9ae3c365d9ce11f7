"use client";

import { useEffect, useId, useRef, useState } from "react";
import type { FilterParams } from "@/components/data/api";

/**
 * Downloads exactly what the current filters select (not just the rows on screen), in the
 * chosen format, optionally with phone numbers masked. The file streams in with a progress
 * bar; reading happens chunk by chunk off the render path, so a large export does not freeze
 * the page, and it can be cancelled.
 */

const FORMATS = [
  ["ndjson", "NDJSON", "one event per line, for tools"],
  ["csv", "CSV", "for spreadsheets"],
  ["json", "JSON", "one array"],
] as const;

type Format = (typeof FORMATS)[number][0];

interface Progress {
  rows: number;
  total: number;
  bytes: number;
}

function fileNameFrom(disposition: string | null, fallback: string): string {
  return /filename="([^"]+)"/.exec(disposition ?? "")?.[1] ?? fallback;
}

function countNewlines(chunk: Uint8Array): number {
  let count = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
  return count;
}

export function ExportControl({ what, filter }: { what: "events" | "rejections"; filter: FilterParams }) {
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<Format>("csv");
  const [mask, setMask] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const id = useId();
  const filtered = Object.keys(filter).length > 0;

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && !progress && setOpen(false);
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open, progress]);

  useEffect(() => () => abort.current?.abort(), []);

  const download = async () => {
    const params = new URLSearchParams({ ...filter, format, ...(mask ? { mask: "1" } : {}) });
    const controller = new AbortController();
    abort.current = controller;
    setMessage(null);
    setProgress({ rows: 0, total: 0, bytes: 0 });
    try {
      const response = await fetch(`/api/${what}/export?${params}`, { signal: controller.signal, cache: "no-store" });
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => ({}))) as { detail?: string };
        throw new Error(body.detail ?? `export failed (${response.status})`);
      }
      const total = Number(response.headers.get("x-export-rows") ?? 0);
      const extraLines = format === "ndjson" ? 0 : 1;
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let bytes = 0;
      let lines = 0;
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        bytes += value.byteLength;
        lines += countNewlines(value);
        setProgress({ rows: Math.min(total, Math.max(0, lines - extraLines)), total, bytes });
      }
      const name = fileNameFrom(response.headers.get("content-disposition"), `vonage-${what}.${format}`);
      const url = URL.createObjectURL(new Blob(parts, { type: response.headers.get("content-type") ?? "application/octet-stream" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setMessage(`Downloaded ${name}: ${total.toLocaleString()} ${what}${mask ? ", phone numbers masked" : ""}.`);
    } catch (error) {
      setMessage(controller.signal.aborted ? "Export cancelled." : `Export failed: ${(error as Error).message}`);
    } finally {
      abort.current = null;
      setProgress(null);
    }
  };

  return (
    <div className="relative">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
        className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
      >
        Export
      </button>
      {open && (
        <div
          id={id}
          role="dialog"
          aria-label={`Export ${what}`}
          className="absolute right-0 z-20 mt-2 w-80 space-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-xl dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="text-slate-600 dark:text-slate-300">
            {filtered ? `Every ${what === "events" ? "event" : "rejection"} matching the current filters` : `All ${what}`}, not only the
            rows on screen.
          </p>
          <fieldset className="space-y-1">
            <legend className="mb-1 font-medium">Format</legend>
            {FORMATS.map(([value, label, hint]) => (
              <label key={value} className="flex items-center gap-2">
                <input type="radio" name={`${id}-format`} value={value} checked={format === value} onChange={() => setFormat(value)} />
                <span>
                  {label} <span className="text-slate-500">— {hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={mask} onChange={(e) => setMask(e.target.checked)} />
            Mask phone numbers
          </label>
          <p
            className={`rounded-md p-2 text-xs ${mask ? "bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100" : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100"}`}
          >
            {mask
              ? "Masked: numbers keep their country code and last three digits (44*******123), in the columns and inside the payload."
              : "Not masked: the file contains full phone numbers and message contents."}
          </p>
          {progress ? (
            <div className="space-y-1" aria-live="polite">
              <progress className="w-full" max={progress.total || 1} value={progress.rows} aria-label="Export progress" />
              <p className="text-xs text-slate-600 dark:text-slate-300">
                {progress.rows.toLocaleString()} of {progress.total.toLocaleString()} · {(progress.bytes / 1e6).toFixed(1)} MB
              </p>
              <button
                type="button"
                onClick={() => abort.current?.abort()}
                className="rounded-md border border-slate-300 px-3 py-1 text-xs dark:border-slate-600"
              >
                Cancel
              </button>
            </div>
          ) : (
            <button
              type="button"
              onClick={() => void download()}
              className="w-full rounded-md bg-indigo-600 px-3 py-1.5 font-semibold text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
            >
              Download {FORMATS.find(([v]) => v === format)?.[1]}
              {mask ? " (masked)" : ""}
            </button>
          )}
          {message && (
            <p aria-live="polite" className="text-xs text-slate-700 dark:text-slate-200">
              {message}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
