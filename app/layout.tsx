import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Vonage Webhook Console",
  description: "Verified, stored, live Vonage Messages API webhooks",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
