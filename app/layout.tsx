import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { PRINCIPAL_HEADER } from "@/lib/auth/principal";
import "./globals.css";

export const metadata: Metadata = {
  title: "Vonage Webhook Console",
  description: "Verified, stored, live Vonage Messages API webhooks",
  referrer: "no-referrer",
};

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

const NAV = [
  ["/", "Timeline"],
  ["/insights", "Insights"],
  ["/messages", "Messages"],
  ["/rejections", "Rejected deliveries"],
  ["/setup", "Setup"],
] as const;

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request makes every page render per request, which the CSP nonce needs.
  const loggedIn = (await headers()).get(PRINCIPAL_HEADER) === "session";
  return (
    <html lang="en">
      <body className="flex h-dvh flex-col bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-indigo-600 focus:px-3 focus:py-1 focus:text-white"
        >
          Skip to content
        </a>
        <header className="flex flex-wrap items-center gap-x-6 gap-y-1 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
          <Link href="/" className="text-base font-bold tracking-tight">
            Vonage Webhook Console
          </Link>
          {loggedIn && (
            <>
              <nav aria-label="Main" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
                {NAV.map(([href, label]) => (
                  <Link key={href} href={href} className="text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">
                    {label}
                  </Link>
                ))}
              </nav>
              <form method="post" action="/logout" className="ml-auto">
                <button type="submit" className="text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white">
                  Log out
                </button>
              </form>
            </>
          )}
        </header>
        <div id="main" className="flex min-h-0 flex-1 flex-col">
          {children}
        </div>
      </body>
    </html>
  );
}
