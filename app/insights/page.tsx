import { Suspense } from "react";
import { InsightsView } from "@/components/insights/insights-view";

export const metadata = { title: "Insights · Vonage Webhook Console" };

export default function InsightsPage() {
  return (
    <Suspense>
      <InsightsView />
    </Suspense>
  );
}
