import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, type EventEnvelope, type EventPayloads } from '@retail/sync';
import { createApiKey } from '../src/auth/api-keys';
import { createHubContext } from '../src/hub-context';
import { createSubscription } from '../src/integration/subscriptions';
import { putSetting } from '../src/settings/hq-settings';
import { backendKinds, createTestDatabase, type TestDatabase } from '../src/test-support/backends';
import {
  EventFactory,
  enrollTestDevice,
  movement,
  pricedSaleOf,
  seedPricing,
  seedWorld,
  type TillPricing,
} from '../src/test-support/fixtures';

/**
 * The reference ERP consumer (scripts/reference-erp-consumer.ts) as a separate process, receiving the
 * hub's webhooks through a fault proxy that drops requests, answers 500, loses the consumer's answer
 * after it applied the event, delivers twice and delays; the hub process is killed (SIGKILL) twice while
 * deliveries are in flight and started again on the same database. At the end the consumer applied every
 * published event exactly once, in order per aggregate, and its books equal the hub's journal of each
 * store day to the cent. Every wait is bounded; nothing is timed.
 */

const appDir = new URL('..', import.meta.url).pathname;
const START_TIMEOUT_MS = 180_000;
const CONVERGE_TIMEOUT_MS = 240_000;
const TAX = { rateId: 'ny', name: 'NY', jurisdictionId: 'US-NY', taxCategory: 'standard', percent: 8.875 };
const SECRET = 'whsec_reference-consumer-secret-0001';
const TYPES = [
  'sale.*',
  'return.completed',
  'shift.closed',
  'stored_value.*',
  'transfer.*',
  'journal.daily_summary',
];

async function startProcess(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${output}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${output}`));
    });
  });
  return { child, url };
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

/**
 * Between hub and consumer: request n (from 1) is dropped when n % 8 = 1, answered 500 without reaching
 * the consumer when 3, forwarded with the answer lost when 5 (applied, but the hub must send it again),
 * forwarded twice when 6, delayed when 7, and simply forwarded otherwise.
 */
async function startFaultProxy(target: string) {
  const counts = { requests: 0, dropped: 0, failed: 0, lostAnswers: 0, duplicated: 0, delayed: 0 };
  const forward = async (path: string, headers: Record<string, string>, body: Buffer) =>
    (await fetch(`${target}${path}`, { method: 'POST', headers, body })).status;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      counts.requests += 1;
      const n = counts.requests;
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name]) => name.startsWith('x-retail-') || name === 'content-type')
          .map(([name, value]) => [name, String(value)]),
      );
      void (async () => {
        try {
          switch (n % 8) {
            case 1:
              counts.dropped += 1;
              request.socket.destroy();
              return;
            case 3:
              counts.failed += 1;
              response.statusCode = 500;
              response.end();
              return;
            case 5:
              counts.lostAnswers += 1;
              await forward(request.url!, headers, body);
              request.socket.destroy();
              return;
            case 6: {
              counts.duplicated += 1;
              await forward(request.url!, headers, body);
              response.statusCode = await forward(request.url!, headers, body);
              response.end();
              return;
            }
            case 7:
              counts.delayed += 1;
              await new Promise((resolve) => setTimeout(resolve, 150));
              break;
            default:
              break;
          }
          response.statusCode = await forward(request.url!, headers, body);
          response.end();
        } catch {
          request.socket.destroy();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface ConsumerState {
  applied: { eventId: string; type: string }[];
  received: number;
  books: { node_id: string; business_date: string; currency: string; account: string; amount: number }[];
  journals: {
    nodeId: string;
    businessDate: string;
    revision: number;
    sales: { count: number; gross: number; discounts: number; tax: number; paid: number };
    returns: { count: number; amount: number };
    voids: { count: number; amount: number };
    tenders: { type: string; sales: number; refunds: number; net: number }[];
    cash: { shiftsClosed: number; overShort: number };
    liabilities: { kind: string; issued: number; redeemed: number; net: number }[];
  }[];
  orderViolations: unknown[];
}

describe.each(backendKinds())(
  'reference ERP consumer behind a fault proxy, with hub kills, on %s',
  { timeout: 900_000 },
  (kind) => {
    let dir: string;
    let database: TestDatabase;
    let consumer: { child: ChildProcess; url: string };
    let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
    let hubProcess: { child: ChildProcess; url: string } | undefined;
    let apiKey: string;
    let subscriptionId: string;
    let pricing: TillPricing;
    const tills: { nodeId: string; credential: string; events: EventFactory }[] = [];
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

    const startHub = async () => {
      hubProcess = await startProcess(
        [
          'src/cli.ts',
          'serve',
          '--port',
          '0',
          '--webhook-retry-base-ms',
          '50',
          '--webhook-retry-max-ms',
          '400',
          '--integration-lease-seconds',
          '2',
          '--journal-grace-minutes',
          '0',
        ],
        { POS_HUB_DB: database.url },
        /pos-hub listening on (http:\/\/127\.0\.0\.1:\d+)/,
      );
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'erp-consumer-'));
      writeFileSync(join(dir, 'secret'), `${SECRET}\n`, { mode: 0o600 });
      consumer = await startProcess(
        [
          'scripts/reference-erp-consumer.ts',
          '--db',
          join(dir, 'erp.db'),
          '--secret-file',
          join(dir, 'secret'),
        ],
        {},
        /erp consumer listening on (http:\/\/127\.0\.0\.1:\d+)/,
      );
      proxy = await startFaultProxy(consumer.url);

      database = await createTestDatabase(kind);
      const storage = await database.open();
      try {
        // Prices in force since before the day the sales are made on.
        const earlier = createHubContext(storage, () => Date.now() - 3 * 86_400_000);
        await seedWorld(earlier, { nodes: ['s1', 's2'], skus: ['A', 'B', 'C'] });
        pricing = await seedPricing(earlier, {
          skus: ['A', 'B', 'C'],
          taxRate: TAX,
          unitPrice: (_sku, index) => [1999, 349, 12_345][index]!,
        });
        const hub = createHubContext(storage);
        for (const nodeId of ['s1', 's2']) {
          const enrolled = await enrollTestDevice(hub, nodeId);
          tills.push({
            nodeId,
            credential: enrolled.credential,
            events: new EventFactory({ deviceId: enrolled.deviceId, storeId: enrolled.storeId }),
          });
        }
        // Every sale is of yesterday, so each journal is a late one: it goes out once no late event arrived
        // for the settle interval (docs/integration.md). HQ shortens it to a second for the whole chain.
        await putSetting(
          hub,
          CONFIG_KEYS.journalSettleSeconds,
          { scope: { kind: 'chain' }, value: 1, expectedVersion: 0 },
          'hq-admin',
        );
        apiKey = (await createApiKey(hub, { name: 'erp', scopes: ['integration:read'] }, 'test')).key;
        const created = await createSubscription(
          hub,
          {
            name: 'reference-erp',
            url: `${proxy.url}/hooks`,
            types: TYPES,
            secret: SECRET,
            maxAttempts: 100,
            maxLagSeconds: 3600,
          },
          'user:test',
        );
        subscriptionId = created.subscription.subscriptionId;
      } finally {
        await storage.close();
      }
      await startHub();
    }, START_TIMEOUT_MS * 3);

    afterAll(async () => {
      if (hubProcess !== undefined) await kill(hubProcess.child, 'SIGKILL');
      if (consumer !== undefined) await kill(consumer.child, 'SIGTERM');
      await proxy?.close();
      await database?.dispose();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    async function api<T>(path: string): Promise<T> {
      const response = await fetch(`${hubProcess!.url}${path}`, { headers: { 'x-api-key': apiKey } });
      const body = (await response.json()) as { ok: boolean; value: T };
      if (!body.ok) throw new Error(`${path}: ${JSON.stringify(body)}`);
      return body.value;
    }

    async function consumerState(): Promise<ConsumerState> {
      return (await (await fetch(`${consumer.url}/state`)).json()) as ConsumerState;
    }

    async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
      const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    async function push(till: (typeof tills)[number], events: EventEnvelope[]) {
      const response = await fetch(`${hubProcess!.url}/sync/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${till.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: till.events.device.deviceId, storeId: till.nodeId, events }),
      });
      const body = (await response.json()) as { value: { results: { status: string; reason?: string }[] } };
      expect(body.value.results.filter((result) => result.status === 'rejected')).toEqual([]);
    }

    /** A day of trading at one till: sales (cash and card), a return, and the shift's close. */
    function trading(till: (typeof tills)[number], batch: number, sales: number): EventEnvelope[] {
      const shiftId = `shift-${till.nodeId}-${batch}`;
      const envelopes: EventEnvelope[] = [];
      const made: EventPayloads['sale.completed'][] = [];
      for (let index = 0; index < sales; index += 1) {
        const at = Date.parse(`${day}T${String(8 + batch).padStart(2, '0')}:00:00Z`) + index * 60_000;
        const sale = pricedSaleOf(
          pricing,
          [
            { sku: ['A', 'B', 'C'][index % 3]!, qty: 1 + (index % 4) },
            { sku: 'B', qty: 1 + batch },
          ],
          { storeId: till.nodeId, at },
        );
        sale.shiftId = shiftId;
        const total = sale.totals.paid;
        const cash = index % 2 === 0 ? Math.min(total, 1_000 + index * 7) : 0;
        sale.tenders = [
          ...(cash > 0
            ? [{ tenderId: randomUUID(), type: 'cash' as const, amount: cash, tendered: cash }]
            : []),
          ...(total - cash > 0
            ? [{ ...sale.tenders[0]!, amount: total - cash, tendered: total - cash }]
            : []),
        ];
        made.push(sale);
        envelopes.push(till.events.next('sale.completed', sale));
      }
      const original = made[1]!;
      const line = original.lines[1]!;
      const refund = Math.round(line.paid / line.qty);
      envelopes.push(
        till.events.next('return.completed', {
          returnId: randomUUID(),
          receiptNumber: `RET-${batch}-${till.nodeId}`,
          originalSaleId: original.saleId,
          shiftId,
          staffId: `staff-${till.nodeId}`,
          currency: 'USD',
          lines: [
            {
              returnLineId: randomUUID(),
              originalLineId: line.lineId,
              sku: line.sku,
              qty: 1,
              refund,
              disposition: 'sellable',
            },
          ],
          // One return is refunded as store credit: its tender and the credit's liability are in the
          // day's journal (dated by the return, whenever the till synced), and the credit's ledger entry
          // reaches the ERP exactly once.
          refunds: [
            batch === 2 && till.nodeId === 's1'
              ? {
                  tenderId: randomUUID(),
                  type: 'store_credit',
                  amount: refund,
                  reference: `SC-${randomUUID()}`,
                }
              : { tenderId: randomUUID(), type: 'cash', amount: refund },
          ],
          movements: [movement(line.sku, 1, 'RETURN_RESTOCK')],
          completedAt: new Date(Date.parse(`${day}T20:00:00Z`) + batch * 60_000).toISOString(),
        }),
      );
      envelopes.push(
        till.events.next('shift.closed', {
          shiftId,
          staffId: `staff-${till.nodeId}`,
          currency: 'USD',
          float: 10_000,
          expectedCash: 20_000,
          countedCash: 20_000 - 7 * batch,
          overShort: -7 * batch,
          denominations: [],
          totals: { sales: 0, returns: 0, cashIn: 0, cashOut: 0, byTender: {} },
          closedAt: new Date(Date.parse(`${day}T21:00:00Z`) + batch * 60_000).toISOString(),
        }),
      );
      return envelopes;
    }

    /** s1 ships B to s2, which counts one unit short: shipped, received and a variance leave as events. */
    async function transfer(batch: number): Promise<void> {
      const [from, to] = tills as [(typeof tills)[number], (typeof tills)[number]];
      const transferId = `T-${batch}-${randomUUID().slice(0, 8)}`;
      const at = new Date(Date.parse(`${day}T12:00:00Z`) + batch * 60_000).toISOString();
      await push(from, [
        from.events.next('stock.transferred_out', {
          transferId,
          toNodeId: to.nodeId,
          lines: [{ sku: 'B', qty: 4 }],
          movements: [movement('B', -4, 'TRANSFER_OUT')],
          shippedAt: at,
        }),
      ]);
      await push(to, [
        to.events.next('stock.received', {
          receiptId: randomUUID(),
          source: { type: 'transfer', reference: transferId },
          lines: [{ sku: 'B', qty: 3, bucket: 'sellable' }],
          movements: [movement('B', 3, 'TRANSFER_IN')],
          receivedAt: at,
        }),
      ]);
    }

    it('applies every event exactly once and its books equal the journal to the cent', async () => {
      // Trading, and the hub killed while it is delivering.
      for (const till of tills) await push(till, trading(till, 1, 12));
      await transfer(1);
      await waitFor('the first deliveries', async () =>
        (await consumerState()).applied.length >= 5 ? true : undefined,
      );
      await kill(hubProcess!.child, 'SIGKILL');
      await startHub();
      for (const till of tills) await push(till, trading(till, 2, 9));
      await transfer(2);
      await kill(hubProcess!.child, 'SIGKILL');
      await startHub();
      for (const till of tills) await push(till, trading(till, 3, 5));

      // Converged: nothing left to deliver, and each store day's latest journal revision has arrived.
      await waitFor('the subscription to catch up', async () => {
        const view = await api<{ lagEvents: number; deadLetters: number }>(
          `/api/integration/subscriptions/${subscriptionId}`,
        );
        expect(view.deadLetters).toBe(0);
        return view.lagEvents === 0 ? true : undefined;
      });
      const hubJournals = await waitFor('every journal to be published and delivered', async () => {
        const views = await Promise.all(
          tills.map((till) =>
            api<{ pending: boolean; publishedRevision: number; journals: ConsumerState['journals'] }>(
              `/api/integration/journal?nodeId=${till.nodeId}&businessDate=${day}`,
            ),
          ),
        );
        if (views.some((view) => view.pending || view.publishedRevision === 0)) return undefined;
        const state = await consumerState();
        const delivered = views.every((view) =>
          state.journals.some(
            (journal) =>
              journal.nodeId === view.journals[0]!.nodeId && journal.revision === view.publishedRevision,
          ),
        );
        const lag = await api<{ lagEvents: number }>(`/api/integration/subscriptions/${subscriptionId}`);
        return delivered && lag.lagEvents === 0 ? views.map((view) => view.journals[0]!) : undefined;
      });

      const state = await consumerState();
      // Exactly once: the consumer's applied set is the hub's published set, each id once.
      const published: string[] = [];
      let cursor = '0';
      for (let page = 0; page < 1000; page += 1) {
        const read = await api<{ events: { eventId: string }[]; cursor: string; upToDate: boolean }>(
          `/api/integration/events?after=${encodeURIComponent(cursor)}&limit=1000&types=${TYPES.join(',')}`,
        );
        published.push(...read.events.map((event) => event.eventId));
        cursor = read.cursor;
        if (read.upToDate) break;
      }
      const applied = state.applied.map((event) => event.eventId);
      expect(new Set(applied).size).toBe(applied.length);
      expect([...applied].sort()).toEqual([...published].sort());
      expect(state.orderViolations).toEqual([]);
      const appliedTypes = new Set(state.applied.map((event) => event.type));
      for (const type of [
        'transfer.shipped',
        'transfer.received',
        'transfer.variance',
        'stored_value.entry_recorded',
      ]) {
        expect(appliedTypes.has(type), type).toBe(true);
      }
      // The faults happened, and repeated deliveries were not applied twice.
      for (const fault of ['dropped', 'failed', 'lostAnswers', 'duplicated', 'delayed'] as const) {
        expect(proxy.counts[fault], fault).toBeGreaterThan(0);
      }
      expect(state.received).toBeGreaterThan(applied.length);

      // The consumer's books, from the events it applied, equal the hub's journal of each store day.
      for (const journal of hubJournals) {
        const delivered = state.journals.find((candidate) => candidate.nodeId === journal.nodeId)!;
        expect(delivered).toEqual(journal);
        const account = (name: string) =>
          state.books.find(
            (row) => row.node_id === journal.nodeId && row.business_date === day && row.account === name,
          )?.amount ?? 0;
        expect({
          count: account('sales.count'),
          gross: account('sales.gross'),
          discounts: account('sales.discounts'),
          tax: account('sales.tax'),
          paid: account('sales.paid'),
          returns: account('returns.count'),
          returned: account('returns.amount'),
          shifts: account('cash.shifts'),
          overShort: account('cash.overShort'),
        }).toEqual({
          count: journal.sales.count,
          gross: journal.sales.gross,
          discounts: journal.sales.discounts,
          tax: journal.sales.tax,
          paid: journal.sales.paid,
          returns: journal.returns.count,
          returned: journal.returns.amount,
          shifts: journal.cash.shiftsClosed,
          overShort: journal.cash.overShort,
        });
        expect(journal.sales.count).toBe(26);
        if (journal.nodeId === 's1') {
          expect(journal.liabilities.map((liability) => liability.kind)).toEqual(['store_credit']);
        }
        for (const liability of journal.liabilities) {
          expect(account(`liability.${liability.kind}.net`), liability.kind).toBe(liability.net);
        }
        for (const tender of journal.tenders) {
          expect([account(`tender.${tender.type}.sales`), account(`tender.${tender.type}.refunds`)]).toEqual([
            tender.sales,
            tender.refunds,
          ]);
        }
      }
    });
  },
);
