import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext } from '../src/hub-context';
import { adjustStock, receiveStock } from '../src/inventory/stock-operations';
import { backendKinds, createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import { seedWorld } from '../src/test-support/fixtures';

const appDir = new URL('..', import.meta.url).pathname;
/**
 * Each call compiles the CLI with tsx in a fresh node (seconds on a busy machine; password hashing adds
 * more) and a test makes up to five: these bound hangs, they never judge speed.
 */
const CALL_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 600_000;

function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: appDir,
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: CALL_TIMEOUT_MS,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cli', { timeout: TEST_TIMEOUT_MS }, () => {
  let dir: string;
  let db: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hub-cli-'));
    db = join(dir, 'hub.db');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('--help', () => {
    it('lists every command and exits 0', () => {
      const result = cli(['--help']);
      expect(result.status).toBe(0);
      for (const command of [
        'serve',
        'import-catalog',
        'enroll-code',
        'create-user',
        'create-node',
        'rotate-feed-epoch',
        'backup',
        'restore',
        'integration tail',
      ]) {
        expect(result.stdout).toContain(`pos-hub ${command}`);
      }
    });

    it('refuses an unknown command or option with exit code 2', () => {
      expect(cli(['frobnicate'])).toMatchObject({
        status: 2,
        stderr: expect.stringMatching(/Unknown command frobnicate/),
      });
      expect(cli(['enroll-code', '--colour', 'red', '--db', db]).status).toBe(2);
    });

    it('refuses an SMTP server for alert e-mail without a sender, before opening anything', () => {
      const result = cli(['serve', '--db', db, '--port', '0', '--smtp-host', '127.0.0.1']);
      expect(result).toMatchObject({ status: 2, stderr: expect.stringMatching(/--smtp-from/) });
      expect(
        cli(['serve', '--db', db, '--port', '0', '--smtp-host', '127.0.0.1', '--smtp-from', 'not mail'])
          .stderr,
      ).toMatch(/sender of alert e-mails/);
    });
  });

  describe('bootstrap commands', () => {
    it('creates a user from a password on stdin, a node, and an enrollment code for it', () => {
      const user = cli(
        ['create-user', '--username', 'alice', '--role', 'admin', '--db', db],
        'a long password!\n',
      );
      expect(user.status).toBe(0);
      expect(JSON.parse(user.stdout)).toMatchObject({ username: 'alice', role: 'admin' });
      expect(user.stdout).not.toContain('a long password');
      const short = cli(['create-user', '--username', 'bob', '--role', 'viewer', '--db', db], 'short\n');
      expect(short).toMatchObject({
        status: 2,
        stderr: expect.stringMatching(/--password: A password needs at least 10/),
      });

      const node = cli([
        'create-node',
        '--code',
        'S001',
        '--name',
        'Main St',
        '--region',
        'north',
        '--jurisdiction',
        'US-NY',
        '--currency',
        'USD',
        '--pickup',
        '--db',
        db,
      ]);
      expect(node.status).toBe(0);
      expect(JSON.parse(node.stdout)).toMatchObject({ code: 'S001', pickupEnabled: true });

      const code = cli(['enroll-code', '--store', 'S001', '--ttl-minutes', '30', '--db', db]);
      expect(code.status).toBe(0);
      expect(JSON.parse(code.stdout)).toMatchObject({
        nodeCode: 'S001',
        code: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
      });
      expect(cli(['enroll-code', '--store', 'NOPE', '--db', db])).toMatchObject({
        status: 1,
        stderr: expect.stringMatching(/There is no node with code NOPE/),
      });
    });

    it('takes a password from a file or the environment, never needing it on the command line', () => {
      const file = join(dir, 'password.txt');
      writeFileSync(file, 'a password in a file\n', { mode: 0o600 });
      const fromFile = cli([
        'create-user',
        '--username',
        'filed',
        '--role',
        'viewer',
        '--password-file',
        file,
        '--db',
        db,
      ]);
      expect(fromFile.status).toBe(0);
      const fromEnv = cli(
        ['create-user', '--username', 'envied', '--role', 'viewer', '--db', db],
        undefined,
        {
          POS_HUB_USER_PASSWORD: 'a password in the environment',
        },
      );
      expect(fromEnv.status).toBe(0);
      const both = cli(
        ['create-user', '--username', 'twice', '--role', 'viewer', '--password-file', file, '--db', db],
        undefined,
        { POS_HUB_USER_PASSWORD: 'a password in the environment' },
      );
      expect(both).toMatchObject({
        status: 2,
        stderr: expect.stringMatching(/--password-file and POS_HUB_USER_PASSWORD were both set/),
      });
      const missing = cli([
        'create-user',
        '--username',
        'lost',
        '--role',
        'viewer',
        '--password-file',
        join(dir, 'none'),
        '--db',
        db,
      ]);
      expect(missing).toMatchObject({ status: 2, stderr: expect.stringMatching(/cannot read .*ENOENT/) });
    });

    it('imports a catalog file and exits 1 with the report when a row is wrong', () => {
      const header =
        'sku,product_id,name,unit,tax_category,barcodes,active,product_name,brand,category_id,price_book_id,price';
      const good = join(dir, 'good.csv');
      writeFileSync(good, `${header}\nCLI-1,CP1,Cli item,each,food,,true,,,,,\n`);
      const ok = cli(['import-catalog', good, '--db', db]);
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'completed', rowsRead: 1 });
      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, `${header}\nCLI-2,CP2,Bad,each,food,123,true,,,,,\n`);
      const failed = cli(['import-catalog', bad, '--db', db]);
      expect(failed.status).toBe(1);
      expect(JSON.parse(failed.stdout)).toMatchObject({ status: 'failed', errors: [{ line: 2 }] });
      expect(cli(['import-catalog', join(dir, 'missing.csv'), '--db', db]).status).toBe(2);
    });

    it('rotates the feed epoch so every store re-snapshots after a restore', () => {
      const first = JSON.parse(cli(['rotate-feed-epoch', '--db', db]).stdout) as { feedEpoch: string };
      const second = JSON.parse(cli(['rotate-feed-epoch', '--db', db]).stdout) as { feedEpoch: string };
      expect(first.feedEpoch).not.toBe(second.feedEpoch);
    });
  });
});

describe.each(backendKinds())('cli serve on %s', { timeout: TEST_TIMEOUT_MS }, (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });

  afterAll(async () => {
    await database?.dispose();
  });

  it('listens on 127.0.0.1, answers health and sign-in, and stops cleanly on SIGTERM', async () => {
    expect(
      cli(
        ['create-user', '--username', 'ops', '--role', 'operator', '--db', database.url],
        'another long password\n',
      ).status,
    ).toBe(0);
    const metricsToken = 'metrics-token-from-env-0123';
    // The database comes from the environment too: a PostgreSQL URL may carry a password.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0'], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, POS_HUB_DB: database.url, POS_HUB_METRICS_TOKEN: metricsToken },
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let buffer = '';
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${buffer}`)), CALL_TIMEOUT_MS);
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const match = /pos-hub listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffer);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${buffer}`)));
      });
      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);
      const login = await fetch(`${address}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ops', password: 'another long password' }),
      });
      expect(login.status).toBe(200);
      expect((await fetch(`${address}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${address}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
      });
      expect(metrics.status).toBe(200);
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('prints the outbound log of the given types as JSON lines, resuming from the cursor it printed', async () => {
    const storage = await database.open();
    try {
      const hub = createHubContext(storage);
      await seedWorld(hub, { nodes: ['t1'], skus: ['T'] });
      await receiveStock(
        hub,
        { nodeId: 't1', reference: 'DN-1', lines: [{ sku: 'T', qty: 4, bucket: 'sellable' }] },
        'user:cli-test',
      );
      await adjustStock(
        hub,
        { nodeId: 't1', reason: 'broken', lines: [{ sku: 'T', bucket: 'sellable', delta: -1 }] },
        'user:cli-test',
      );
    } finally {
      await storage.close();
    }
    const env = { POS_HUB_DB: database.url };
    const first = cli(['integration', 'tail', '--types', 'stock.*', '--limit', '1'], undefined, env);
    expect(first.status).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { type: string }).type)).toEqual(['stock.received']);
    const cursor = /cursor (\S+)/.exec(first.stderr)![1]!;
    const rest = cli(['integration', 'tail', '--types', 'stock.*', '--after', cursor], undefined, env);
    expect(rest.status).toBe(0);
    expect(
      rest.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { type: string; data: { reason: string } }).data.reason),
    ).toEqual(['broken']);
    expect(cli(['integration', 'tail', '--types', 'bogus'], undefined, env)).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/--types: List event types of the catalog/),
    });
  });
});
