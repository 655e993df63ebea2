import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { backoffDelay } from '@retail/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/commands';
import type { StoreNotification } from '../../shared/notifications';
import { ReferenceHub, startReferenceSyncServer, type ReferenceSyncServer } from '@retail/sync/testing';
import { createTestNode, expectOk, smallCatalogChanges, type TestNode } from '../testing/test-node';
import { readReplica } from './replica';
import { STORE_SYNC_BACKOFF } from './store-sync';

let node: TestNode | undefined;
let server: ReferenceSyncServer | undefined;
let frontDoor: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (frontDoor ? frontDoor.close(() => resolve()) : resolve()));
  frontDoor = undefined;
  await node?.engine.shutdown();
  node?.close();
  await server?.close();
  node = undefined;
  server = undefined;
});

async function until(check: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const CREDENTIAL = 'dev_test-credential';

/** A reference hub holding the small test catalog (chain-wide) and this store's stock. */
async function hubFor(test: TestNode, options: { rejectCashMoves?: boolean } = {}) {
  const hub = new ReferenceHub({
    apply: (event) =>
      options.rejectCashMoves && event.type === 'shift.cash_moved'
        ? { status: 'rejected', reason: 'Cash movements of this till are audited by hand.' }
        : { status: 'applied' },
  });
  const { storeId, deviceId } = test.engine.identity;
  for (const change of smallCatalogChanges({ deviceId, stock: { 'APPLE-1': 20, 'MILK-1': 10 } })) {
    hub.change({
      entity: change.entity,
      key: change.key,
      op: 'upsert',
      data: change.data,
      scope: change.entity === 'stock_level' ? storeId : '*',
    });
  }
  server = await startReferenceSyncServer({
    hub,
    credentials: new Map([[CREDENTIAL, { deviceId, storeId }]]),
  });
  return { hub, server };
}

/**
 * The hub's front door: unreachable (connections dropped) until `isUp()`, then `/healthz` and the sync API
 * (proxied to the reference hub) answer.
 */
async function openFrontDoor(isUp: () => boolean): Promise<string> {
  frontDoor = createServer((request, response) => {
    if (!isUp()) {
      request.socket.destroy();
      return;
    }
    if (request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void fetch(`${server!.url}${request.url ?? '/'}`, {
        method: request.method ?? 'GET',
        headers: Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
          ),
        ),
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      }).then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => frontDoor!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(frontDoor.address() as AddressInfo).port}`;
}

function status(test: TestNode): SyncStatus {
  return expectOk(test.engine.execute('sync-status', {}));
}

/**
 * A node whose agent found the hub down and, left to its backoff (~10 minutes), would not try it again
 * during the test; the hub's /healthz is probed every `hubProbeIntervalMs`. `bringHubUp` opens its door.
 */
async function waitingOnDistantRetry(hubProbeIntervalMs: number) {
  node = createTestNode({
    sync: {
      transport: 'http',
      random: () => 0.99,
      tuning: { backoff: { baseMs: 600_000, capMs: 600_000 } },
      hubProbeIntervalMs,
    },
  });
  const test = node;
  await hubFor(test);
  let up = false;
  const hubUrl = await openFrontDoor(() => up);
  await test.engine.sync.configure({ hubUrl, credential: CREDENTIAL });
  await until(
    () => status(test).state === 'offline' && status(test).nextRetryAt !== null,
    () => JSON.stringify(status(test)),
  );
  return {
    test,
    retryAt: Date.parse(status(test).nextRetryAt!),
    bringHubUp: () => {
      up = true;
    },
  };
}

function sameData(a: Map<string, unknown>, b: Map<string, unknown>): boolean {
  const sorted = (map: Map<string, unknown>) =>
    JSON.stringify([...map].sort(([x], [y]) => x.localeCompare(y)));
  return sorted(a) === sorted(b);
}

describe('engine/sync/store-sync', () => {
  describe('StoreSync', () => {
    it('replaces a fixture with the hub snapshot, pushes every command and reports live status', async () => {
      node = createTestNode();
      const test = node;
      const { hub } = await hubFor(test);
      const notifications: StoreNotification[] = [];
      test.engine.subscribe((notification) => notifications.push(notification));
      expect(status(test)).toMatchObject({ agent: 'not-configured', online: false });

      await test.engine.sync.configure({ hubUrl: server!.url, credential: CREDENTIAL });
      const { storeId, deviceId } = test.engine.identity;
      await until(
        () => status(test).state === 'live' && sameData(readReplica(test.engine.db), hub.dataFor(storeId)),
        () => JSON.stringify(status(test)),
      );
      // The fixture's epoch is not the hub's: the replica was thrown away and snapshotted.
      expect(status(test).feedEpoch).toBe(hub.epoch);

      const cashier = { session: test.sessions.cashier };
      expectOk(test.engine.execute('shift-open', { float: 10_000 }, cashier));
      expectOk(test.engine.execute('shift-cash-in', { amount: 500, reason: 'coins' }, cashier));
      const written = status(test).lastDeviceSeq;
      await until(
        () => hub.lastSeq(deviceId) === written && status(test).pendingEvents === 0,
        () => `hub has ${hub.lastSeq(deviceId)} of ${written}`,
      );
      expect(status(test)).toMatchObject({
        agent: 'live',
        state: 'live',
        online: true,
        hubUrl: server!.url,
        lastAckedSeq: written,
        rejected: [],
        error: null,
      });
      expect(status(test).lastPullAt).not.toBeNull();
      // The status bar was kept live by notifications, and the credential is nowhere in them.
      const live = notifications.filter(
        (notification) => notification.name === 'sync-status' && notification.payload.state === 'live',
      );
      expect(live.length).toBeGreaterThan(0);
      expect(JSON.stringify(notifications)).not.toContain(CREDENTIAL);

      // A hub change reaches the replica through a poke and a pull.
      hub.change({
        entity: 'config',
        key: 'pos.staff.lockoutAttempts',
        op: 'upsert',
        data: { key: 'pos.staff.lockoutAttempts', value: 3 },
      });
      await until(
        () => test.engine.settings().lockoutAttempts === 3,
        () => 'the config change never arrived',
      );
    });

    it('never waits more than 30 s between retries, however long the outage', () => {
      fc.assert(
        fc.property(
          fc.nat({ max: 10_000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (attempt, sample) => {
            expect(backoffDelay(attempt, () => sample, STORE_SYNC_BACKOFF)).toBeLessThanOrEqual(30_000);
          },
        ),
      );
    });

    it('retries at once when the hub answers /healthz again, not when its backoff runs out', async () => {
      // The agent's own next try is ~10 minutes away: only the /healthz probe can bring it back in time.
      const { test, retryAt, bringHubUp } = await waitingOnDistantRetry(50);
      expect(retryAt - Date.now()).toBeGreaterThan(60_000);
      bringHubUp();
      await until(
        () => status(test).state === 'live',
        () => JSON.stringify(status(test)),
      );
      expect(Date.now()).toBeLessThan(retryAt);
    });

    it('retries at once when the till window reports the network back (sync-network-back)', async () => {
      // Neither the agent's backoff (~10 minutes) nor a /healthz probe (~10 minutes) comes in time: only the
      // OS's "online" event, forwarded by the window, can.
      const { test, retryAt, bringHubUp } = await waitingOnDistantRetry(600_000);
      bringHubUp();
      // No session: the lock screen hears the network come back too.
      expectOk(test.engine.execute('sync-network-back', {}));
      await until(
        () => status(test).state === 'live',
        () => JSON.stringify(status(test)),
      );
      expect(Date.now()).toBeLessThan(retryAt);
      // Once live, another OS event leaves the agent alone.
      expect(expectOk(test.engine.execute('sync-network-back', {})).state).toBe('live');
    });

    it('shows the hub’s rejections with their reasons in sync-status', async () => {
      node = createTestNode();
      const test = node;
      await hubFor(test, { rejectCashMoves: true });
      await test.engine.sync.configure({ hubUrl: server!.url, credential: CREDENTIAL });
      const cashier = { session: test.sessions.cashier };
      expectOk(test.engine.execute('shift-open', { float: 10_000 }, cashier));
      expectOk(test.engine.execute('shift-cash-in', { amount: 500, reason: 'coins' }, cashier));
      await until(
        () => (status(test).rejected ?? []).length === 1 && status(test).pendingEvents === 0,
        () => JSON.stringify(status(test)),
      );
      expect(status(test).rejected![0]).toMatchObject({
        reason: 'Cash movements of this till are audited by hand.',
      });
    });

    it('refunds a card sale to the card only while the hub is online', async () => {
      node = createTestNode();
      const test = node;
      await hubFor(test);
      await test.engine.sync.configure({ hubUrl: server!.url, credential: CREDENTIAL });
      await until(
        () => status(test).state === 'live',
        () => JSON.stringify(status(test)),
      );
      const cashier = { session: test.sessions.cashier };
      expectOk(test.engine.execute('shift-open', { float: 10_000 }, cashier));
      const sellMilk = () => {
        const saleId = expectOk(test.engine.execute('sale-start', {}, cashier)).saleId;
        expectOk(test.engine.execute('sale-add-line', { saleId, sku: 'MILK-1', qty: 1 }, cashier));
        const total = expectOk(test.engine.execute('sale-get', { saleId }, cashier)).totals.total;
        expectOk(
          test.engine.execute(
            'sale-add-tender',
            { saleId, tender: { type: 'card', amount: total, reference: 'AUTH-1' } },
            cashier,
          ),
        );
        return expectOk(test.engine.execute('sale-complete', { saleId }, cashier));
      };
      const online = sellMilk();
      const onlineReturn = expectOk(
        test.engine.execute(
          'return-create',
          { receiptNumber: online.receiptNumber!, lines: [{ lineId: online.lines[0]!.lineId, qty: 1 }] },
          cashier,
        ),
      );
      expect(onlineReturn.refunds.map((refund) => refund.type)).toEqual(['card']);

      const offline = sellMilk();
      await server!.close();
      server = undefined;
      await until(
        () => status(test).online === false,
        () => JSON.stringify(status(test)),
      );
      const offlineReturn = expectOk(
        test.engine.execute(
          'return-create',
          { receiptNumber: offline.receiptNumber!, lines: [{ lineId: offline.lines[0]!.lineId, qty: 1 }] },
          cashier,
        ),
      );
      expect(offlineReturn.refunds.map((refund) => refund.type)).not.toContain('card');
    });
  });
});
