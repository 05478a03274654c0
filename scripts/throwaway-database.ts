/** A new database on a PostgreSQL server for one bench run, and how to drop it again. */
import { Client } from 'pg';

async function onServer(adminUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

/** Creates database `name` on the server of `adminUrl`; returns its URL and a drop(). */
export async function createServerDatabase(adminUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  await onServer(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(adminUrl, `DROP DATABASE ${name} WITH (FORCE)`) };
}
