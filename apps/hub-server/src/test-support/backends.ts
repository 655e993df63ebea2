import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStorage, type BackendKind, type Storage, type StorageOptions } from '../storage/storage';

/**
 * The conformance suite runs every test on both backends: SQLite always, PostgreSQL when PG_URL is set
 * (CI sets it). Each test file gets its own fresh database.
 */
export function backendKinds(): BackendKind[] {
  return process.env.PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDatabase {
  readonly kind: BackendKind;
  readonly url: string;
  open(options?: StorageOptions): Promise<Storage>;
  dispose(): Promise<void>;
}

export async function createTestDatabase(kind: BackendKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
    const url = join(dir, 'hub.db');
    return {
      kind,
      url,
      open: (options) => openStorage(url, options),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env.PG_URL;
  if (!adminUrl) throw new Error('PG_URL is not set');
  const name = `hub_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    open: (options) => openStorage(url.toString(), options),
    dispose: () =>
      withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)),
  };
}

async function withAdmin(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
