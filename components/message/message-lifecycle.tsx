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
import { Badge, MessageStateBadges, StateBadge, StatusBadge, UnverifiedBadge } from "@/components/ui/status-badge";
import { byProviderTime, finalStatus, formatDuration, messageCost, receiptLag, stepDelays, totalTime } from "@/lib/events/lifecycle";
import type { ConcatGroup, EventJson } from "@/lib/events/types";
import type { MessageJson } from "@/lib/messages/types";

/**
 * One message's lifecycle: every event for its message_uuid in the provider's time order
 * (statuses arrive late and out of order), the time between steps and from submitted to the
 * final status, how late each event reached us, the message's state, the final status and the
 * cost, the other messages of its failover workflow, with each event's raw JSON and headers.
 * New events for the message appear live.
 */

export function MessageLifecycle({ messageUuid }: { messageUuid: string }) {
  const [events, setEvents] = useState<EventJson[]>([]);
  const [state, setState] = useState<"loading" | "ready" | "missing" | "error">("loading");
  const [error, setError] = useState("");
  const [connected, setConnected] = useState(false);
  const [concat, setConcat] = useState<ConcatGroup | null>(null);
  const [message, setMessage] = useState<MessageJson | null>(null);
  const [workflow, setWorkflow] = useState<MessageJson[]>([]);
  /** When the row was read: its age is measured from then, so a render stays pure. */
  const [shownAt, setShownAt] = useState(0);

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
        // The state row is updated in the events' own transaction, so it is current by now.
        fetchMessage(messageUuid)
          .then((answer) => !cancelled && showRow(answer))
          .catch(() => undefined);
      });
    };
    const showRow = (answer: { message: MessageJson | null; workflow: MessageJson[] }) => {
      setMessage(answer.message);
      setShownAt(Date.now());
      setWorkflow(answer.workflow);
    };
    fetchMessage(messageUuid)
      .then(({ events: loaded, concat: group, ...answer }) => {
        if (cancelled) return;
        setConcat(group);
        showRow(answer);
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
  const total = totalTime(ordered, final.status);
  const first = ordered[0];
  const outOfOrder = ordered.some((e, i) => arrival.get(e.id) !== i + 1);
  // An inbound message has no statuses: nothing is delivered to it and nothing is charged.
  const inbound = ordered.length > 0 && ordered.every((e) => e.kind === "inbound" || e.kind === "sms-inbound");

  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto max-w-4xl space-y-6 p-4 sm:p-6">
        <div className="flex flex-wrap items-center gap-3">
          <Link href="/" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            ← Timeline
          </Link>
          <Link href="/messages" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            Messages
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
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
            {message && !inbound && (
              <Summary label="State">
                <MessageStateBadges message={message} />
              </Summary>
            )}
            {inbound ? (
              <Summary label="Direction">
                <Badge tone="inbound">inbound</Badge>
              </Summary>
            ) : (
              <Summary label="Final status">
                {final.status ? <StatusBadge status={final.status} /> : "—"}
                {final.conflict && <span className="ml-2 text-xs text-amber-700 dark:text-amber-300">conflicting reports</span>}
              </Summary>
            )}
            {!inbound && (
              <Summary label="Total time">
                {total ? (
                  <>
                    {formatDuration(total.ms)}
                    <span className="block text-xs font-normal text-slate-500 dark:text-slate-400">submitted → {total.status}</span>
                  </>
                ) : (
                  <span className="text-slate-500 dark:text-slate-400">
                    {message?.state === "pending" || message?.state === "overdue" || !final.status || final.status === "submitted"
                      ? "no final status yet"
                      : "— (no submitted status to measure from)"}
                  </span>
                )}
              </Summary>
            )}
            <Summary label="Channel">{channelLabel(first?.channel ?? null)}</Summary>
            {!inbound && <Summary label="Cost">{cost ? `${cost.amount} ${cost.currency}` : "—"}</Summary>}
            {first?.clientRef && (
              <Summary label="Client ref">
                <span className="font-mono text-xs wrap-anywhere">{first.clientRef}</span>
              </Summary>
            )}
            <Summary label="From → to">
              <span className="wrap-anywhere">
                {first?.from ?? "?"} → {first?.to ?? "?"}
              </span>
            </Summary>
          </dl>
        )}

        {message?.state === "overdue" && !message.beyondHorizon && (
          <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            Overdue: no final status {formatDuration(Math.max(0, shownAt - Date.parse(message.firstEventAt)))} after its first event, longer
            than this channel&apos;s threshold (set with MESSAGE_OVERDUE_MINUTES). Vonage may still send one: it appears here when it comes.
          </p>
        )}
        {message?.beyondHorizon && message.state === "overdue" && (
          <p className="rounded-md bg-slate-100 p-3 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-200">
            Beyond the horizon: Vonage sends no more statuses for this channel after this long, so no final status will come.
          </p>
        )}

        {message && workflow.length > 0 && <WorkflowMessages current={message} others={workflow} />}

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
                      {" · "}
                      <ReceiptLag event={event} /> at{" "}
                      <time dateTime={event.receivedAt}>{new Date(event.receivedAt).toLocaleTimeString()}</time> (#{arrival.get(event.id)})
                      {/* The same event sent again: Vonage retries a webhook it saw no 2xx for in time. */}
                      {event.duplicates > 0 && ` · received ${event.duplicates + 1}× (Vonage retried)`}
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

/** "received 1.2 s later": from Vonage's time to ours. Clocks a little apart can make it negative. */
function ReceiptLag({ event }: { event: EventJson }) {
  const lag = receiptLag(event);
  if (lag === null) return <>received</>;
  if (lag < 0)
    return <span title="Vonage's clock and this server's disagree">received {formatDuration(-lag)} before Vonage&apos;s time</span>;
  return <>received {formatDuration(lag)} later</>;
}

/** The messages of one failover workflow (RCS or WhatsApp falling back to SMS), in the order they were sent. */
function WorkflowMessages({ current, others }: { current: MessageJson; others: MessageJson[] }) {
  const messages = [...others, current].sort((a, b) => a.id - b.id);
  return (
    <section aria-label="Failover workflow" className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
      <div>
        <h2 className="text-sm font-semibold">Failover workflow: {messages.length} messages</h2>
        <p className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">{current.workflowId}</p>
      </div>
      <ol className="space-y-2 text-sm">
        {messages.map((m, i) => (
          <li key={m.messageUuid} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
            <span className="text-xs text-slate-500 tabular-nums">{i + 1}.</span>
            <span className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
              {channelLabel(m.channel)}
            </span>
            <StateBadge state={m.state} />
            {m.finalStatus && m.finalStatus !== m.state && <StatusBadge status={m.finalStatus} />}
            {m.messageUuid === current.messageUuid ? (
              <span className="flex min-w-0 gap-1 text-xs">
                <span className="min-w-0 truncate font-mono">{m.messageUuid}</span> <span className="shrink-0">(this message)</span>
              </span>
            ) : (
              <Link
                href={messageHref(m.messageUuid)}
                className="min-w-0 truncate font-mono text-xs text-indigo-700 underline dark:text-indigo-300"
              >
                {m.messageUuid}
              </Link>
            )}
          </li>
        ))}
      </ol>
    </section>
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
