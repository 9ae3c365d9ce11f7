import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The CLI runs on the WebAssembly schema engine through the driver adapter, because
// Prisma's native engines are downloaded from Prisma's own host, which our machines cannot
// reach (they reach the npm registry only; decision 006).
// The schema's `url = env("DATABASE_URL")` must resolve or Prisma 6 falls back to the
// native engine, so the default is set here too (the same default as lib/config.ts).
process.env.DATABASE_URL ??= "file:./data/events.db";
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  adapter: async () => new PrismaBetterSQLite3({ url }),
});
