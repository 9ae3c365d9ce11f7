// ESLint flat config: what is checked and why is in docs/decisions/029-lint-and-format.md.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

// Modules that hold a database handle, a secret or a Node built-in. Components run in the browser (or are imported by
// one that does), so they may import these for their types only.
const serverOnlyModules = [
  {
    // By alias or by relative path: lib/db/*, lib/ingest/*, lib/auth/*, lib/events/store, lib/events/query, lib/config.
    regex: "^(@/|(\\.\\./)+)lib/(db/|ingest/|auth/|events/(store|query)$|config$)",
    allowTypeImports: true,
    message: "Server-only module: a component may import its types only (import type).",
  },
  { group: ["node:*", "better-sqlite3", "pg", "@prisma/*", "@/lib/generated/*"], message: "Node-only package: not in a component." },
];

export default defineConfig(
  globalIgnores([
    ".next/",
    "dist/",
    "node_modules/",
    "lib/generated/",
    "bench/results/",
    "test-results/",
    "playwright-report/",
    "data/",
    "next-env.d.ts",
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An async function without await is how this code implements a Promise-returning interface (Prisma's adapter
      // factory, a snapshot's readPage, a stopper); a sync throw there still becomes a rejection. Floating and
      // misused promises, the real hazards, stay checked.
      "@typescript-eslint/require-await": "off",
      // `_name` and the rest-sibling idiom (`const { sig: _sig, ...unsigned } = params`) mark a value left out on purpose.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // A `let` that a callback reads before its one assignment (server.ts: the logout hook and the realtime server
      // made later) cannot be a const: the callback would hit the temporal dead zone.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  // tsconfig.json has allowJs off, so the few .js/.mjs files (configs, worker shims) get the untyped rules only.
  {
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    extends: [nextPlugin.configs.recommended, nextPlugin.configs["core-web-vitals"], reactHooks.configs.flat.recommended],
    settings: { next: { rootDir: import.meta.dirname } },
    // A missing dependency is a stale-closure bug, not a style point: fail on it.
    rules: { "react-hooks/exhaustive-deps": "error" },
  },
  // Tests read JSON bodies and use Vitest's asymmetric matchers (expect.any, expect.stringContaining), both typed
  // `any`: a wrong shape fails the test itself, so these two rules would only add casts there.
  {
    files: ["**/*.test.ts", "e2e/**", "test/**"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off", "@typescript-eslint/no-unsafe-member-access": "off" },
  },
  // Playwright reads a fixture's dependencies from its first parameter, which must be a destructuring pattern: `{}`
  // for a fixture that needs none.
  {
    files: ["e2e/**"],
    rules: { "no-empty-pattern": ["error", { allowObjectPatternsAsParameters: true }] },
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns: serverOnlyModules }] },
  },
);
