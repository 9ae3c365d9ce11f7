/** The live indicator: "Live" while the socket is connected, "Reconnecting…" otherwise. */
export function ConnectionStatus({ connected }: { connected: boolean }) {
  return (
    <span
      role="status"
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-semibold ${
        connected
          ? "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
          : "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200"
      }`}
    >
      <span aria-hidden className={`size-2 rounded-full ${connected ? "bg-emerald-500" : "animate-pulse bg-amber-500"}`} />
      {connected ? "Live" : "Reconnecting…"}
    </span>
  );
}
