import { CopyButton } from "@/components/ui/copy-button";

/** A titled, copyable block of pretty-printed JSON, rendered as text (never as HTML). */
export function JsonBlock({ title, value }: { title: string; value: unknown }) {
  const text = JSON.stringify(value, null, 2);
  return (
    <section aria-label={title} className="min-w-0">
      <div className="mb-1 flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h3>
        <CopyButton text={text} label={`Copy ${title.toLowerCase()}`} />
      </div>
      <pre className="max-h-96 overflow-auto rounded-md bg-slate-100 p-3 text-xs leading-relaxed text-slate-800 dark:bg-slate-900 dark:text-slate-200">
        {text}
      </pre>
    </section>
  );
}
