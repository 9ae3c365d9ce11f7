import { apiResponse } from "@/lib/http/api";
import { eventQuerySchema, listEvents, parseSearchParams } from "@/lib/events/query";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return apiResponse(() => listEvents(parseSearchParams(eventQuerySchema, new URL(request.url).searchParams)));
}
