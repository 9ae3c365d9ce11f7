import { createHash, createHmac, randomUUID } from "node:crypto";
import { jwtVerify } from "jose";
import type { PreparedRequest } from "@/bench/lib/http";
import { TEST_API_KEY, TEST_APPLICATION_ID } from "@/test/support/vonage";

/**
 * Message Status webhooks signed like Vonage signs them (HS256 JWT: iat, jti, iss=Vonage,
 * payload_hash = SHA-256 of the body, api_key, application_id), each with its own body (a
 * fresh message_uuid) and its own token, all made BEFORE the timed part so the generator's
 * crypto does not limit the measurement.
 *
 * The JWT is assembled with node:crypto's HMAC rather than jose (test/support/vonage.ts):
 * jose costs 80–180 µs a token here, which made pre-signing a few hundred thousand requests
 * take a minute; the claims and bytes are the same kind, and checkJose() verifies a sample
 * with jose before use.
 */

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const HEADER = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

export function signToken(body: Buffer, secret: string, iat = Math.floor(Date.now() / 1000)): string {
  const claims = {
    iat,
    jti: randomUUID(),
    iss: "Vonage",
    payload_hash: createHash("sha256").update(body).digest("hex"),
    api_key: TEST_API_KEY,
    application_id: TEST_APPLICATION_ID,
  };
  const signingInput = `${HEADER}.${b64url(JSON.stringify(claims))}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}

const STATUSES = ["submitted", "delivered", "read", "rejected", "undeliverable"];
const CHANNELS = ["sms", "whatsapp", "mms", "viber_service", "messenger", "rcs"];

/** A Message Status body shaped like Vonage's, distinct per index. */
function statusBody(uuid: string, index: number, tag: string): string {
  const status = STATUSES[index % STATUSES.length]!;
  const failed = status === "rejected" || status === "undeliverable";
  return JSON.stringify({
    message_uuid: uuid,
    to: `4477009${String(index % 100000).padStart(5, "0")}`,
    from: "447700900000",
    timestamp: new Date().toISOString(),
    status,
    channel: CHANNELS[index % CHANNELS.length],
    client_ref: `${tag}-${index}`,
    usage: { currency: "EUR", price: "0.0333" },
    ...(failed
      ? { error: { type: "https://developer.vonage.com/api-errors/messages#1340", title: "1340", detail: "Outside of the allowed window" } }
      : {}),
  });
}

/** `tag` goes into every client_ref (`<tag>-<index>`), to find these events in the database again. */
export function presignStatusWebhooks(count: number, secret: string, tag = "bench", path = "/webhooks/message-status"): PreparedRequest[] {
  const iat = Math.floor(Date.now() / 1000);
  const out = new Array<PreparedRequest>(count);
  for (let i = 0; i < count; i++) {
    const uuid = randomUUID();
    const body = Buffer.from(statusBody(uuid, i, tag));
    out[i] = {
      method: "POST",
      path,
      uuid,
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "Vonage/MessagingHUB/v1.0 (bench)",
        authorization: `Bearer ${signToken(body, secret, iat)}`,
      },
    };
  }
  return out;
}

/** Verifies one pre-signed token with jose, as the server will, so a signing bug fails fast. */
export async function checkJose(request: PreparedRequest, secret: string): Promise<void> {
  const token = request.headers.authorization!.slice("Bearer ".length);
  const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"], issuer: "Vonage" });
  const hash = createHash("sha256").update(request.body!).digest("hex");
  if (payload.payload_hash !== hash) throw new Error("pre-signed token: payload_hash does not match its body");
}

/** A cursor over pre-signed requests: each is handed out once. */
export function cursor(requests: PreparedRequest[]): () => PreparedRequest | undefined {
  let i = 0;
  return () => requests[i++];
}
