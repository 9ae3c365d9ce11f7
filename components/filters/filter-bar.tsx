"use client";

import { useEffect, useId, useState } from "react";
import type { FilterParams } from "@/components/data/api";
import type { FilterName } from "@/components/filters/use-url-filters";

/** The filter controls. Text fields apply as you type (debounced); selects apply at once. */

const STATUSES = ["submitted", "delivered", "read", "rejected", "undeliverable"];
/** SMS API delivery receipt statuses. */
const DLR_STATUSES = ["accepted", "buffered", "expired", "failed", "unknown"];
export const CHANNELS: [string, string][] = [
  ["sms", "SMS"],
  ["mms", "MMS"],
  ["whatsapp", "WhatsApp"],
  ["messenger", "Messenger"],
  ["viber_service", "Viber"],
  ["rcs", "RCS"],
];

const fieldClass =
  "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100";

/** One filter's change (TypeScript types a computed key as any string, not as the name it is). */
function changeOf<N extends string>(name: N, value: string): Partial<Record<N, string>> {
  return { [name]: value } as Partial<Record<N, string>>;
}

export function TextFilter<N extends string>({
  name,
  label,
  value,
  placeholder,
  onChange,
  className = "",
  mono = false,
}: {
  name: N;
  label: string;
  value: string;
  placeholder?: string;
  onChange: (changes: Partial<Record<N, string>>) => void;
  className?: string;
  mono?: boolean;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  // A new value from the URL (back button, "clear filters") replaces the draft, during render rather than in an effect
  // that would render twice (react.dev/learn/you-might-not-need-an-effect#adjusting-some-state-when-a-prop-changes).
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    setShownValue(value);
    setDraft(value);
  }
  useEffect(() => {
    if (draft.trim() === value) return;
    const timer = setTimeout(() => onChange(changeOf(name, draft)), 300);
    return () => clearTimeout(timer);
  }, [draft, value, name, onChange]);
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`}>
      <label htmlFor={id} className="text-xs font-medium text-slate-600 dark:text-slate-300">
        {label}
      </label>
      <input
        id={id}
        type="search"
        value={draft}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => e.key === "Enter" && onChange(changeOf(name, draft))}
        className={`${fieldClass} ${mono ? "font-mono" : ""}`}
      />
    </div>
  );
}

export function SelectFilter<N extends string>({
  name,
  label,
  value,
  options,
  onChange,
}: {
  name: N;
  label: string;
  value: string;
  options: [string, string][];
  onChange: (changes: Partial<Record<N, string>>) => void;
}) {
  const id = useId();
  const known = options.some(([v]) => v === value);
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-600 dark:text-slate-300">
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(changeOf(name, e.target.value))} className={fieldClass}>
        <option value="">Any</option>
        {!known && value && <option value={value}>{value}</option>}
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function FilterBar({
  filter,
  onChange,
  onClear,
  children,
}: {
  filter: FilterParams;
  onChange: (changes: Partial<Record<FilterName, string>>) => void;
  onClear: () => void;
  children?: React.ReactNode;
}) {
  const active = Object.keys(filter).length > 0;
  const [open, setOpen] = useState(false);
  const others = Object.keys(filter).filter((name) => name !== "message_id").length;
  return (
    <form
      role="search"
      aria-label="Filter events"
      onSubmit={(e) => e.preventDefault()}
      className="grid grid-cols-2 gap-3 border-b border-slate-200 bg-white px-4 py-3 sm:grid-cols-4 lg:grid-cols-[2fr_1fr_1fr_1fr_1.2fr_1.5fr_auto] dark:border-slate-800 dark:bg-slate-950"
    >
      <TextFilter
        name="message_id"
        label="Message ID"
        value={filter.message_id ?? ""}
        placeholder="paste a message_uuid"
        onChange={onChange}
        className="col-span-2 sm:col-span-4 lg:col-span-1"
        mono
      />
      {/* On a phone the other filters fold away behind one button. */}
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="col-span-2 justify-self-start text-sm font-medium text-indigo-700 sm:hidden dark:text-indigo-300"
      >
        {open ? "Fewer filters" : `More filters${others ? ` (${others} on)` : ""}`}
      </button>
      <div className={open ? "contents" : "hidden sm:contents"}>
        <SelectFilter
          name="kind"
          label="Kind"
          value={filter.kind ?? ""}
          options={[
            ["status", "Status"],
            ["inbound", "Inbound"],
            ["sms-inbound", "SMS API inbound"],
            ["sms-dlr", "SMS API receipt"],
          ]}
          onChange={onChange}
        />
        <SelectFilter
          name="status"
          label="Status"
          value={filter.status ?? ""}
          options={[...STATUSES, ...DLR_STATUSES].map((s) => [s, s])}
          onChange={onChange}
        />
        <SelectFilter name="channel" label="Channel" value={filter.channel ?? ""} options={CHANNELS} onChange={onChange} />
        <TextFilter name="phone" label="Phone number" value={filter.phone ?? ""} placeholder="from or to" onChange={onChange} />
        <TextFilter name="text" label="Text in message" value={filter.text ?? ""} placeholder="words in the body" onChange={onChange} />
        <div className="col-span-2 flex items-end gap-2 sm:col-span-4 lg:col-span-1">
          <button
            type="button"
            onClick={onClear}
            disabled={!active}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-40 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
          >
            Clear
          </button>
          {children}
        </div>
      </div>
      <HiddenFilters filter={filter} onChange={onChange} />
    </form>
  );
}

/** Filters a link or the URL set that have no control above (insights' error links, shared URLs): shown, and removable. */
const WITHOUT_CONTROL: [FilterName, string][] = [
  ["error_code", "Error code"],
  ["client_ref", "client_ref"],
  ["since", "Since"],
  ["until", "Until"],
];

function HiddenFilters({ filter, onChange }: { filter: FilterParams; onChange: (changes: Partial<Record<FilterName, string>>) => void }) {
  const shown = WITHOUT_CONTROL.filter(([name]) => filter[name]);
  if (shown.length === 0) return null;
  return (
    <ul aria-label="Other filters" className="col-span-full flex flex-wrap gap-2">
      {shown.map(([name, label]) => (
        <li
          key={name}
          className="flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-2.5 text-xs text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100"
        >
          <span>
            {label}: <span className="font-mono break-all">{filter[name]}</span>
          </span>
          <button
            type="button"
            aria-label={`Remove filter ${label}`}
            onClick={() => onChange({ [name]: "" })}
            className="rounded-full px-1.5 hover:bg-indigo-100 dark:hover:bg-indigo-900"
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
