import Link from "next/link";
import { channelName } from "@/components/insights/window-picker";
import { formatDuration } from "@/lib/events/lifecycle";
import type { InsightsJson, Percentiles } from "@/lib/messages/types";

/** The insights' tables: each is its own chart's numbers, readable by a screen reader and copyable. */

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

export function formatRate(rate: number | null): string {
  return rate === null ? "—" : percent.format(rate);
}

const tableClass = "w-full text-sm tabular-nums";
const headClass = "text-left text-xs text-slate-500 dark:text-slate-400";
const bodyClass = "divide-y divide-slate-100 dark:divide-slate-800";
const th = "py-1.5 pr-2 font-medium sm:pr-3";
const td = "py-1.5 pr-2 sm:pr-3";

/**
 * Tables scroll inside their card on a narrow screen; the page itself never scrolls sideways.
 * `relative` holds the sr-only texts in too: absolutely placed, they would widen the page.
 */
function Scroll({ children }: { children: React.ReactNode }) {
  return <div className="relative -mx-1 overflow-x-auto px-1">{children}</div>;
}

/** delivered / (delivered + failed) as a bar, beside the number it draws. */
function RateBar({ rate }: { rate: number | null }) {
  return (
    <span
      aria-hidden
      className="mr-1 hidden h-2 w-24 overflow-hidden rounded-full bg-slate-200 align-middle sm:inline-block dark:bg-slate-800"
    >
      {rate !== null && (
        <span className="block h-full rounded-full bg-emerald-500 dark:bg-emerald-400" style={{ width: `${rate * 100}%` }} />
      )}
    </span>
  );
}

type RateRow = { total: number; delivered: number; failed: number; deliveryRate: number | null };

function RateTable<T extends RateRow>({
  rows,
  label,
  name,
  nameOf,
}: {
  rows: T[];
  label: string;
  name: string;
  nameOf: (row: T) => string;
}) {
  return (
    <Scroll>
      <table className={tableClass}>
        <caption className="sr-only">{label}</caption>
        <thead className={headClass}>
          <tr>
            <th scope="col" className={th}>
              {name}
            </th>
            <th scope="col" className={th}>
              Delivery rate
            </th>
            <th scope="col" className={`${th} text-right`}>
              Delivered
            </th>
            <th scope="col" className={`${th} text-right`}>
              Failed
            </th>
            <th scope="col" className={`${th} text-right`}>
              Messages
            </th>
          </tr>
        </thead>
        <tbody className={bodyClass}>
          {rows.map((row) => (
            <tr key={nameOf(row)}>
              <th scope="row" className={`${td} text-left font-medium`}>
                {nameOf(row)}
              </th>
              <td className={`${td} whitespace-nowrap`} title={row.deliveryRate === null ? "No final status yet" : undefined}>
                <RateBar rate={row.deliveryRate} />
                {formatRate(row.deliveryRate)}
              </td>
              <td className={`${td} text-right`}>{row.delivered.toLocaleString()}</td>
              <td className={`${td} text-right`}>{row.failed.toLocaleString()}</td>
              <td className={`${td} text-right`}>{row.total.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

export function ChannelTable({ rows }: { rows: InsightsJson["byChannel"] }) {
  if (rows.length === 0) return <Empty>No outbound messages in this window.</Empty>;
  return <RateTable rows={rows} label="Delivery rate per channel" name="Channel" nameOf={(row) => channelName(row.channel)} />;
}

export function CountryTable({ rows }: { rows: InsightsJson["byCountry"] }) {
  if (rows.length === 0) return <Empty>No recipients with a phone number in this window.</Empty>;
  return <RateTable rows={rows} label="Delivery rate per country" name="Country" nameOf={(row) => row.country} />;
}

function duration(ms: number | null): string {
  return ms === null ? "—" : formatDuration(ms);
}

export function LatencyTable({ latency }: { latency: InsightsJson["latency"] }) {
  const rows: [string, Percentiles][] = [
    ["Submitted\u00a0→ delivered", latency.submittedToDelivered],
    ["Delivered\u00a0→ read", latency.deliveredToRead],
  ];
  return (
    <Scroll>
      <table className={tableClass}>
        <caption className="sr-only">Latency percentiles, by Vonage&apos;s timestamps</caption>
        <thead className={headClass}>
          <tr>
            <th scope="col" className={th}>
              Step
            </th>
            <th scope="col" className={`${th} text-right`}>
              p50
            </th>
            <th scope="col" className={`${th} text-right`}>
              p90
            </th>
            <th scope="col" className={`${th} text-right`}>
              p99
            </th>
            <th scope="col" className={`${th} text-right`}>
              Count
            </th>
          </tr>
        </thead>
        <tbody className={bodyClass}>
          {rows.map(([step, p]) => (
            <tr key={step}>
              <th scope="row" className={`${td} text-left font-medium sm:whitespace-nowrap`}>
                {step}
              </th>
              <td className={`${td} text-right whitespace-nowrap`}>{duration(p.p50Ms)}</td>
              <td className={`${td} text-right whitespace-nowrap`}>{duration(p.p90Ms)}</td>
              <td className={`${td} text-right whitespace-nowrap`}>{duration(p.p99Ms)}</td>
              <td className={`${td} text-right`}>{p.count.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

/** "+2", "−1" or "same" against the window of the same length just before. */
function Trend({ count, previous }: { count: number; previous: number }) {
  const change = count - previous;
  const text = change === 0 ? "same" : change > 0 ? `▲ ${change.toLocaleString()}` : `▼ ${(-change).toLocaleString()}`;
  const tone = change > 0 ? "text-red-700 dark:text-red-300" : change < 0 ? "text-emerald-700 dark:text-emerald-300" : "text-slate-500";
  return (
    <span className={`whitespace-nowrap ${tone}`} title={`${previous.toLocaleString()} in the window before`}>
      {text}
      <span className="sr-only"> against {previous.toLocaleString()} in the window before</span>
    </span>
  );
}

/**
 * The timeline of one error code's events (and channel) since the window's start. The timeline's
 * since/until are times received, not Vonage's: a window that ends now gets no `until`, so the
 * timeline stays live; a custom one keeps its end.
 */
export function timelineHref(code: string, since: string, until: string | undefined, channel: string | null): string {
  const params = new URLSearchParams({ error_code: code, since });
  if (until) params.set("until", until);
  if (channel) params.set("channel", channel);
  return `/?${params}`;
}

export function TopErrors({
  errors,
  since,
  until,
  channel,
}: {
  errors: InsightsJson["topErrors"];
  since: string;
  until?: string;
  channel: string | null;
}) {
  if (errors.length === 0) return <Empty>No errors in this window.</Empty>;
  return (
    <Scroll>
      <table className={tableClass}>
        <caption className="sr-only">Top errors, with the count in the window before</caption>
        <thead className={headClass}>
          <tr>
            <th scope="col" className={th}>
              Error
            </th>
            <th scope="col" className={`${th} text-right`}>
              Count
            </th>
            <th scope="col" className={th}>
              Trend
            </th>
            <th scope="col" className={`${th} hidden sm:table-cell`}>
              What to do
            </th>
            <th scope="col" className={th}>
              <span className="sr-only">Events</span>
            </th>
          </tr>
        </thead>
        <tbody className={bodyClass}>
          {errors.map((error) => (
            <tr key={error.code} className="align-top">
              <th scope="row" className={`${td} min-w-40 text-left font-normal`}>
                <span className="font-mono font-semibold">{error.code}</span>
                {error.title && error.title !== error.code && (
                  <span className="block text-slate-600 dark:text-slate-300">{error.title}</span>
                )}
                {/* On a phone the action goes under the error, instead of a fourth narrow column. */}
                <span className="mt-1 block text-slate-700 sm:hidden dark:text-slate-300">{error.action}</span>
              </th>
              <td className={`${td} text-right font-semibold`}>{error.count.toLocaleString()}</td>
              <td className={td}>
                <Trend count={error.count} previous={error.previousCount} />
              </td>
              <td className={`${td} hidden min-w-48 text-slate-700 sm:table-cell dark:text-slate-300`}>{error.action}</td>
              <td className={`${td} whitespace-nowrap`}>
                <Link
                  href={timelineHref(error.code, since, until, channel)}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  Events<span className="sr-only"> with error {error.code}</span> →
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

/** "26.64000000" as "26.64", "0.02940" as "0.0294": trailing zeros dropped, two decimals kept; as text, never through a float. */
export function formatAmount(amount: string): string {
  const [whole, fraction = ""] = amount.split(".");
  return `${whole}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`;
}

/** The sum per currency, to as many decimals as the most precise price (Vonage sends up to 8). */
export function costTotals(rows: InsightsJson["cost"]): { currency: string; amount: string; messages: number }[] {
  const byCurrency = new Map<string, { sum: number; decimals: number; messages: number }>();
  for (const row of rows) {
    const total = byCurrency.get(row.currency) ?? { sum: 0, decimals: 0, messages: 0 };
    total.sum += Number(row.amount);
    total.decimals = Math.max(total.decimals, row.amount.split(".")[1]?.length ?? 0);
    total.messages += row.messages;
    byCurrency.set(row.currency, total);
  }
  return [...byCurrency].map(([currency, t]) => ({ currency, amount: t.sum.toFixed(t.decimals), messages: t.messages }));
}

export function CostTable({ rows }: { rows: InsightsJson["cost"] }) {
  if (rows.length === 0) return <Empty>No prices reported in this window.</Empty>;
  const totals = rows.length > 1 ? costTotals(rows) : [];
  return (
    <Scroll>
      <table className={tableClass}>
        <caption className="sr-only">Cost per channel and currency</caption>
        <thead className={headClass}>
          <tr>
            <th scope="col" className={th}>
              Channel
            </th>
            <th scope="col" className={`${th} text-right`}>
              Amount
            </th>
            <th scope="col" className={`${th} text-right`}>
              Priced messages
            </th>
          </tr>
        </thead>
        <tbody className={bodyClass}>
          {rows.map((row) => (
            <tr key={`${row.channel} ${row.currency}`}>
              <th scope="row" className={`${td} text-left font-medium`}>
                {channelName(row.channel)}
              </th>
              {/* The amount as the API gives it: a decimal string, never rounded through a float. */}
              <td className={`${td} text-right whitespace-nowrap`}>
                {formatAmount(row.amount)} {row.currency}
              </td>
              <td className={`${td} text-right`}>{row.messages.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
        {totals.length > 0 && (
          <tfoot className="border-t border-slate-300 dark:border-slate-600">
            {totals.map((total) => (
              <tr key={total.currency}>
                <th scope="row" className={`${td} text-left font-semibold`}>
                  Total
                </th>
                <td className={`${td} text-right font-semibold whitespace-nowrap`}>
                  {formatAmount(total.amount)} {total.currency}
                </td>
                <td className={`${td} text-right`}>{total.messages.toLocaleString()}</td>
              </tr>
            ))}
          </tfoot>
        )}
      </table>
    </Scroll>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="text-sm text-slate-500 dark:text-slate-400">{children}</p>;
}
