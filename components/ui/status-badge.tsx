import type { MessageJson, MessageState } from "@/lib/messages/types";

/** Status → colour, in one place. Unknown statuses get a neutral badge and keep their name. */

const STYLES: Record<string, string> = {
  submitted: "bg-sky-100 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800",
  accepted: "bg-sky-100 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800",
  buffered: "bg-sky-100 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800",
  delivered: "bg-emerald-100 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800",
  read: "bg-teal-100 text-teal-800 ring-teal-300 dark:bg-teal-950 dark:text-teal-200 dark:ring-teal-800",
  rejected: "bg-red-100 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800",
  failed: "bg-red-100 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800",
  expired: "bg-red-100 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800",
  undeliverable: "bg-orange-100 text-orange-800 ring-orange-300 dark:bg-orange-950 dark:text-orange-200 dark:ring-orange-800",
  inbound: "bg-violet-100 text-violet-800 ring-violet-300 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-800",
  // A message's states (lib/messages/types.ts); delivered, read and failed share the statuses' colours.
  pending: "bg-sky-50 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800",
  overdue: "bg-amber-100 text-amber-900 ring-amber-500 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-600",
};
const NEUTRAL = "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600";

export function Badge({ children, tone, title }: { children: React.ReactNode; tone?: string; title?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex shrink-0 items-center rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${(tone && STYLES[tone]) ?? NEUTRAL}`}
    >
      {children}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={status}>{status}</Badge>;
}

const STATE_MEANINGS: Record<MessageState, string> = {
  read: "Read reported",
  delivered: "Delivered reported, not read",
  failed: "Failed, with no success reported",
  pending: "No final status yet, within the channel's overdue threshold",
  overdue: "No final status, older than the channel's overdue threshold (MESSAGE_OVERDUE_MINUTES)",
};

/** A message's state, with what it means on hover. */
export function StateBadge({ state }: { state: MessageState }) {
  return (
    <Badge tone={state} title={STATE_MEANINGS[state]}>
      {state}
    </Badge>
  );
}

/** The state, and past the horizon, that no more statuses will come. */
export function MessageStateBadges({ message }: { message: Pick<MessageJson, "state" | "beyondHorizon"> }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <StateBadge state={message.state} />
      {message.beyondHorizon && (
        <Badge title="Past the time after which Vonage sends no more statuses for its channel (SMS and MMS 72 h, Viber 14 days, others 30 days)">
          beyond horizon
        </Badge>
      )}
    </span>
  );
}

export function UnverifiedBadge() {
  return (
    <span
      title="Stored without signature verification: VONAGE_SIGNATURE_SECRET was not set"
      className="inline-flex shrink-0 items-center rounded-full bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 ring-1 ring-amber-400 ring-inset dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-700"
    >
      unverified
    </span>
  );
}
