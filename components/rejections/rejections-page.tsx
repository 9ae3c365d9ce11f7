"use client";

import { ExportControl } from "@/components/export/export-control";
import { RejectionsView } from "@/components/rejections/rejections-view";

/** The rejections view with its Export control (what users attach when asking for help with signatures). */
export function RejectionsPage() {
  return <RejectionsView toolbar={(reason) => <ExportControl what="rejections" filter={reason ? { reason } : {}} />} />;
}
