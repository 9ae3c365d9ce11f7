import { apiResponse } from "@/lib/http/api";
import { listMessageEvents } from "@/lib/events/query";

export const dynamic = "force-dynamic";

export function GET(_request: Request, { params }: { params: Promise<{ messageUuid: string }> }) {
  return apiResponse(async () => {
    const messageUuid = decodeURIComponent((await params).messageUuid).trim();
    const events = await listMessageEvents(messageUuid);
    if (events.length === 0) {
      return Response.json({ error: "not_found", detail: `no events for message ${messageUuid}` }, { status: 404 });
    }
    return { messageUuid, events };
  });
}
