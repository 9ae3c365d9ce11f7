export const metadata = { title: "Log in · Vonage Webhook Console" };

/**
 * One password field. The form posts to /login, which server.ts answers (lib/auth/gate.ts).
 * It never says whether a password is configured: the access token printed at start-up
 * works in the same field.
 */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const message =
    params.error === "invalid"
      ? "That did not work. Check it and try again."
      : params.error === "wait"
        ? `Too many attempts from your address. Wait ${params.seconds ?? "a few"} seconds and try again.`
        : params.logged_out
          ? "You are logged out."
          : null;
  return (
    <main className="flex flex-1 items-start justify-center p-6 sm:items-center">
      <form
        method="post"
        action="/login"
        className="w-full max-w-sm space-y-4 rounded-xl border border-slate-200 p-6 shadow-sm dark:border-slate-700"
      >
        <h1 className="text-lg font-semibold">Log in</h1>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          Message contents and phone numbers are personal data: this console shows them only after you log in.
        </p>
        {message && (
          <p role="alert" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
            {message}
          </p>
        )}
        <input type="hidden" name="next" value={params.next ?? "/"} />
        <div className="flex flex-col gap-1">
          <label htmlFor="password" className="text-sm font-medium">
            Password
          </label>
          <input
            id="password"
            name="password"
            type="password"
            required
            autoFocus
            autoComplete="current-password"
            className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900"
          />
          <p className="text-xs text-slate-500 dark:text-slate-400">
            The DASHBOARD_PASSWORD, or the access token the console printed when it started.
          </p>
        </div>
        <button
          type="submit"
          className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
        >
          Log in
        </button>
      </form>
    </main>
  );
}
