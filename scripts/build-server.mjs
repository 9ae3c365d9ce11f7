// Compiles server.ts and the ingest worker into dist/, so the server runs on plain `node`
// (docs/decisions/030-compiled-server.md). Run by `npm run build` and `npm run dev`.
import fs from "node:fs";
import { build } from "esbuild";

await build({
  // Named so that server.js finds its workers beside it (server.ts, lib/db/*-host.ts).
  entryPoints: { server: "server.ts", "ingest-worker": "lib/ingest/worker.ts" },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Packages load from node_modules as they are; the project's own modules (`@/…`, the
  // generated Prisma clients among them) are bundled.
  packages: "external",
  logLevel: "warning",
});

// Plain-JavaScript workers, loaded by a URL relative to the module that starts them.
for (const worker of ["count-worker.mjs", "integrity-worker.mjs"]) fs.copyFileSync(`lib/db/${worker}`, `dist/${worker}`);
