import { defineConfig } from "vitest/config";

// Unit tests sit beside the code (lib/**/*.test.ts); HTTP integration tests start the real
// server (test/**/*.test.ts). Browser tests are Playwright's (e2e/*.spec.ts), never run here.
// The integration suites run twice: on SQLite (the default store) and on the machine's real
// PostgreSQL, with the scale-out tests (several instances, Redis) on PostgreSQL only.
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    environment: "node",
    // Limits against a hang, not measures of speed: a test that starts servers and sends hundreds
    // of webhooks took 22-28 s of a 30 s limit on a machine whose host was stealing CPU (and
    // 43 s later that day). Speed is measured by `npm run bench`.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration files each start their own servers; run files one at a time so they
    // don't fight over the machine's two cores.
    fileParallelism: false,
    // Every data folder the run makes, removed at its end.
    globalSetup: ["test/support/temp-root.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/scale-out/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["test/integration/**/*.test.ts", "test/scale-out/**/*.test.ts"],
          env: { TEST_DATABASE: "postgres" },
          globalSetup: ["test/support/postgres-setup.ts"],
        },
      },
    ],
  },
});
