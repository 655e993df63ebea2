import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { verifyProjections } from '../inventory/ledger-reads';
import { compiledQueryStats } from '../storage/compiled-query';
import { backendKinds } from '../test-support/backends';
import { adjustStock } from '../inventory/stock-operations';
import { createNode } from '../nodes/nodes';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { nodeInput } from '../test-support/fixtures';
import { placeOrder } from './intake';

/**
 * What a placed order sends PostgreSQL while its balances are locked: the balance lock also reads the
 * devices, and a new order's rows (a split's customer order and parts too) and the balance write go out
 * with the integration log, the feed and COMMIT, in one statement (order storm round 12; until then with
 * a devices read of their own). The rows themselves are checked by the intake tests on both backends;
 * this checks the round trips.
 */
describe.skipIf(!process.env.PG_URL)('orders/intake statements on postgres', () => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld('postgres', { skus: ['ST1', 'ST2', 'ST3'] });
    await world.stock('s1', 'ST1', 2);
    await world.stock('s2', 'ST1', 2);
    await world.stock('s1', 'ST2', 2);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  async function statementsOf(
    body: ReturnType<BopisWorld['orderBody']>,
    idempotencyKey = `key-${body.orderId}`,
    statements: string[] = [],
  ): Promise<string[]> {
    const query = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
      if (text !== undefined) statements.push(text);
      return (query as (...rest: unknown[]) => unknown).apply(this, args);
    } as typeof query);
    try {
      await placeOrder(world.hub, body, idempotencyKey, 'api-key:test', { settings: TEST_SETTINGS });
    } finally {
      spy.mockRestore();
    }
    return statements;
  }

  const inserting = (statements: string[], table: string) =>
    statements.filter((text) => text.includes(`insert into "${table}"`));

  it('writes a whole order’s rows and its balance with the log and the feed, in one statement', async () => {
    const statements = await statementsOf(world.orderBody({ lines: [{ lineId: 'l1', sku: 'ST1', qty: 1 }] }));
    // Three round trips: the repeat check, the intake's facts and routing's candidates (before BEGIN);
    // BEGIN with the balance lock, which reads the devices too; the rows with the balance write, the
    // integration log, the feed, and COMMIT (storage/begin-with-statement.ts). Before order storm round 10:
    // six; before round 12: four (the rows went with a devices read of their own).
    expect(statements).toHaveLength(3);
    expect(statements[1]).toContain('for update');
    expect(statements[1]).toContain('from devices d');
    expect(statements[2]).toContain('insert into "integration_events"');
    expect(statements[2]).toContain('insert into "feed_changes"');
    expect(statements[0]).toContain('row_to_json(c)');
    expect(statements.filter((text) => text.includes('"open_picks"'))).toHaveLength(1);
    const rows = inserting(statements, 'bopis_orders');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('insert into "feed_changes"');
    for (const table of [
      'bopis_order_timeline',
      'reservations',
      'reservation_history',
      'bopis_reservations',
      'stock_balances',
    ])
      expect(inserting(statements, table)).toEqual(rows);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });

  it('refuses an order no node can carry in one round trip, and a replay without BEGIN or COMMIT', async () => {
    // No BEGIN and no ROLLBACK or COMMIT: the intake's first statement is a plain read sent before BEGIN,
    // and the transaction ends before any other (storage/prepared-statements.ts readBeforeBegin).
    // Before order storm round 10: begin, the read, rollback (commit for the replay).
    const refusedBody = world.orderBody({ lines: [{ lineId: 'l1', sku: 'ST2', qty: 99 }] });
    const refused: string[] = [];
    await expect(statementsOf(refusedBody, undefined, refused)).rejects.toMatchObject({
      code: 'INSUFFICIENT_STOCK',
    });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('row_to_json(c)');
    // The same key and body again: answered from the first statement's match, then read as a replay.
    const body = world.orderBody({ lines: [{ lineId: 'l1', sku: 'ST2', qty: 1 }] });
    await statementsOf(body, 'replayed-key');
    const replay = await statementsOf(body, 'replayed-key');
    // The first statement, then the replay's lookup and the order's view (six reads, no transaction).
    expect(replay).toHaveLength(7);
    expect(replay[0]).toContain('row_to_json(c)');
    expect(replay.slice(1).every((text) => text.startsWith('select'))).toBe(true);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });

  it('writes a split order’s customer order, parts and rows in that statement too', async () => {
    const statements = await statementsOf(
      world.orderBody({ lines: [{ lineId: 'l1', sku: 'ST1', qty: 3 }], splitConsent: true }),
    );
    // Three round trips, as a whole order: the parts' pickup codes were checked by the first statement,
    // before BEGIN. Before order storm round 13: four (the codes read while the balances were locked).
    expect(statements).toHaveLength(3);
    expect(statements[0]).toContain('"pickup_code" in (');
    expect(statements.slice(1).filter((text) => text.includes('"pickup_code" in'))).toEqual([]);
    const rows = inserting(statements, 'customer_orders');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('insert into "feed_changes"');
    for (const table of [
      'customer_order_parts',
      'bopis_orders',
      'reservations',
      'bopis_reservations',
      'stock_balances',
    ])
      expect(inserting(statements, table)).toEqual(rows);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });

  it('checks the codes of a split’s parts beyond the ones drawn first in a statement of their own', async () => {
    // A fourth pickup store, so an order of four units splits into four parts.
    await createNode(world.hub, nodeInput('s4', { latitude: 48.5, longitude: 2.35 }));
    await adjustStock(
      world.hub,
      { nodeId: 's4', reason: 'opening stock', lines: [{ sku: 'ST3', bucket: 'sellable', delta: 1 }] },
      'user:test',
    );
    for (const nodeId of ['s1', 's2', 's3']) await world.stock(nodeId, 'ST3', 1);
    const statements: string[] = [];
    const body = world.orderBody({ lines: [{ lineId: 'l1', sku: 'ST3', qty: 4 }], splitConsent: true });
    await statementsOf(body, undefined, statements);
    // Four parts, three codes checked by the first statement: the fourth part's is checked under the locks.
    expect(statements).toHaveLength(4);
    expect(statements[2]).toContain('"pickup_code" in (');
    const parts = await world.storage.db
      .selectFrom('bopis_orders')
      .select('pickup_code')
      .where('order_id', 'like', `${body.orderId}.%`)
      .execute();
    expect(parts).toHaveLength(4);
    expect(new Set(parts.map((part) => part.pickup_code)).size).toBe(4);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });
});

/**
 * The intake's reads (repeat check, catalog and channel facts, routing's candidates, the balance lock)
 * are built by Kysely once per shape, then sent again with new values (storage/compiled-query.ts): a
 * second order of the same shape builds none of them, and still reads what it must.
 */
describe.each(backendKinds())('orders/intake statement texts on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['RU1', 'RU2'] });
    await world.stock('s1', 'RU1', 3);
    await world.stock('s2', 'RU2', 1);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  it('builds the intake’s reads once per shape and reuses them for the next order', async () => {
    await world.place({ lines: [{ lineId: 'l1', sku: 'RU1', qty: 1 }] });
    const before = { ...compiledQueryStats };
    const second = await world.place({ lines: [{ lineId: 'l1', sku: 'RU1', qty: 1 }] });
    expect(compiledQueryStats.built - before.built).toBe(0);
    // The first read, the balance lock and the log and feed append (with the rows, PostgreSQL; the devices
    // read on SQLite). Before order storm round 12 PostgreSQL's devices read was a fourth.
    expect(compiledQueryStats.reused - before.reused).toBeGreaterThanOrEqual(3);
    expect(second.nodeId).toBe('s1');
    // Another SKU, same shape: the reused texts read that SKU's stock (it is only at s2).
    const third = await world.place({ lines: [{ lineId: 'l1', sku: 'RU2', qty: 1 }] });
    expect(third.nodeId).toBe('s2');
    await expect(world.place({ lines: [{ lineId: 'l1', sku: 'RU2', qty: 1 }] })).rejects.toMatchObject({
      code: 'INSUFFICIENT_STOCK',
    });
    await expect(world.place({ lines: [{ lineId: 'l1', sku: 'NOPE', qty: 1 }] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

/**
 * PostgreSQL plans the intake's first statement (one text per shape: pickup from a store, ship) and the
 * log and feed append once per connection: a generic plan after the five custom ones it always tries.
 * The appends used to be planned afresh for every order (a series whose length was a parameter), and the
 * ship shape in a database with history (a count whose constants were parameters).
 */
describe.skipIf(!process.env.PG_URL)('orders/intake plans on postgres', () => {
  let world: BopisWorld;

  beforeAll(async () => {
    // One connection, so its prepared statements are the ones the orders used.
    world = await createBopisWorld('postgres', { skus: ['GP1'], poolSize: 1 });
    await world.stock('s1', 'GP1', 50);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  it('runs the intake’s first statement and its log and feed append on generic plans', async () => {
    for (let index = 0; index < 9; index += 1) {
      await world.place({ lines: [{ lineId: 'l1', sku: 'GP1', qty: 1 }] });
      // No node here ships: refused, after the same first statement as a placed ship order.
      await expect(
        world.place({
          lines: [{ lineId: 'l1', sku: 'GP1', qty: 1 }],
          fulfilment: {
            type: 'ship',
            shipTo: {
              name: 'Ada Lovelace',
              line1: '12 Rue de Rivoli',
              city: 'Paris',
              postalCode: '75001',
              country: 'FR',
              location: { lat: 48.85, lon: 2.35 },
            },
          },
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    }
    const prepared = (
      await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
        select statement, generic_plans, custom_plans from pg_prepared_statements`.execute(world.storage.db)
    ).rows;
    const runs = (row: (typeof prepared)[number]) => Number(row.custom_plans) + Number(row.generic_plans);
    const first = prepared.filter((row) => row.statement.includes(`'match'`));
    expect(first.map(runs)).toEqual([9, 9]);
    // The orders' log and feed append (the stock received before them may have run it too).
    const appends = prepared.filter(
      (row) =>
        row.statement.includes('insert into "integration_events"') &&
        row.statement.includes('insert into "feed_changes"') &&
        runs(row) >= 9,
    );
    expect(appends).toHaveLength(1);
    for (const row of [...first, ...appends]) {
      expect(Number(row.custom_plans)).toBe(5);
      expect(Number(row.generic_plans)).toBe(runs(row) - 5);
    }
  });
});
