"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { fetchMessages } from "@/components/data/api";
import { CHANNELS, SelectFilter, TextFilter } from "@/components/filters/filter-bar";
import { useUrlFilters } from "@/components/filters/use-url-filters";
import { channelLabel, formatTime, messageHref } from "@/components/timeline/timeline-row";
import { Badge, MessageStateBadges } from "@/components/ui/status-badge";
import { formatDuration } from "@/lib/events/lifecycle";
import type { MessageJson } from "@/lib/messages/types";
import { describeErrorCode } from "@/lib/vonage/error-codes";

/**
 * Outbound messages, one row each with its state (GET /api/messages), newest first. Overdue
 * ones, which never got a final status, come first: in a group of their own above the list,
 * and as the first state to pick. Filters live in the URL; each row opens its lifecycle.
 */

const MESSAGE_FILTER_NAMES = ["state", "channel", "client_ref", "phone"] as const;
const STATES: [string, string][] = [
  ["", "All"],
  ["overdue", "Overdue"],
  ["pending", "Pending"],
  ["failed", "Failed"],
  ["delivered", "Delivered"],
  ["read", "Read"],
];
const PAGE_SIZE = 50;
/** How many overdue messages the "All" view puts above the list. */
const OVERDUE_SHOWN = 5;

interface Listing {
  messages: MessageJson[];
  nextCursor: number | null;
  overdue: MessageJson[];
  moreOverdue: boolean;
  /** When it was read: ages are measured from then, so a render stays pure. */
  readAt: number;
}

export function MessageList() {
  const [filter, setFilter, clearFilter] = useUrlFilters(MESSAGE_FILTER_NAMES);
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const [loadingMore, setLoadingMore] = useState(false);
  // A page asked for under other filters is dropped when it comes back.
  const generation = useRef(0);
  const key = JSON.stringify(filter);
  const [listedKey, setListedKey] = useState(key);
  if (key !== listedKey) {
    setListedKey(key);
    setListing(null);
    setError(null);
  }

  useEffect(() => {
    const current = ++generation.current;
    Promise.all([
      fetchMessages(filter, { limit: PAGE_SIZE }),
      filter.state ? null : fetchMessages({ ...filter, state: "overdue" }, { limit: OVERDUE_SHOWN }),
    ])
      .then(([page, overdue]) => {
        if (current !== generation.current) return;
        setError(null);
        setListing({
          messages: page.messages,
          nextCursor: page.nextCursor,
          overdue: overdue?.messages ?? [],
          moreOverdue: overdue?.nextCursor != null,
          readAt: Date.now(),
        });
      })
      .catch((e: unknown) => current === generation.current && setError(e instanceof Error ? e.message : String(e)));
  }, [filter, reloads]);

  const loadMore = useCallback(() => {
    if (!listing || listing.nextCursor === null) return;
    const current = generation.current;
    setLoadingMore(true);
    fetchMessages(filter, { limit: PAGE_SIZE, before: listing.nextCursor })
      .then((page) => {
        if (current !== generation.current) return;
        setListing((shown) => shown && { ...shown, messages: [...shown.messages, ...page.messages], nextCursor: page.nextCursor });
      })
      .catch((e: unknown) => current === generation.current && setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setLoadingMore(false));
  }, [filter, listing]);

  const state = filter.state ?? "";
  const filtered = Object.keys(filter).some((name) => name !== "state");
  const listLabel = `${STATES.find(([value]) => value === state)?.[1] ?? state} messages, newest first`;

  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto max-w-5xl space-y-4 p-4 sm:p-6">
        <div>
          <h1 className="text-lg font-semibold">Messages</h1>
          <p className="text-sm text-slate-600 dark:text-slate-300">
            Each message you sent, with the state its statuses add up to. Overdue: no final status yet, later than its channel usually
            takes.
          </p>
        </div>

        <div role="group" aria-label="State" className="flex flex-wrap gap-1.5">
          {STATES.map(([value, label]) => (
            <button
              key={label}
              type="button"
              aria-pressed={state === value}
              onClick={() => setFilter({ state: value })}
              className={`rounded-full px-3 py-1 text-sm font-medium ring-1 ring-inset ${
                state === value
                  ? value === "overdue"
                    ? "bg-amber-500 text-white ring-amber-500 dark:bg-amber-600 dark:ring-amber-600"
                    : "bg-indigo-600 text-white ring-indigo-600 dark:bg-indigo-500 dark:ring-indigo-500"
                  : value === "overdue"
                    ? "text-amber-800 ring-amber-400 hover:bg-amber-50 dark:text-amber-200 dark:ring-amber-700 dark:hover:bg-amber-950"
                    : "text-slate-700 ring-slate-300 hover:bg-slate-100 dark:text-slate-200 dark:ring-slate-600 dark:hover:bg-slate-800"
              }`}
            >
              {label}
            </button>
          ))}
        </div>

        <form
          role="search"
          aria-label="Filter messages"
          onSubmit={(e) => e.preventDefault()}
          className="grid grid-cols-2 gap-3 sm:grid-cols-[1fr_1.2fr_1.2fr_auto]"
        >
          <SelectFilter name="channel" label="Channel" value={filter.channel ?? ""} options={CHANNELS} onChange={setFilter} />
          <TextFilter name="phone" label="Phone number" value={filter.phone ?? ""} placeholder="to or from" onChange={setFilter} />
          <TextFilter name="client_ref" label="Client ref" value={filter.client_ref ?? ""} onChange={setFilter} mono />
          <div className="flex items-end gap-2">
            <button
              type="button"
              onClick={clearFilter}
              disabled={Object.keys(filter).length === 0}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-40 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
            >
              Clear
            </button>
            <button
              type="button"
              onClick={() => setReloads((n) => n + 1)}
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:text-slate-200 dark:hover:bg-slate-800"
            >
              Refresh
            </button>
          </div>
        </form>

        {error && (
          <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
            Could not read the messages: {error}
          </p>
        )}
        {!listing && !error && <p className="text-sm text-slate-500">Loading…</p>}

        {listing && listing.overdue.length > 0 && (
          <section
            aria-label="Overdue messages"
            className="space-y-2 rounded-lg border border-amber-300 bg-amber-50/60 p-3 dark:border-amber-800 dark:bg-amber-950/40"
          >
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h2 className="text-sm font-semibold text-amber-900 dark:text-amber-100">
                Overdue: {listing.overdue.length}
                {listing.moreOverdue ? "+" : ""} message{listing.overdue.length === 1 ? "" : "s"} with no final status
              </h2>
              {listing.moreOverdue && (
                <button
                  type="button"
                  onClick={() => setFilter({ state: "overdue" })}
                  className="text-sm font-medium text-amber-900 underline dark:text-amber-100"
                >
                  Show all overdue
                </button>
              )}
            </div>
            <ul className="space-y-2">
              {listing.overdue.map((m) => (
                <MessageRow key={m.id} message={m} now={listing.readAt} />
              ))}
            </ul>
          </section>
        )}

        {listing && listing.messages.length === 0 && !error && (
          <p className="rounded-md bg-slate-50 p-4 text-sm text-slate-600 dark:bg-slate-900 dark:text-slate-300">
            {state === "overdue" && !filtered
              ? "No overdue messages: every message has a final status or is still within its channel's threshold."
              : state || filtered
                ? "No messages match these filters."
                : "No messages yet. A message appears here once Vonage sends a status for it to the Message Status webhook."}
          </p>
        )}

        {listing && listing.messages.length > 0 && (
          <section className="space-y-2">
            {listing.overdue.length > 0 && (
              <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">All messages, newest first</h2>
            )}
            <ul aria-label={listLabel} className="space-y-2">
              {listing.messages.map((m) => (
                <MessageRow key={m.id} message={m} now={listing.readAt} />
              ))}
            </ul>
          </section>
        )}

        {listing && listing.nextCursor !== null && (
          <button
            type="button"
            onClick={loadMore}
            disabled={loadingMore}
            className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium disabled:opacity-50 dark:border-slate-600"
          >
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
    </main>
  );
}

/** One message: its state and what it came to, to whom, when, and the way to its lifecycle. */
function MessageRow({ message: m, now }: { message: MessageJson; now: number }) {
  const error = m.errorCode ? describeErrorCode(m.errorCode) : null;
  return (
    <li className="relative rounded-lg border border-slate-200 p-3 hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-900/60">
      {/* One line from a tablet up; on a phone the badges, then channel and recipient. */}
      <div className="flex min-w-0 items-start gap-2">
        <div className="flex min-w-0 flex-1 flex-col gap-1 sm:flex-row sm:flex-wrap sm:items-center sm:gap-x-3">
          <div className="flex min-w-0 flex-wrap items-center gap-1">
            <MessageStateBadges message={m} />
            {m.finalStatus && m.finalStatus !== m.state && (
              <Badge tone={m.finalStatus} title="Final status">
                {m.finalStatus}
              </Badge>
            )}
            {m.conflict && <span className="text-xs text-amber-700 dark:text-amber-300">conflicting reports</span>}
          </div>
          <div className="flex min-w-0 flex-wrap items-baseline gap-x-2 text-sm text-slate-700 dark:text-slate-300">
            <span className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
              {channelLabel(m.channel)}
            </span>
            <span className="min-w-0 truncate">
              <span aria-label="to">→</span> {m.to ?? "?"}
            </span>
            <span className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
              first event{" "}
              <time dateTime={m.firstEventAt} title={`Vonage time ${m.firstEventAt}`}>
                {formatTime(m.firstEventAt)}
              </time>
            </span>
          </div>
        </div>
        <span className="ml-auto shrink-0 text-xs text-slate-500 tabular-nums dark:text-slate-400" title="Since the first event">
          {formatDuration(Math.max(0, now - Date.parse(m.firstEventAt)))} ago
        </span>
      </div>
      <div className="mt-1 flex min-w-0 flex-wrap items-baseline gap-x-3 gap-y-0.5 text-xs text-slate-600 dark:text-slate-400">
        <Link
          href={messageHref(m.messageUuid)}
          className="min-w-0 truncate font-mono text-indigo-700 underline-offset-2 after:absolute after:inset-0 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-300"
        >
          {m.messageUuid}
        </Link>
        <span>
          {m.events} event{m.events === 1 ? "" : "s"}
        </span>
        {m.clientRef && (
          <span className="min-w-0 truncate">
            ref <span className="font-mono">{m.clientRef}</span>
          </span>
        )}
        {m.errorCode && (
          <span className="min-w-0 truncate text-red-700 dark:text-red-300" title={error?.explanation}>
            error <span className="font-mono">{m.errorCode}</span>
            {error && ` ${error.title}`}
          </span>
        )}
      </div>
    </li>
  );
}
