import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The hub app and its build outputs: the CLI bundle and the HQ dashboard it serves at `/`. */
export const HUB_APP = fileURLToPath(new URL('../../apps/hub-server/', import.meta.url));
export const HUB_BIN = join(HUB_APP, 'bin', 'pos-hub.mjs');
const HUB_BUILT = [join(HUB_APP, 'dist', 'cli.js'), join(HUB_APP, 'dist', 'dashboard', 'index.html')];

export interface RunningHub {
  readonly url: string;
  readonly db: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function assertHubBuilt(): void {
  for (const file of HUB_BUILT) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: run \`npm run build -w @retail/hub-server\` (root \`npm run e2e\` does).`,
      );
    }
  }
}

/** A one-shot `pos-hub` command against the test database; stdin feeds the password prompts. */
export function runHubCli(args: readonly string[], input?: string): string {
  const run = spawnSync(process.execPath, [HUB_BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  if (run.status !== 0)
    throw new Error(`pos-hub ${args[0]} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/**
 * A real `pos-hub serve` for a browser test: a fresh SQLite file in its own temp folder, 127.0.0.1, a
 * port the OS picks (read back from the "listening" log line). `prepare` runs CLI set-up before it starts.
 */
export async function startHub(
  options: {
    prepare?: (db: string) => void;
    timeoutMs?: number;
    /** More `pos-hub serve` flags (an SMTP server for alert e-mails, say). */
    serveArgs?: readonly string[];
  } = {},
) {
  assertHubBuilt();
  const folder = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
  const db = join(folder, 'hub.db');
  options.prepare?.(db);
  const child = spawn(
    process.execPath,
    [
      HUB_BIN,
      'serve',
      '--db',
      db,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'info',
      ...(options.serveArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(folder, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (true) {
    const address = /pos-hub listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    if (address !== undefined) return { url: address, db, child, stop } satisfies RunningHub;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pos-hub serve did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One admin API call; answers the envelope's value or throws with the hub's sentence. */
export async function hubCall<T>(
  hub: RunningHub,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const envelope = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!envelope.ok) throw new Error(`${method} ${path} → ${response.status}: ${envelope.error?.message}`);
  return envelope.value as T;
}

export interface SeededOversell {
  readonly nodeId: string;
  readonly nodeLabel: string;
  readonly storeName: string;
  readonly storeCode: string;
  readonly sku: string;
  readonly causeEventId: string;
  readonly username: string;
  readonly password: string;
}

/**
 * An oversell made the way it happens in a store: HQ receives one unit and promises it to an online
 * order (a reservation), then a till that is enrolled with a one-time code pushes a damage adjustment of
 * that unit. The hub applies the store's fact and raises an OVERSELL naming the till's event as its cause.
 */
export async function seedOversell(hub: RunningHub, credentials: { username: string; password: string }) {
  const login = await hubCall<{ token: string }>(hub, 'POST', '/api/auth/login', { body: credentials });
  const token = login.token;
  const nodes = await hubCall<{ nodeId: string; code: string; name: string }[]>(hub, 'GET', '/api/nodes', {
    token,
  });
  const node = nodes[0];
  if (node === undefined) throw new Error('The hub has no node: create one before seeding.');
  const sku = 'SKU-RED-M';
  await hubCall(hub, 'POST', '/api/receipts', {
    token,
    body: { nodeId: node.nodeId, reference: 'PO-E2E-1', lines: [{ sku, qty: 1 }] },
  });
  await hubCall(hub, 'POST', '/api/reservations', {
    token,
    headers: { 'idempotency-key': `e2e-${randomUUID()}` },
    body: { nodeId: node.nodeId, sku, qty: 1, orderRef: 'web-order-77:line-1', status: 'ACTIVE' },
  });
  const { code } = await hubCall<{ code: string }>(
    hub,
    'POST',
    `/api/nodes/${node.nodeId}/enrollment-codes`,
    {
      token,
      body: {},
    },
  );
  const device = await hubCall<{ deviceId: string; storeId: string; credential: string }>(
    hub,
    'POST',
    '/sync/enroll',
    { body: { code, deviceName: 'lane-1' } },
  );
  const now = Date.now();
  const causeEventId = randomUUID();
  const adjustment = {
    eventId: causeEventId,
    type: 'stock.adjusted',
    schemaVersion: 1,
    storeId: device.storeId,
    deviceId: device.deviceId,
    deviceSeq: 1,
    hlc: `${String(now).padStart(18, '0')}:00000:${device.deviceId}`,
    occurredAt: new Date(now).toISOString(),
    txId: randomUUID(),
    payload: {
      adjustmentId: randomUUID(),
      reason: 'Dropped in the stockroom',
      movements: [
        { movementId: randomUUID(), sku, type: 'BUCKET_MOVE', bucket: 'sellable', delta: -1 },
        { movementId: randomUUID(), sku, type: 'BUCKET_MOVE', bucket: 'damaged', delta: 1 },
      ],
      adjustedAt: new Date(now).toISOString(),
    },
  };
  const ack = await hubCall<{ results: { status: string }[] }>(hub, 'POST', '/sync/push', {
    token: device.credential,
    body: { deviceId: device.deviceId, storeId: device.storeId, events: [adjustment] },
  });
  if (ack.results[0]?.status !== 'accepted') {
    throw new Error(`The hub did not apply the till's adjustment: ${JSON.stringify(ack)}`);
  }
  return {
    nodeId: node.nodeId,
    nodeLabel: `${node.code} ${node.name}`,
    storeName: node.name,
    storeCode: node.code,
    sku,
    causeEventId,
    ...credentials,
  } satisfies SeededOversell;
}

/** CLI set-up of a fresh hub database: one pickup store, a one-SKU catalog and an HQ operator. */
export function prepareHubDatabase(db: string, user: { username: string; password: string }): void {
  const catalog = join(db, '..', 'catalog.csv');
  writeFileSync(
    catalog,
    'sku,product_id,name,unit,tax_category\nSKU-RED-M,prod-red,Red T-shirt M,each,standard\n',
  );
  runHubCli([
    'create-node',
    '--db',
    db,
    '--code',
    'S001',
    '--name',
    'Dublin Grafton St',
    '--region',
    'ie-east',
    '--jurisdiction',
    'IE',
    '--currency',
    'EUR',
    '--timezone',
    'Europe/Dublin',
    '--pickup',
  ]);
  runHubCli(['import-catalog', catalog, '--db', db]);
  runHubCli(
    ['create-user', '--db', db, '--username', user.username, '--role', 'operator'],
    `${user.password}\n`,
  );
}
