/**
 * What an inbound message says, in one line of plain text, per `message_type` (the Messages
 * API reference's inbound message types). Used for the searchable `text` column, exports and
 * the timeline. Pure functions; safe for client components.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const MEDIA_TYPES = ["image", "audio", "video", "file", "vcard", "sticker"] as const;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Strings stay strings, numbers become strings (Vonage sends both for some fields). */
export function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

export interface MediaContent {
  url?: string;
  name?: string;
  caption?: string;
}

export function mediaOf(payload: JsonObject, type: string): MediaContent | undefined {
  const media = payload[type];
  if (!isObject(media)) return undefined;
  return { url: asText(media.url), name: asText(media.name), caption: asText(media.caption) };
}

/** One line describing an inbound message's content, or undefined when there is none. */
export function summarizeInbound(payload: JsonObject, messageType: string | undefined): string | undefined {
  const type = messageType ?? "text";
  if (type === "text") return asText(payload.text);

  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    const media = mediaOf(payload, type);
    const parts = [media?.caption, media?.name].filter(Boolean);
    return parts.length > 0 ? `${type}: ${parts.join(" — ")}` : type;
  }

  switch (type) {
    case "location": {
      const loc = isObject(payload.location) ? payload.location : {};
      const place = [asText(loc.name), asText(loc.address)].filter(Boolean).join(", ");
      const coords = [asText(loc.lat), asText(loc.long)].every(Boolean) ? `${asText(loc.lat)}, ${asText(loc.long)}` : "";
      return `location: ${[place, coords && `(${coords})`].filter(Boolean).join(" ")}`.trim();
    }
    case "reply": {
      const reply = isObject(payload.reply) ? payload.reply : {};
      const detail = [asText(reply.title), asText(reply.description)].filter(Boolean).join(" — ");
      return `reply: ${detail || asText(reply.id) || "(empty)"}`;
    }
    case "button": {
      const button = isObject(payload.button) ? payload.button : {};
      return `button: ${asText(button.text) ?? asText(button.payload) ?? JSON.stringify(button.payload ?? null)}`;
    }
    case "order": {
      const order = isObject(payload.order) ? payload.order : {};
      const items = Array.isArray(order.product_items) ? order.product_items.filter(isObject) : [];
      const lines = items.map((item) => {
        const qty = asText(item.quantity) ?? "1";
        const price = [asText(item.item_price), asText(item.currency)].filter(Boolean).join(" ");
        return `${qty} × ${asText(item.product_retailer_id) ?? "item"}${price ? ` @ ${price}` : ""}`;
      });
      return `order: ${lines.length > 0 ? lines.join("; ") : "(no items)"}`;
    }
    case "reaction": {
      const reaction = isObject(payload.reaction) ? payload.reaction : {};
      const action = asText(reaction.action) ?? "react";
      return action === "unreact" ? "reaction removed" : `reaction: ${asText(reaction.emoji) ?? ""}`.trim();
    }
    case "content": {
      const items = Array.isArray(payload.content) ? payload.content.filter(isObject) : [];
      const kinds = items.map((item) => [asText(item.type), asText(item.caption)].filter(Boolean).join(": "));
      return `content: ${kinds.join(", ") || "(empty)"}`;
    }
    case "unsupported":
      return `unsupported message${asText(payload.provider_message) ? `: ${asText(payload.provider_message)}` : ""}`;
    default: {
      const body = payload[type];
      return body === undefined ? type : `${type}: ${JSON.stringify(body)}`;
    }
  }
}
