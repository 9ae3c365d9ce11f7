/**
 * Process-wide singletons (the configuration, the database clients, the ingest
 * worker's channel). server.ts and the route handlers Next bundles separately each load their
 * own copy of every module, so a module-level variable would exist once per copy: the value is
 * kept on globalThis under a registered symbol, which every copy finds (vercel/next.js#79401,
 * docs/decisions/001-custom-server.md). A worker thread has a globalThis of its own, so it makes its own.
 */
export function remember<T>(name: string, make: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return (store[Symbol.for(`vonage-console.${name}`)] ??= make());
}

/**
 * A value one side sets (server.ts, at start-up) and the other reads (a route handler), both
 * through the same box; `current` is undefined until it is set, as without server.ts.
 */
export function shared<T>(name: string): { current: T | undefined } {
  return remember(name, () => ({ current: undefined }));
}
