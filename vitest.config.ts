import { defineConfig } from "vitest/config";

// Unit tests sit beside the code (lib/**/*.test.ts); HTTP integration tests start the real
// server (test/**/*.test.ts). Browser tests are Playwright's (e2e/*.spec.ts), never run here.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["lib/**/*.test.ts", "components/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files each start their own server; run files one at a time so they
    // don't fight over the machine's two cores.
    fileParallelism: false,
  },
});
