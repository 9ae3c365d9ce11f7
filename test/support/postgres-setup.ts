import { dropTestDatabases } from "@/test/support/postgres";

/** Vitest global setup of the "postgres" project: a clean slate of test databases. */
export default async function setup(): Promise<void> {
  await dropTestDatabases();
}
