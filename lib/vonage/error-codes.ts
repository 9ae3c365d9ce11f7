/**
 * Messages API error codes (the `error.title` of a rejected or undeliverable status), with
 * a plain-language explanation. Source: the Messages API OpenAPI spec's x-errors.
 * The list is open: unknown codes are shown as they arrive. Safe for client components.
 */

export interface ErrorCodeInfo {
  title: string;
  explanation: string;
}

export const MESSAGES_ERROR_CODES: Record<string, ErrorCodeInfo> = {
  "1000": { title: "Throttled", explanation: "You sent faster than your account allows. Slow down and retry." },
  "1010": { title: "Missing params", explanation: "The send request lacked a required parameter." },
  "1020": { title: "Invalid params", explanation: "A parameter of the send request had an invalid value." },
  "1021": { title: "Invalid tag", explanation: "A tag in the request is not valid." },
  "1022": {
    title: "Invalid template",
    explanation: "The WhatsApp template or its language does not exist or does not match its parameters.",
  },
  "1030": { title: "Internal error", explanation: "Vonage had an internal error. Retry later." },
  "1040": { title: "Invalid message", explanation: "The message content was not accepted." },
  "1050": { title: "Number barred", explanation: "The recipient number is barred from receiving messages." },
  "1060": { title: "Partner account barred", explanation: "Your account is barred; contact Vonage support." },
  "1070": { title: "Partner quota exceeded", explanation: "Your account balance or quota is exhausted. Top up." },
  "1080": { title: "Account not enabled for REST", explanation: "The account cannot use this API; contact Vonage support." },
  "1090": { title: "Message too long", explanation: "The message exceeds the channel's length limit." },
  "1100": { title: "Communication failed", explanation: "Vonage could not reach the provider. Retry later." },
  "1120": {
    title: "Illegal sender address",
    explanation: "The sender (from) is not allowed: check the number or WhatsApp Business account is linked to the application.",
  },
  "1130": { title: "Invalid TTL", explanation: "The time-to-live value is invalid." },
  "1140": { title: "Facility not allowed", explanation: "The requested feature is not enabled for the account." },
  "1150": { title: "Invalid message class", explanation: "The message class is invalid." },
  "1160": { title: "Non white-listed destination", explanation: "Demo or sandbox accounts can only send to whitelisted numbers." },
  "1170": { title: "Invalid or missing msisdn", explanation: "The recipient number is missing or not a valid phone number." },
  "1180": { title: "Absent subscriber temporary", explanation: "The handset is off or out of coverage. A retry later may succeed." },
  "1190": { title: "Absent subscriber permanent", explanation: "The number is no longer active. Remove it from your list." },
  "1200": { title: "Portability error", explanation: "The number was ported and could not be routed." },
  "1210": { title: "Anti-spam rejection", explanation: "The carrier's spam filter rejected the message." },
  "1220": { title: "Handset busy", explanation: "The handset was busy. Retry later." },
  "1230": { title: "Network error", explanation: "A carrier network error. Retry later." },
  "1240": { title: "Illegal number", explanation: "The recipient has opted out or the number is blocked." },
  "1241": { title: "Too many send requests", explanation: "Too many messages to this number in a short time." },
  "1250": { title: "Unroutable", explanation: "No route exists to this destination." },
  "1260": { title: "Destination unreachable", explanation: "The destination could not be reached." },
  "1270": { title: "Subscriber age restriction", explanation: "The recipient is barred from adult content." },
  "1280": { title: "Number blocked by carrier", explanation: "The carrier blocks this number." },
  "1290": { title: "Pre-paid insufficient funds", explanation: "The recipient's prepaid account lacks credit." },
  "1300": {
    title: "Not part of the provider network",
    explanation: "The recipient is not on the provider's network (e.g. not a WhatsApp or Viber user).",
  },
  "1310": { title: "Not suitable device", explanation: "The recipient's device cannot receive this message." },
  "1320": { title: "Message already sent", explanation: "This message was already sent." },
  "1330": { title: "Unknown", explanation: "The carrier reported an unknown error (SMS `unknown` DLR)." },
  "1331": { title: "Provider error", explanation: "The provider reported an error." },
  "1340": {
    title: "Outside of the allowed window",
    explanation: "WhatsApp: more than 24 hours since the user's last message; send a template instead.",
  },
  "1350": { title: "Phone matching fee not paid", explanation: "The phone-matching fee has not been paid." },
  "1360": {
    title: "TTL was activated",
    explanation: "The message expired before delivery (platform expiry): no callback from the carrier and no charge.",
  },
  "1370": { title: "Expired access token", explanation: "The Facebook page's access token has expired; relink the page." },
  "1380": { title: "Invalid resource", explanation: "The media URL could not be fetched." },
  "1381": { title: "Resource too large", explanation: "The media file is too large for the channel." },
  "1382": { title: "Resource type invalid", explanation: "The media type is not supported by the channel." },
  "1400": { title: "Unsupported channel", explanation: "The channel is not supported." },
  "1410": { title: "Invalid channel parameters", explanation: "A channel-specific parameter is invalid." },
  "1420": { title: "Invalid sender", explanation: "The sender is not valid for this channel." },
  "1430": { title: "Invalid recipient", explanation: "The recipient is not valid for this channel." },
  "1440": { title: "Invalid message type", explanation: "This message type is not allowed on the channel." },
  "1450": { title: "Invalid client reference", explanation: "client_ref is too long or invalid." },
};

export function describeErrorCode(code: string | null | undefined): ErrorCodeInfo | undefined {
  return code ? MESSAGES_ERROR_CODES[code] : undefined;
}
