/**
 * One source of truth for the data model: prisma/schema.prisma (SQLite). The PostgreSQL
 * schema is derived from it, never edited by hand, so the two stores cannot drift apart:
 *   tsx scripts/prisma-schemas.ts          writes prisma/postgres/schema.prisma
 *   tsx scripts/prisma-schemas.ts --check  fails if it is out of date (run by the tests)
 */
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE = path.join(ROOT, "prisma/schema.prisma");
export const POSTGRES_SCHEMA = path.join(ROOT, "prisma/postgres/schema.prisma");

export function derivePostgresSchema(source: string): string {
  const derived = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output       = "../lib/generated/sqlite"', 'output       = "../../lib/generated/postgres"');
  if (derived === source || !derived.includes("../../lib/generated/postgres")) {
    throw new Error("prisma/schema.prisma no longer has the expected datasource/generator lines");
  }
  return `// GENERATED from prisma/schema.prisma by scripts/prisma-schemas.ts: do not edit.\n${derived}`;
}

function main() {
  const expected = derivePostgresSchema(fs.readFileSync(SOURCE, "utf8"));
  if (process.argv.includes("--check")) {
    const actual = fs.existsSync(POSTGRES_SCHEMA) ? fs.readFileSync(POSTGRES_SCHEMA, "utf8") : "";
    if (actual !== expected) {
      console.error("prisma/postgres/schema.prisma is out of date: run `tsx scripts/prisma-schemas.ts`");
      process.exit(1);
    }
    return;
  }
  fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  fs.writeFileSync(POSTGRES_SCHEMA, expected);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
