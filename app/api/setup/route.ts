import { apiResponse } from "@/lib/http/api";
import { setupReport } from "@/lib/setup";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return apiResponse(() => setupReport(request));
}
