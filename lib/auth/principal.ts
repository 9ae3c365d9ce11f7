/**
 * Who made a request, as route handlers and pages see it: server.ts's gate sets this header
 * ("session" or "api-token") after authenticating, and removes any value a client sent.
 */
export const PRINCIPAL_HEADER = "x-vonage-console-principal";
