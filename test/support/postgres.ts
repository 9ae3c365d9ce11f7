import pg from "pg";

/**
 * The machine's PostgreSQL for the scale-out mode's tests (127.0.0.1:5432, trust auth):
 * each test server gets a fresh database, named after its data folder.
 */

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://root@127.0.0.1:5432/postgres";
export const TEST_DATABASE_PREFIX = "vwc_test_";

/** True when the test run targets PostgreSQL (the "postgres" Vitest project). */
export const onPostgres = process.env.TEST_DATABASE === "postgres";

export function databaseUrl(name: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates the database unless it exists; returns its URL. */
export async function ensureTestDatabase(key: string): Promise<string> {
  const name = `${TEST_DATABASE_PREFIX}${key.replace(/[^a-z0-9]/gi, "_").toLowerCase()}`.slice(0, 63);
  await withAdmin(async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  });
  return databaseUrl(name);
}

/**
 * Drops the test databases of earlier runs, so each run starts fresh. A database someone is
 * connected to is left alone: it belongs to a run still going (two checkouts tested at once).
 */
export async function dropTestDatabases(): Promise<void> {
  await withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database d
        WHERE datname LIKE $1 AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    for (const { datname } of rows) {
      // Someone may have connected since: then it stays, and a later run drops it.
      await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
  });
}
