"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import type { FilterParams } from "@/components/data/api";

/**
 * Filters live in the URL (`?message_id=...`), so a filtered view can be shared and
 * reloaded. Each view names the parameters it reads: the timeline GET /api/events's, the
 * messages view GET /api/messages's. `names` is a module constant, the same every render.
 */

export const EVENT_FILTER_NAMES = [
  "message_id",
  "kind",
  "status",
  "channel",
  "phone",
  "client_ref",
  "error_code",
  "text",
  "since",
  "until",
] as const;
export type FilterName = (typeof EVENT_FILTER_NAMES)[number];

export function useUrlFilters<N extends string>(
  names: readonly N[],
): [FilterParams, (changes: Partial<Record<N, string>>) => void, () => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const key = params.toString();

  const filter = useMemo(() => {
    const current = new URLSearchParams(key);
    const out: FilterParams = {};
    for (const name of names) {
      const value = current.get(name)?.trim();
      if (value) out[name] = value;
    }
    return out;
  }, [key, names]);

  const update = useCallback(
    (changes: Partial<Record<N, string>>) => {
      const next = new URLSearchParams(key);
      for (const [name, value] of Object.entries<string | undefined>(changes)) {
        const trimmed = value?.trim();
        if (trimmed) next.set(name, trimmed);
        else next.delete(name);
      }
      const query = next.toString();
      if (query !== key) router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [key, pathname, router],
  );

  const clear = useCallback(() => router.replace(pathname, { scroll: false }), [pathname, router]);
  return [filter, update, clear];
}
