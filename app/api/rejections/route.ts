import { apiResponse } from "@/lib/http/api";
import { listRejections, parseSearchParams, rejectionQuerySchema } from "@/lib/events/query";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return apiResponse(() => listRejections(parseSearchParams(rejectionQuerySchema, new URL(request.url).searchParams)));
}
