"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import type { FilterParams } from "@/components/data/api";

/**
 * Filters live in the URL (`?message_id=...`), so a filtered view can be shared and
 * reloaded. The same names as GET /api/events.
 */

const FILTER_NAMES = ["message_id", "kind", "status", "channel", "phone", "client_ref", "error_code", "text", "since", "until"] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export function useUrlFilters(): [FilterParams, (changes: Partial<Record<FilterName, string>>) => void, () => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const key = params.toString();

  const filter = useMemo(() => {
    const current = new URLSearchParams(key);
    const out: FilterParams = {};
    for (const name of FILTER_NAMES) {
      const value = current.get(name)?.trim();
      if (value) out[name] = value;
    }
    return out;
  }, [key]);

  const update = useCallback(
    (changes: Partial<Record<FilterName, string>>) => {
      const next = new URLSearchParams(key);
      for (const [name, value] of Object.entries(changes)) {
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
