"use client";

import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { ApiError, fetchMessage } from "@/components/data/api";
import { InboundContent } from "@/components/message/inbound-content";
import { ConnectionStatus } from "@/components/realtime/connection-status";
import { connectEventSocket } from "@/components/realtime/socket";
import { rowEventOf } from "@/components/timeline/row-event";
import { channelLabel, EventDetail, KindBadge, messageHref } from "@/components/timeline/timeline-row";
import { CopyButton } from "@/components/ui/copy-button";
import { JsonBlock } from "@/components/ui/json-block";
import { Badge, StatusBadge, UnverifiedBadge } from "@/components/ui/status-badge";
import { byProviderTime, finalStatus, formatDuration, messageCost, stepDelays } from "@/lib/events/lifecycle";
import type { ConcatGroup, EventJson } from "@/lib/events/types";

/**
 * One message's lifecycle: every event for its message_uuid in the provider's time order
 * (statuses arrive late and out of order), the time between steps, the final status and the
 * cost, with each event's raw JSON and headers. New events for the message appear live.
 */

export function MessageLifecycle({ messageUuid }: { messageUuid: string }) {
  const [events, setEvents] = useState<EventJson[]>([]);
  const [state, setState] = useState<"loading" | "ready" | "missing" | "error">("loading");
  const [error, setError] = useState("");
  const [connected, setConnected] = useState(false);
  const [concat, setConcat] = useState<ConcatGroup | null>(null);

  useEffect(() => {
    let latest = 0;
    let socket: ReturnType<typeof connectEventSocket> | undefined;
    let cancelled = false;
    const merge = (incoming: EventJson[]) =>
      setEvents((current) => {
        const known = new Set(current.map((e) => e.id));
        const fresh = incoming.filter((e) => !known.has(e.id));
        return fresh.length ? [...current, ...fresh] : current;
      });
    const listen = () => {
      socket = connectEventSocket(() => ({ after: latest, filter: { message_id: messageUuid } }));
      socket.on("connect", () => setConnected(true));
      socket.on("disconnect", () => setConnected(false));
      socket.on("events", (incoming) => {
        for (const e of incoming) latest = Math.max(latest, e.id);
        merge(incoming);
        setState("ready");
      });
    };
    fetchMessage(messageUuid)
      .then(({ events: loaded, concat: group }) => {
        if (cancelled) return;
        setConcat(group);
        latest = Math.max(0, ...loaded.map((e) => e.id));
        merge(loaded);
        setState("ready");
        listen();
      })
      .catch((reason: unknown) => {
        if (cancelled) return;
        if (reason instanceof ApiError && reason.status === 404) {
          setState("missing");
          listen();
        } else {
          setError(reason instanceof Error ? reason.message : String(reason));
          setState("error");
        }
      });
    return () => {
      cancelled = true;
      socket?.off();
      socket?.disconnect();
    };
  }, [messageUuid]);

  const ordered = useMemo(() => [...events].sort(byProviderTime), [events]);
  const arrival = useMemo(() => new Map([...events].sort((a, b) => a.id - b.id).map((e, i) => [e.id, i + 1])), [events]);
  const delays = useMemo(() => stepDelays(ordered), [ordered]);
  const final = finalStatus(ordered);
  const cost = messageCost(ordered);
  const first = ordered[0];
  const outOfOrder = ordered.some((e, i) => arrival.get(e.id) !== i + 1);

  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto max-w-4xl space-y-6 p-4 sm:p-6">
        <div className="flex flex-wrap items-center gap-3">
          <Link href="/" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            ← Timeline
          </Link>
          <ConnectionStatus connected={connected} />
        </div>
        <header className="space-y-2">
          <h1 className="text-lg font-semibold">Message lifecycle</h1>
          <div className="flex flex-wrap items-center gap-2">
            <code className="font-mono text-sm break-all">{messageUuid}</code>
            <CopyButton text={messageUuid} label="Copy message ID" />
            <CopyButton text={typeof window === "undefined" ? "" : window.location.href} label="Copy link to this message" className="ml-1">
              Copy link
            </CopyButton>
          </div>
        </header>

        {state === "loading" && <p className="text-sm text-slate-500">Loading…</p>}
        {state === "error" && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        {state === "missing" && events.length === 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-300">
            No events for this message yet. They will appear here as they arrive.
          </p>
        )}

        {ordered.length > 0 && (
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
            <Summary label="Final status">
              {final.status ? <StatusBadge status={final.status} /> : <Badge tone="inbound">inbound</Badge>}
              {final.conflict && <span className="ml-2 text-xs text-amber-700 dark:text-amber-300">conflicting reports</span>}
            </Summary>
            <Summary label="Channel">{channelLabel(first?.channel ?? null)}</Summary>
            <Summary label="Cost">{cost ? `${cost.amount} ${cost.currency}` : "—"}</Summary>
            {first?.clientRef && (
              <Summary label="Client ref">
                <span className="font-mono text-xs break-all">{first.clientRef}</span>
              </Summary>
            )}
            <Summary label="From → to">
              <span className="break-all">
                {first?.from ?? "?"} → {first?.to ?? "?"}
              </span>
            </Summary>
          </dl>
        )}

        {concat && <ConcatParts group={concat} current={messageUuid} />}

        {ordered.length > 0 && (
          <section aria-label="Events in Vonage's time order">
            <h2 className="mb-2 text-sm font-semibold text-slate-700 dark:text-slate-200">
              {ordered.length} event{ordered.length === 1 ? "" : "s"}, in Vonage&apos;s time order
              {outOfOrder && (
                <span className="ml-2 font-normal text-amber-700 dark:text-amber-300">(they arrived in a different order)</span>
              )}
            </h2>
            <ol aria-label="Lifecycle steps" className="space-y-3">
              {ordered.map((event, i) => (
                <li key={event.id} className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
                  <div className="flex flex-wrap items-center gap-2">
                    <KindBadge event={event} />
                    {event.networkCode && <span className="text-xs text-slate-500">network {event.networkCode}</span>}
                    {event.verification === "unverified" && <UnverifiedBadge />}
                    {delays[i] !== null && delays[i] !== undefined && (
                      <span className="text-xs font-medium text-slate-600 dark:text-slate-300">+{formatDuration(delays[i])}</span>
                    )}
                    <span className="ml-auto text-xs text-slate-500 tabular-nums">
                      {event.timestamp ? (
                        <time dateTime={event.timestamp}>{new Date(event.timestamp).toLocaleString()}</time>
                      ) : (
                        "no Vonage time"
                      )}
                      {" · "}received #{arrival.get(event.id)} at{" "}
                      <time dateTime={event.receivedAt}>{new Date(event.receivedAt).toLocaleTimeString()}</time>
                      {event.duplicates > 0 && ` · delivered ${event.duplicates + 1}×`}
                    </span>
                  </div>
                  <div className="mt-2 text-sm">
                    {event.kind === "inbound" || event.kind === "sms-inbound" ? (
                      <InboundContent payload={event.payload} messageType={event.messageType} />
                    ) : (
                      <EventDetail event={rowEventOf(event)} />
                    )}
                  </div>
                  <details className="mt-2">
                    <summary className="cursor-pointer text-xs font-medium text-slate-600 dark:text-slate-300">
                      Raw JSON and headers
                    </summary>
                    <div className="mt-2 grid gap-3 md:grid-cols-2">
                      <JsonBlock title="Raw JSON" value={event.payload} />
                      <JsonBlock title="Headers" value={event.headers} />
                    </div>
                  </details>
                </li>
              ))}
            </ol>
          </section>
        )}
      </div>
    </main>
  );
}

/** A multi-part inbound SMS: the message put together, or which parts never came. */
function ConcatParts({ group, current }: { group: ConcatGroup; current: string }) {
  const received = group.parts.map((p) => p.concat!.part);
  return (
    <section aria-label="Multi-part message" className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <h2 className="text-sm font-semibold">
        Multi-part message ({group.total} parts, ref {group.ref}):{" "}
        {group.complete ? "complete" : `${received.length} of ${group.total} received`}
      </h2>
      {group.complete ? (
        <p className="break-words whitespace-pre-wrap">{group.text}</p>
      ) : (
        <p className="text-sm text-amber-800 dark:text-amber-200">
          Missing part{group.missing.length === 1 ? "" : "s"} {group.missing.join(", ")}: not received since the first part arrived at{" "}
          {new Date(group.firstReceivedAt).toLocaleString()}. Some carriers never deliver every part.
        </p>
      )}
      <ol className="space-y-1 text-sm">
        {Array.from({ length: group.total }, (_, i) => i + 1).map((n) => {
          const part = group.parts.find((p) => p.concat!.part === n);
          return (
            <li key={n}>
              <span className="font-medium">Part {n}: </span>
              {part ? (
                part.messageUuid === current ? (
                  <span>{part.text} (this message)</span>
                ) : (
                  <Link href={messageHref(part.messageUuid!)} className="text-indigo-700 underline dark:text-indigo-300">
                    {part.text}
                  </Link>
                )
              ) : (
                <span className="text-amber-800 dark:text-amber-200">missing</span>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Summary({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-1 text-sm font-medium">{children}</dd>
    </div>
  );
}
