import { parseJsonObject } from "@/lib/vonage/payload";

/**
 * The parameters of a legacy SMS API webhook (inbound SMS or DLR), whatever wire form they
 * came in: a GET query string, a urlencoded form POST or a JSON POST (the three forms in the
 * official PHP SDK's captured requests). All values are strings, as Vonage sends them and as
 * the `sig` check needs them.
 */

export type SmsWireForm = "query" | "form" | "json";

export interface SmsRequest {
  method: string;
  /** The request URL: absolute, or the path and query alone. */
  url: string;
  contentType: string | null;
  body: Uint8Array;
}

export type SmsParams = { ok: true; params: Record<string, string>; wireForm: SmsWireForm } | { ok: false; detail: string };

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

export function readSmsParams(input: SmsRequest): SmsParams {
  let url: URL;
  try {
    url = new URL(input.url, "http://localhost");
  } catch {
    return { ok: false, detail: `request URL ${JSON.stringify(input.url)} cannot be parsed` };
  }
  const query = searchParamsToRecord(url.searchParams);

  if (input.method.toUpperCase() === "GET" || input.body.length === 0) {
    if (Object.keys(query).length === 0) {
      return { ok: false, detail: "no parameters: the query string and the body are both empty (not an SMS API webhook)" };
    }
    return { ok: true, params: query, wireForm: "query" };
  }

  const body = readBody(input.contentType, input.body);
  if (!body.ok) return body;
  // Vonage: "Sending both POST and query string data is unsupported" (signing-messages guide).
  // Should it happen anyway, the body wins and query parameters it lacks are kept, so
  // nothing that may have been signed is lost.
  return { ok: true, params: { ...query, ...body.params }, wireForm: body.wireForm };
}

function readBody(contentType: string | null, bytes: Uint8Array): SmsParams {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  // Like the PHP SDK (src/Webhook/Factory.php): a POST without Content-Type is JSON; the
  // inbound JSON capture json.txt has none.
  if (mediaType === "" || mediaType === JSON_TYPE) return readJsonBody(bytes);
  if (mediaType === FORM) return readFormBody(bytes);
  // A proxy may relabel the body (text/plain); read it by its look rather than lose it.
  if (mediaType === "text/plain") {
    const first = String.fromCharCode(bytes.find((b) => b > 0x20) ?? 0);
    return first === "{" ? readJsonBody(bytes) : readFormBody(bytes);
  }
  return {
    ok: false,
    detail: `Content-Type ${JSON.stringify(contentType)} is not supported; SMS API webhooks are GET, ${FORM} or ${JSON_TYPE}`,
  };
}

function readFormBody(bytes: Uint8Array): SmsParams {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, detail: "form body is not valid UTF-8" };
  }
  // URLSearchParams decodes `+` as a space and %XX as UTF-8, as Vonage encodes them.
  return { ok: true, params: searchParamsToRecord(new URLSearchParams(text)), wireForm: "form" };
}

function readJsonBody(bytes: Uint8Array): SmsParams {
  const parsed = parseJsonObject(bytes);
  if (!parsed.ok) return parsed;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.payload)) {
    // Vonage sends strings. A JSON null is absent; the literal string "null" is kept as
    // received, because it may be part of what Vonage signed (normalisation treats it as absent).
    if (value === null) continue;
    if (typeof value === "string") params[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") params[key] = String(value);
    else {
      const shape = Array.isArray(value) ? "an array" : "an object";
      return { ok: false, detail: `field ${JSON.stringify(key)} is ${shape}; SMS API webhooks carry flat string fields` };
    }
  }
  return { ok: true, params, wireForm: "json" };
}

/** A repeated key keeps its last value, as PHP's query parsing does. */
function searchParamsToRecord(search: URLSearchParams): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of search) params[key] = value;
  return params;
}
