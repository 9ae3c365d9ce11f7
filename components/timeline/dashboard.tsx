"use client";

import { ExportControl } from "@/components/export/export-control";
import { FilterBar } from "@/components/filters/filter-bar";
import { EVENT_FILTER_NAMES, useUrlFilters } from "@/components/filters/use-url-filters";
import { ConnectionStatus } from "@/components/realtime/connection-status";
import { useEventStream } from "@/components/realtime/use-event-stream";
import { SetupHelp } from "@/components/setup/setup-help";
import { Timeline } from "@/components/timeline/timeline";

/** The timeline page: filters (in the URL), the live list, and setup help while empty. */
export function Dashboard() {
  const [filter, setFilter, clearFilter] = useUrlFilters(EVENT_FILTER_NAMES);
  const stream = useEventStream(filter);
  const filtered = Object.keys(filter).length > 0;

  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <FilterBar filter={filter} onChange={setFilter} onClear={clearFilter}>
        <ExportControl what="events" filter={filter} />
      </FilterBar>
      <div className="flex items-center gap-3 border-b border-slate-200 px-4 py-1.5 text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
        <ConnectionStatus connected={stream.connected} />
        <span aria-live="polite">
          {stream.loading
            ? "Loading…"
            : `${stream.events.length.toLocaleString()}${stream.hasOlder ? "+" : ""} event${stream.events.length === 1 ? "" : "s"}${filtered ? " matching the filters" : ""}`}
        </span>
      </div>
      {stream.error && (
        <p
          role="alert"
          className="border-b border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          {stream.error}
        </p>
      )}
      {!stream.loading && stream.events.length === 0 && stream.pending.length === 0 ? (
        filtered ? (
          <p className="p-6 text-center text-sm text-slate-500">
            No events match these filters yet. New ones will appear here as they arrive.
          </p>
        ) : (
          <div className="overflow-y-auto">
            <SetupHelp compact />
          </div>
        )
      ) : (
        <Timeline stream={stream} label="Events, newest first" />
      )}
    </main>
  );
}
