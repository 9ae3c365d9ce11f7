import { SetupHelp } from "@/components/setup/setup-help";

export const metadata = { title: "Setup · Vonage Webhook Console" };

export default function SetupPage() {
  return (
    <main className="overflow-y-auto">
      <SetupHelp />
    </main>
  );
}
