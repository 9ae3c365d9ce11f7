"use client";

import { useEffect, useState } from "react";
import { fetchJson } from "@/components/data/api";
import { connectEventSocket } from "@/components/realtime/socket";
import { throttledReload } from "@/components/realtime/throttled-reload";
import { CopyButton } from "@/components/ui/copy-button";
import type { SetupReport } from "@/lib/setup";

/**
 * Connecting Vonage, step by step: the URLs to paste (with copy buttons), whether signatures
 * are checked, and when each webhook last received a call. The report is read again when the
 * socket says a call was stored or refused (at most once a second) and after each reconnect.
 */
/** A burst of webhooks reads the report once a second, not once per flush. */
const RELOAD_EVERY_MS = 1000;

export function SetupHelp({ compact = false }: { compact?: boolean }) {
  const [report, setReport] = useState<SetupReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = () =>
      fetchJson<SetupReport>("/api/setup")
        .then((r) => !stopped && (setReport(r), setError(null)))
        .catch((e: unknown) => !stopped && setError(e instanceof Error ? e.message : String(e)));
    void load();
    const { reload, cancel } = throttledReload(() => void load(), RELOAD_EVERY_MS);
    // The first connection counts too: a call may come between the first read and the join.
    const socket = connectEventSocket(() => ({ streams: ["activity"] }));
    socket.on("connect", reload);
    socket.on("activity", reload);
    return () => {
      stopped = true;
      cancel();
      socket.off();
      socket.disconnect();
    };
  }, []);

  if (error) return <p className="p-4 text-sm text-red-700 dark:text-red-300">Could not load the setup status: {error}</p>;
  if (!report) return <p className="p-4 text-sm text-slate-500">Loading setup…</p>;

  return (
    <section aria-labelledby="setup-title" className="mx-auto max-w-3xl space-y-6 p-4 sm:p-6">
      <div>
        <h2 id="setup-title" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
          {compact ? "No events yet: connect your Vonage application" : "Connect your Vonage application"}
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          In the Vonage Dashboard, open your application, enable <strong>Messages</strong>, and paste both URLs. Vonage asks that both are
          set and answer 200.
        </p>
      </div>

      <WebhookList webhooks={report.webhooks.filter((w) => w.level === "application")} />

      {!report.publicUrlConfigured && (
        <p className="rounded-md bg-sky-50 p-3 text-sm text-sky-900 dark:bg-sky-950 dark:text-sky-100">
          These URLs use the address this page was opened with. Vonage needs a public HTTPS address: run the console behind a tunnel or
          reverse proxy and set <code>PUBLIC_URL</code> to it.
        </p>
      )}

      <div
        className={`rounded-md p-3 text-sm ${report.signature.configured ? "bg-emerald-50 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100" : "bg-amber-50 text-amber-900 dark:bg-amber-950 dark:text-amber-100"}`}
      >
        {report.signature.configured ? (
          <>
            <strong>Messages API signature verification is on</strong> ({report.signature.secrets} secret
            {report.signature.secrets === 1 ? "" : "s"}
            {report.signature.accounts > 0
              ? `, ${report.signature.accounts} account${report.signature.accounts === 1 ? "" : "s"} by api_key`
              : ""}
            {report.signature.applicationId ? `, application ${report.signature.applicationId}` : ""}). Tokens up to{" "}
            {Math.round(report.signature.maxAgeSeconds / 3600)} h old are accepted.
          </>
        ) : (
          <>
            <strong>No signature secret is configured.</strong> Every Messages API call is accepted and stored as <em>unverified</em>. Set{" "}
            <code>VONAGE_SIGNATURE_SECRET</code> to the account&apos;s signature secret (Dashboard › Settings; not the API secret).
          </>
        )}
      </div>

      <section aria-labelledby="sms-setup-title" className="space-y-3 border-t border-slate-200 pt-6 dark:border-slate-700">
        <h3 id="sms-setup-title" className="text-base font-semibold text-slate-900 dark:text-slate-100">
          Account-level SMS settings
        </h3>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Needed when you send SMS through the <strong>SMS API</strong> (or with API key and secret instead of an application), or when the
          account&apos;s <em>Messaging API Type</em> is set to &ldquo;SMS API&rdquo;: then inbound SMS and delivery receipts go to the
          account-level URLs in Dashboard › Settings, not to the application&apos;s. Both GET and POST (form or JSON) are accepted.
        </p>
        <WebhookList webhooks={report.webhooks.filter((w) => w.level === "account")} />
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {report.smsSignature.mode === "off" ? (
            <>
              These endpoints are <strong>off</strong> (<code>SMS_API_WEBHOOKS=off</code>): they answer 404 and store nothing.
            </>
          ) : report.smsSignature.configured ? (
            <>
              SMS <code>sig</code> verification is on (method {report.smsSignature.method}, {report.smsSignature.secrets} secret
              {report.smsSignature.secrets === 1 ? "" : "s"}).
            </>
          ) : (
            <>
              SMS <code>sig</code> verification is off: unsigned SMS API calls are accepted and stored as <em>unverified</em>, whatever{" "}
              <code>VONAGE_SIGNATURE_SECRET</code> says. Set <code>VONAGE_SMS_SIGNATURE_SECRET</code> and{" "}
              <code>VONAGE_SMS_SIGNATURE_METHOD</code> once Vonage signs your account&apos;s SMS webhooks, or{" "}
              <code>SMS_API_WEBHOOKS=off</code> if it does not use them.
            </>
          )}
        </p>
      </section>
    </section>
  );
}

function WebhookList({ webhooks }: { webhooks: SetupReport["webhooks"] }) {
  return (
    <ol className="space-y-3">
      {webhooks.map((webhook) => (
        <li key={webhook.kind} className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span className="text-sm font-semibold text-slate-800 dark:text-slate-100">
              {webhook.dashboardField} <span className="font-normal text-slate-500">({webhook.label})</span>
            </span>
            <CopyButton text={webhook.url} label={`Copy the ${webhook.label} URL`} />
          </div>
          <code className="mt-2 block rounded bg-slate-100 px-2 py-1.5 font-mono text-sm break-all text-slate-900 dark:bg-slate-900 dark:text-slate-100">
            {webhook.url}
          </code>
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            {webhook.lastCall ? (
              <>
                Last call <time dateTime={webhook.lastCall.at}>{new Date(webhook.lastCall.at).toLocaleString()}</time>:{" "}
                {webhook.lastCall.outcome === "stored" ? (
                  <span className="font-medium text-emerald-700 dark:text-emerald-300">stored (200)</span>
                ) : (
                  <span className="font-medium text-red-700 dark:text-red-300">
                    refused ({webhook.lastCall.httpStatus} {webhook.lastCall.reason}) — see Rejected deliveries
                  </span>
                )}
              </>
            ) : (
              "No call received yet."
            )}
          </p>
        </li>
      ))}
    </ol>
  );
}
