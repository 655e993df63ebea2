import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { integrityCheck, openDatabase } from '../src/engine/database';
import { loadMigrations } from '../src/engine/migrations';
import { readOutbox } from '../src/engine/outbox/outbox';
import { expectOk, tempDir } from '../src/engine/testing/test-node';
import { createCommandClient, type CommandClient } from '../src/shared/command-client';
import { APP_DIR, runCli, startCli, type RunningNode } from './cli-process';

// Process-level tests run the bundle `npm run build` ships (it starts in a fraction of tsx's time); one
// test runs the source through tsx to prove the two agree.
const BUNDLE_DIR = join(APP_DIR, 'node_modules', '.cache', 'pos-store-cli-test');
const BUNDLE = join(BUNDLE_DIR, 'cli.js');
const cli = (args: readonly string[], env?: Record<string, string>) =>
  runCli(args, { entry: BUNDLE, ...(env ? { env } : {}) });

beforeAll(() => {
  const build = runCli([BUNDLE_DIR], { entry: join(APP_DIR, 'scripts', 'build-cli.mjs') });
  expect(build.code, build.stderr).toBe(0);
});

const LATEST_MIGRATION = loadMigrations().at(-1)?.name ?? '';

const dirs: { path: string; remove(): void }[] = [];
const running: RunningNode[] = [];
const clients: CommandClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const node of running.splice(0)) await node.stop();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

function scratch(): string {
  const dir = tempDir('pos-store-cli-');
  dirs.push(dir);
  return dir.path;
}

const INIT = ['--store-id', 'store-1', '--store-code', 'S001', '--device-no', '2', '--currency', 'EUR'];

function initNode(data: string): void {
  const run = cli(['init', '--data', data, ...INIT, '--manager-code', 'M1', '--manager-name', 'Ana'], {
    POS_STORE_MANAGER_PIN: '1234',
  });
  expect(run.code, run.stderr).toBe(0);
}

function connect(node: RunningNode): CommandClient {
  const client = createCommandClient(node.url, node.token, { transports: ['websocket'] });
  clients.push(client);
  return client;
}

describe('pos-store CLI', () => {
  describe('--help', () => {
    it('prints the usage and exits 0, from the bundle and from source', () => {
      const bundled = cli(['--help']);
      expect(bundled.code).toBe(0);
      expect(bundled.stdout).toMatch(/^pos-store — the store node/);
      expect(bundled.stdout).toMatch(/pos-store backup --data DIR --out FILE/);
      const source = runCli(['--help']);
      expect(source.code).toBe(0);
      expect(source.stdout).toBe(bundled.stdout);
    });
  });

  describe('bad arguments', () => {
    it('exits 2 with a sentence for unknown options, commands, missing and malformed values', () => {
      const unknown = cli(['start', '--data', 'x', '--colour', 'red']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/Unknown option '--colour'/);
      expect(cli(['launch']).stderr).toMatch(/Unknown command "launch"/);
      const missing = cli(['start']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/pos-store start: --data: is required\./);
      const port = cli(['start', '--data', scratch(), '--port', '70000']);
      expect(port.code).toBe(2);
      expect(port.stderr).toMatch(/--port: must be at most 65535\./);
      const hub = cli(['start', '--data', scratch(), '--hub', 'ftp://hub']);
      expect(hub.stderr).toMatch(/--hub: must be an http\(s\) URL/);
      const device = cli([
        'init',
        '--data',
        scratch(),
        ...INIT.slice(0, 4),
        '--device-no',
        'two',
        '--currency',
        'EUR',
      ]);
      expect(device.code).toBe(2);
      expect(device.stderr).toMatch(/--device-no: must be a number\./);
    });

    it('exits 1 when the data folder was never set up, or init is refused', () => {
      const data = scratch();
      const start = cli(['start', '--data', data, '--port', '0']);
      expect(start.code).toBe(1);
      expect(start.stderr).toMatch(
        /There is no store database in .* Set the node up first with pos-store init/,
      );
      const currency = cli(['init', '--data', data, ...INIT.slice(0, 6), '--currency', 'XYZ']);
      expect(currency.code).toBe(1);
      expect(currency.stderr).toMatch(/Use a supported ISO 4217 currency code/);
      initNode(data);
      const again = cli(['init', '--data', data, ...INIT]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already belongs to store S001, device 2/);
      expect(
        cli(['init', '--data', scratch(), ...INIT, '--manager-code', 'M1', '--manager-name', 'A']).stderr,
      ).toMatch(/needs a PIN: set POS_STORE_MANAGER_PIN/);
    });
  });

  describe('init', () => {
    it('creates the data folder and database for the owner only, and takes the PIN from a file', async () => {
      const data = join(scratch(), 'stores', 's001');
      const pinFile = join(scratch(), 'pin');
      writeFileSync(pinFile, '2468\n', { mode: 0o600 });
      const init = cli([
        'init',
        '--data',
        data,
        ...INIT,
        '--manager-code',
        'M1',
        '--manager-name',
        'Ana',
        '--manager-pin-file',
        pinFile,
      ]);
      expect(init.code, init.stderr).toBe(0);
      expect(init.stderr).not.toMatch(/warning/);
      expect(statSync(data).mode & 0o777).toBe(0o700);
      expect(statSync(join(data, 'store.db')).mode & 0o777).toBe(0o600);
      const node = await startCli(['--data', data, '--port', '0'], { entry: BUNDLE });
      running.push(node);
      for (const file of ['store.db', 'store.db-wal', 'store.db-shm']) {
        expect({ file, mode: statSync(join(data, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
      }
      const client = connect(node);
      expectOk(await client.send('staff-sign-in', { staffCode: 'M1', pin: '2468' }));
    });

    it('refuses a secret given twice, and warns when one is on the command line', () => {
      const pinFile = join(scratch(), 'pin');
      writeFileSync(pinFile, '2468\n');
      const manager = ['--manager-code', 'M1', '--manager-name', 'Ana'];
      const twice = cli(['init', '--data', scratch(), ...INIT, ...manager, '--manager-pin-file', pinFile], {
        POS_STORE_MANAGER_PIN: '1234',
      });
      expect(twice.code).toBe(2);
      expect(twice.stderr).toMatch(/--manager-pin-file and POS_STORE_MANAGER_PIN were both set/);
      const missing = cli([
        'init',
        '--data',
        scratch(),
        ...INIT,
        ...manager,
        '--manager-pin-file',
        join(scratch(), 'none'),
      ]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read .*ENOENT/);
      const flagged = cli(['init', '--data', scratch(), ...INIT, ...manager, '--manager-pin', '1357']);
      expect(flagged.code, flagged.stderr).toBe(0);
      expect(flagged.stderr).toMatch(/--manager-pin shows the secret to every user of this machine/);
    });
  });

  describe('start', () => {
    it('prints the URL and token, writes the token file 0600, serves commands and removes the file on SIGTERM', async () => {
      const data = scratch();
      initNode(data);
      const node = await startCli(['--data', data, '--port', '0', '--hub', 'https://hub.example.com'], {
        entry: BUNDLE,
      });
      expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const tokenFile = join(data, 'pos-store.token');
      expect(readFileSync(tokenFile, 'utf8').trim()).toBe(node.token);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const client = connect(node);
      await client.ready();
      const session = expectOk(await client.send('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
      expect(expectOk(await client.send('node-info', {})).storeCode).toBe('S001');
      expect(expectOk(await client.send('sync-status', {}, { session })).hubUrl).toBe(
        'https://hub.example.com',
      );
      const wrong = createCommandClient(node.url, 'not-the-token-at-all', { transports: ['websocket'] });
      clients.push(wrong);
      await expect(wrong.ready()).rejects.toThrow(/refused this device/);
      running.splice(running.indexOf(node), 1);
      expect(await node.stop()).toBe(0);
      expect(existsSync(tokenFile)).toBe(false);
    });

    it('loads a generated demo fixture through the feed path', async () => {
      const data = scratch();
      initNode(data);
      const fixture = join(scratch(), 'demo.json');
      const generated = cli(['fixture', '--out', fixture, '--skus', '300']);
      expect(generated.code, generated.stderr).toBe(0);
      const node = await startCli(['--data', data, '--port', '0', '--fixture', fixture], { entry: BUNDLE });
      running.push(node);
      expect(node.stdout()).toMatch(/changes applied, 0 already present, 4 staff added/);
      const client = connect(node);
      const session = expectOk(
        await client.send('staff-sign-in', { staffCode: '3001', pin: '3456' }),
      ).session;
      const found = expectOk(await client.send('catalog-search', { query: 'SKU0000001' }, { session })).items;
      expect(found[0]?.sku).toBe('SKU0000001');
    });

    it('places the demo price and promotion windows around --now, and refuses a time it cannot read', () => {
      const fixture = join(scratch(), 'demo-now.json');
      const generated = cli(['fixture', '--out', fixture, '--skus', '10', '--now', '2026-11-23T09:00:00Z']);
      expect(generated.code, generated.stderr).toBe(0);
      const { changes } = JSON.parse(readFileSync(fixture, 'utf8')) as {
        changes: { entity: string; data: { startsAt?: number; endsAt?: number } }[];
      };
      const now = Date.parse('2026-11-23T09:00:00Z');
      const promotion = changes.find((change) => change.entity === 'promotion')?.data;
      expect(promotion?.startsAt).toBeLessThan(now);
      expect(promotion?.endsAt).toBeGreaterThan(now);
      const refused = cli(['fixture', '--out', fixture, '--now', 'yesterday']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/--now: must be an ISO 8601 time/);
    });
  });

  describe('backup', () => {
    it('copies a running node into a database that opens and passes integrity_check, and never overwrites', async () => {
      const data = scratch();
      initNode(data);
      const node = await startCli(['--data', data, '--port', '0'], { entry: BUNDLE });
      running.push(node);
      const client = connect(node);
      const session = expectOk(await client.send('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
      expectOk(await client.send('shift-open', { float: 10_000 }, { session }));
      const out = join(scratch(), 'backup.db');
      const backup = cli(['backup', '--data', data, '--out', out]);
      expect(backup.code, backup.stderr).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(backup.stdout).toMatch(
        /backup written to .*backup\.db \(\d+ pages, schema (\S+), integrity ok\)/,
      );
      expect(/schema (\S+), integrity ok/.exec(backup.stdout)?.[1]).toBe(LATEST_MIGRATION);
      const copy = openDatabase(out, { readonly: true });
      try {
        expect(integrityCheck(copy)).toBe('ok');
        expect(readOutbox(copy).map((event) => event.type)).toEqual(['shift.opened']);
      } finally {
        copy.close();
      }
      const again = cli(['backup', '--data', data, '--out', out]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already exists\. Choose a new file name; backups never overwrite\./);
    });
  });

  describe('restore', () => {
    /** A set-up node of store-1 that believes it is enrolled (a credential in its database). */
    function enrolledNode(): string {
      const data = scratch();
      initNode(data);
      const db = openDatabase(join(data, 'store.db'));
      try {
        db.prepare("UPDATE sync_state SET hub_url = 'http://127.0.0.1:9', device_credential = 'dev_x'").run();
      } finally {
        db.close();
      }
      return data;
    }

    const holdOf = (file: string) => {
      const db = openDatabase(file, { readonly: true });
      try {
        return db
          .prepare('SELECT restore_hold_seq AS hold, last_device_seq AS written FROM device_state')
          .get();
      } finally {
        db.close();
      }
    };

    it('puts a backup back, keeps the replaced database aside, and holds receipt numbers for the hub', async () => {
      const data = enrolledNode();
      const node = await startCli(['--data', data, '--port', '0'], { entry: BUNDLE });
      const client = connect(node);
      const session = expectOk(await client.send('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
      expectOk(await client.send('shift-open', { float: 10_000 }, { session }));
      const out = join(scratch(), 'backup.db');
      expect(cli(['backup', '--data', data, '--out', out]).code).toBe(0);
      // The copy itself waits for the hub from the last event it holds.
      expect(holdOf(out)).toEqual({ hold: 1, written: 1 });
      expectOk(await client.send('shift-cash-in', { amount: 500, reason: 'coins' }, { session }));

      // Not while the node runs.
      const busy = cli(['restore', '--data', data, '--from', out]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/A node is running on .* \(its database is open\)\. Stop it/);
      expect(await node.stop()).toBe(0);

      const restored = cli(['restore', '--data', data, '--from', out]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(
        /restored store S001 device 2 from .*backup\.db \(events up to 1, 1 of them not yet acknowledged by the hub; last receipt number 0\)/,
      );
      expect(restored.stdout).toMatch(
        /asks the hub what it holds of this device before it completes any sale/,
      );
      const aside = /The database it replaced is in (\S+)/.exec(restored.stdout)?.[1];
      expect(aside).toBeDefined();
      expect(holdOf(join(aside!, 'store.db'))).toEqual({ hold: null, written: 2 });
      expect(holdOf(join(data, 'store.db'))).toEqual({ hold: 1, written: 1 });
    });

    it('restores the folder of a node that crashed, without any clean-up first', async () => {
      const data = enrolledNode();
      const out = join(scratch(), 'backup.db');
      expect(cli(['backup', '--data', data, '--out', out]).code).toBe(0);
      const node = await startCli(['--data', data, '--port', '0'], { entry: BUNDLE });
      const exited = new Promise((resolve) => node.child.once('exit', resolve));
      node.child.kill('SIGKILL');
      await exited;
      // The crash left its token file behind; only an open database means a node is running.
      expect(existsSync(join(data, 'pos-store.token'))).toBe(true);
      const restored = cli(['restore', '--data', data, '--from', out]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(existsSync(join(data, 'pos-store.token'))).toBe(false);
      expect(holdOf(join(data, 'store.db'))).toEqual({ hold: 0, written: 0 });
    });

    it("refuses another store's backup and a missing file, changing nothing", () => {
      const data = enrolledNode();
      const other = scratch();
      const run = cli(
        [
          'init',
          '--data',
          other,
          '--store-id',
          'store-9',
          '--store-code',
          'S009',
          '--device-no',
          '1',
          '--currency',
          'EUR',
        ],
        {},
      );
      expect(run.code, run.stderr).toBe(0);
      const wrongStore = cli(['restore', '--data', data, '--from', join(other, 'store.db')]);
      expect(wrongStore.code).toBe(1);
      expect(wrongStore.stderr).toMatch(/This backup is of store S009, but .* belongs to store S001/);
      const missing = cli(['restore', '--data', data, '--from', join(other, 'nothing.db')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/There is no backup at/);
      expect(cli(['restore', '--data', data]).code).toBe(2);
      expect(holdOf(join(data, 'store.db'))).toEqual({ hold: null, written: 0 });
      expect(existsSync(join(data, 'store.db'))).toBe(true);
    });
  });
});
