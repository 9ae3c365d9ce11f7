import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The PostgreSQL side of the CLI (generate, migrate diff), through the driver adapter like the
// SQLite config in the repository root; the schema here is derived (scripts/prisma-schemas.ts).
// The schema's `url = env("DATABASE_URL")` must parse as a PostgreSQL URL for the CLI to stay
// on the WebAssembly engine (see the root prisma.config.ts), whatever DATABASE_URL the shell has.
const url = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgresql://localhost:5432/vonage_console";
process.env.DATABASE_URL = url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(import.meta.dirname, "schema.prisma"),
  adapter: async () => new PrismaPg({ connectionString: url }),
});
