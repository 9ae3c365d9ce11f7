import { apiResponse } from "@/lib/http/api";
import { parseSearchParams } from "@/lib/events/query";
import { insights, insightsQuerySchema } from "@/lib/messages/insights";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return apiResponse(() => insights(parseSearchParams(insightsQuerySchema, new URL(request.url).searchParams)));
}
