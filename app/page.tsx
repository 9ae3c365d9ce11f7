import { Suspense } from "react";
import { Dashboard } from "@/components/timeline/dashboard";

export default function TimelinePage() {
  return (
    <Suspense>
      <Dashboard />
    </Suspense>
  );
}
