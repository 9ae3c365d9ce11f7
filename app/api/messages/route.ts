import { apiResponse } from "@/lib/http/api";
import { parseSearchParams } from "@/lib/events/query";
import { listMessages, messageQuerySchema } from "@/lib/messages/query";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return apiResponse(() => listMessages(parseSearchParams(messageQuerySchema, new URL(request.url).searchParams)));
}
