"use client";

import { useId } from "react";
import { boundsOf, WINDOWS, type InsightsSelection, type WindowName } from "@/components/insights/use-insights-window";

/** The window (last hour … 30 days, or custom since/until) and the channel; each change goes to the URL at once. */

const CHANNELS: [string, string][] = [
  ["sms", "SMS"],
  ["mms", "MMS"],
  ["whatsapp", "WhatsApp"],
  ["messenger", "Messenger"],
  ["viber_service", "Viber"],
  ["rcs", "RCS"],
];

/** A channel as the picker names it ("viber_service" is "Viber"); an unknown one as it came. */
export function channelName(channel: string): string {
  return CHANNELS.find(([value]) => value === channel)?.[1] ?? channel;
}

const fieldClass =
  "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:[color-scheme:dark]";
const labelClass = "flex min-w-0 flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-300";

/** An ISO time as a datetime-local input shows it: local time, to the minute. */
function toLocalInput(iso: string | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return "";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (local time, no offset) as ISO; empty stays empty. */
function fromLocalInput(value: string): string | undefined {
  return value && !Number.isNaN(new Date(value).getTime()) ? new Date(value).toISOString() : undefined;
}

export function WindowPicker({ selection, onChange }: { selection: InsightsSelection; onChange: (next: InsightsSelection) => void }) {
  const id = useId();
  const knownChannel = !selection.channel || CHANNELS.some(([value]) => value === selection.channel);

  const pickWindow = (window: WindowName) => {
    if (window !== "custom") return onChange({ window, channel: selection.channel });
    // A custom window starts as the one on screen, to the minute, and is then edited.
    const bounds = boundsOf(selection);
    const minute = (iso: string | undefined) => (iso ? fromLocalInput(toLocalInput(iso)) : undefined);
    onChange({ window, since: minute(bounds.since), until: minute(bounds.until), channel: selection.channel });
  };

  return (
    <form
      aria-label="Insights window"
      onSubmit={(e) => e.preventDefault()}
      className="grid grid-cols-2 gap-3 sm:flex sm:flex-wrap sm:items-end"
    >
      <label htmlFor={`${id}-window`} className={labelClass}>
        Window
        <select
          id={`${id}-window`}
          value={selection.window}
          onChange={(e) => pickWindow(e.target.value as WindowName)}
          className={fieldClass}
        >
          {WINDOWS.map(([name, label]) => (
            <option key={name} value={name}>
              {label}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      <label htmlFor={`${id}-channel`} className={labelClass}>
        Channel
        <select
          id={`${id}-channel`}
          value={selection.channel ?? ""}
          onChange={(e) => onChange({ ...selection, channel: e.target.value || undefined })}
          className={fieldClass}
        >
          <option value="">All channels</option>
          {!knownChannel && <option value={selection.channel}>{selection.channel}</option>}
          {CHANNELS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {selection.window === "custom" && (
        <>
          <label htmlFor={`${id}-since`} className={labelClass}>
            Since
            <input
              id={`${id}-since`}
              type="datetime-local"
              value={toLocalInput(selection.since)}
              onChange={(e) => onChange({ ...selection, since: fromLocalInput(e.target.value) })}
              className={fieldClass}
            />
          </label>
          <label htmlFor={`${id}-until`} className={labelClass}>
            Until
            <input
              id={`${id}-until`}
              type="datetime-local"
              value={toLocalInput(selection.until)}
              onChange={(e) => onChange({ ...selection, until: fromLocalInput(e.target.value) })}
              className={fieldClass}
            />
          </label>
        </>
      )}
    </form>
  );
}
