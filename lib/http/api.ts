import { noteDatabaseError } from "@/lib/db/integrity";
import { QueryError } from "@/lib/events/query";
import { RETRY_LATER } from "@/lib/http/headers";

/**
 * Runs a read-API handler and maps failures to honest JSON errors: 400 for a bad query,
 * 503 when the database cannot answer.
 */
export async function apiResponse(handler: () => Promise<unknown>): Promise<Response> {
  try {
    const body = await handler();
    return body instanceof Response ? body : Response.json(body, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof QueryError) {
      return Response.json({ error: "bad_request", detail: error.message }, { status: 400 });
    }
    noteDatabaseError(error);
    console.error("[api] query failed:", (error as Error).message);
    return Response.json(
      { error: "storage_unavailable", detail: "the database could not answer; retry later" },
      { status: 503, headers: [RETRY_LATER] },
    );
  }
}
