import { PRINCIPAL_HEADER } from "@/lib/auth/principal";
import { healthReport, livenessReport } from "@/lib/health";

export const dynamic = "force-dynamic";

// Public liveness for load balancers; counts and configuration only for a session or the API token.
export async function GET(request: Request) {
  const report = request.headers.get(PRINCIPAL_HEADER) ? await healthReport() : await livenessReport();
  return Response.json(report, { status: report.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
