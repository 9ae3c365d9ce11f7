import { asText, isObject, MEDIA_TYPES, mediaOf, summarizeInbound, type JsonObject } from "@/lib/vonage/content";

/**
 * An inbound message's content, rendered per message_type. Text is rendered as text; media
 * is shown as type, name and caption with the URL as a link, never loaded by the page (Vonage
 * media URLs may need auth, and fetching them would leak the viewer's IP).
 */
export function InboundContent({ payload, messageType }: { payload: JsonObject; messageType: string | null }) {
  const type = messageType ?? "text";
  if (type === "binary") {
    // SMS API binary messages: hex with its user data header, never decoded as text.
    return (
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-500">Binary data</dt>
        <dd className="font-mono text-xs break-all">{asText(payload.data) ?? ""}</dd>
        <dt className="text-slate-500">UDH</dt>
        <dd className="font-mono text-xs break-all">{asText(payload.udh) ?? "none"}</dd>
      </dl>
    );
  }
  if (type === "text" || type === "unicode") {
    return <p className="break-words whitespace-pre-wrap">{asText(payload.text) ?? ""}</p>;
  }
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    const media = mediaOf(payload, type);
    return (
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-500">Type</dt>
        <dd>{type}</dd>
        {media?.name && (
          <>
            <dt className="text-slate-500">Name</dt>
            <dd className="break-all">{media.name}</dd>
          </>
        )}
        {media?.caption && (
          <>
            <dt className="text-slate-500">Caption</dt>
            <dd className="break-words whitespace-pre-wrap">{media.caption}</dd>
          </>
        )}
        {media?.url && (
          <>
            <dt className="text-slate-500">URL</dt>
            <dd className="break-all">
              <MediaLink url={media.url} />
            </dd>
          </>
        )}
      </dl>
    );
  }
  if (type === "content" && Array.isArray(payload.content)) {
    return (
      <ul className="list-disc pl-5 text-sm">
        {payload.content.filter(isObject).map((item, i) => (
          <li key={i}>
            {asText(item.type) ?? "item"}
            {asText(item.caption) ? `: ${asText(item.caption)}` : ""} {asText(item.url) && <MediaLink url={asText(item.url)!} />}
          </li>
        ))}
      </ul>
    );
  }
  const summary = summarizeInbound(payload, type);
  const known = ["location", "reply", "button", "order", "reaction", "unsupported"].includes(type);
  return (
    <div className="space-y-2 text-sm">
      {summary && <p className="break-words whitespace-pre-wrap">{summary}</p>}
      {type === "location" && isObject(payload.location) && asText(payload.location.url) && (
        <MediaLink url={asText(payload.location.url)!} />
      )}
      {!known && (
        <pre className="overflow-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-900">
          {JSON.stringify(payload[type] ?? null, null, 2)}
        </pre>
      )}
    </div>
  );
}

/** A link the browser only follows when clicked, without sending a referrer. */
export function MediaLink({ url, children }: { url: string; children?: React.ReactNode }) {
  const safe = /^https?:\/\//i.test(url);
  if (!safe) return <span className="break-all">{url}</span>;
  return (
    <a
      href={url}
      target="_blank"
      rel="noopener noreferrer nofollow"
      className="break-all text-indigo-700 underline hover:text-indigo-900 dark:text-indigo-300 dark:hover:text-indigo-100"
    >
      {children ?? url}
    </a>
  );
}

/** The media URL of an inbound event, if it has one, for the timeline's link. */
export function mediaUrlOf(payload: JsonObject, messageType: string | null): string | undefined {
  if (!messageType || !(MEDIA_TYPES as readonly string[]).includes(messageType)) return undefined;
  return mediaOf(payload, messageType)?.url;
}
