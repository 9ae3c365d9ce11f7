import Link from "next/link";
import { MediaLink } from "@/components/message/inbound-content";
import type { RowEvent } from "@/components/timeline/row-event";
import { Badge, StatusBadge, UnverifiedBadge } from "@/components/ui/status-badge";
import { describeErrorCode } from "@/lib/vonage/error-codes";

/** One timeline entry, from props only: what happened, to whom, and when. */

export function messageHref(messageUuid: string): string {
  return `/messages/${encodeURIComponent(messageUuid)}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today ? timeFormat.format(date) : `${dateFormat.format(date)} ${timeFormat.format(date)}`;
}

export function channelLabel(channel: string | null): string {
  if (channel === "viber_service") return "viber";
  return channel ?? "unknown channel";
}

/** Status events (Messages statuses, SMS delivery receipts) show their status; inbound ones their type. */
export function KindBadge({ event }: { event: Pick<RowEvent, "kind" | "status" | "messageType"> }) {
  if (event.kind === "status" || event.kind === "sms-dlr") return <StatusBadge status={event.status ?? "no status"} />;
  return <Badge tone="inbound">inbound {event.messageType ?? ""}</Badge>;
}

function EventHeadline({ event }: { event: RowEvent }) {
  const smsApi = event.kind === "sms-inbound" || event.kind === "sms-dlr";
  return (
    <>
      <KindBadge event={event} />
      <span className="shrink-0 text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
        {channelLabel(event.channel)}
        {smsApi && <span title="Account-level SMS API webhook"> · {event.kind === "sms-dlr" ? "DLR" : "SMS API"}</span>}
      </span>
      {event.concat && (
        <Badge title={`Part ${event.concat.part} of a ${event.concat.total}-part message (ref ${event.concat.ref})`}>
          part {event.concat.part}/{event.concat.total}
        </Badge>
      )}
      <span className="min-w-0 truncate text-sm text-slate-700 dark:text-slate-300">
        {event.from ?? "?"} <span aria-label="to">→</span> {event.to ?? "?"}
      </span>
      {event.verification === "unverified" && <UnverifiedBadge />}
      {event.duplicates > 0 && <Badge title={`Received ${event.duplicates + 1} times (Vonage retried)`}>×{event.duplicates + 1}</Badge>}
    </>
  );
}

/** The second line: an error explained, or what an inbound message says. */
export function EventDetail({ event }: { event: RowEvent }) {
  if (event.error) {
    const known = describeErrorCode(event.error.code);
    return (
      <span className="text-red-700 dark:text-red-300">
        {event.error.code && <span className="font-mono">{event.error.code}</span>} {event.error.title ?? known?.title}
        {known ? ` — ${known.explanation}` : event.error.detail ? ` — ${event.error.detail}` : ""}
      </span>
    );
  }
  if (event.kind === "inbound" || event.kind === "sms-inbound") {
    return (
      <span>
        {event.text}
        {event.mediaUrl && (
          <>
            {" "}
            <MediaLink url={event.mediaUrl}>open {event.messageType}</MediaLink>
          </>
        )}
      </span>
    );
  }
  return event.price ? (
    <span className="text-slate-500 dark:text-slate-400">
      {event.price} {event.currency}
    </span>
  ) : null;
}

export function TimelineRow({ event }: { event: RowEvent }) {
  return (
    <div className="flex h-full flex-col justify-center gap-1 border-b border-slate-200 px-4 py-2 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-900/60">
      <div className="flex min-w-0 items-center gap-2">
        <EventHeadline event={event} />
        <time
          dateTime={event.receivedAt}
          title={`received ${event.receivedAt}${event.timestamp ? `, Vonage time ${event.timestamp}` : ""}`}
          className="ml-auto shrink-0 text-xs text-slate-500 tabular-nums dark:text-slate-400"
        >
          {formatTime(event.receivedAt)}
        </time>
      </div>
      <div className="flex min-w-0 flex-col gap-x-2 text-sm sm:flex-row sm:items-baseline">
        {event.messageUuid ? (
          <Link
            href={messageHref(event.messageUuid)}
            data-row-link
            className="min-w-0 shrink-0 truncate font-mono text-xs text-indigo-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-300"
          >
            {event.messageUuid}
          </Link>
        ) : (
          <span className="shrink-0 font-mono text-xs text-slate-400">no message ID</span>
        )}
        <span className="min-w-0 truncate text-slate-700 dark:text-slate-300">
          <EventDetail event={event} />
        </span>
      </div>
    </div>
  );
}
