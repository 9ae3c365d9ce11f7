import { apiResponse } from "@/lib/http/api";
import { concatGroupOf, listMessageEvents } from "@/lib/events/query";
import { messageWithWorkflow } from "@/lib/messages/query";

export const dynamic = "force-dynamic";

export function GET(_request: Request, { params }: { params: Promise<{ messageUuid: string }> }) {
  return apiResponse(async () => {
    // Next.js has decoded the parameter already; decoding again broke ids with a "%" in them.
    const messageUuid = (await params).messageUuid.trim();
    const events = await listMessageEvents(messageUuid);
    if (events.length === 0) {
      return Response.json({ error: "not_found", detail: `no events for message ${messageUuid}` }, { status: 404 });
    }
    const part = events.find((e) => e.concat !== null);
    const { message, workflow } = await messageWithWorkflow(messageUuid);
    return { messageUuid, events, concat: part ? await concatGroupOf(part) : null, message, workflow };
  });
}
