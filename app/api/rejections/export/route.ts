import { exportRejections } from "@/lib/export/export";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return exportRejections(request);
}
