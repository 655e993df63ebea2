import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { sql } from 'kysely';
import { verifyProjections } from '../inventory/ledger-reads';
import { stockLevelOf } from '../inventory/stock-levels';
import { inHubTransaction } from '../hub-tx';
import { updateNode } from '../nodes/nodes';
import { createBopisWorld, type BopisWorld } from '../test-support/bopis-world';

/**
 * PostgreSQL: the intake's balance lock also reads the devices of the locked nodes (and the configured
 * channels), so the order's rows go with the log, the feed and COMMIT instead of with a devices read of
 * their own (order storm round 12). What it publishes must be what the devices read after the lock gave:
 * each stock level's deviceSeqs are the lastSeqs of its node's devices once the lock is held.
 */
describe.skipIf(!process.env.PG_URL)('orders/intake devices read with the balance lock (postgres)', () => {
  let world: BopisWorld;
  const skus = ['DV1', 'DV2', 'DV3'];

  beforeAll(async () => {
    world = await createBopisWorld('postgres', { skus });
    for (const sku of skus) {
      await world.stock('s1', sku, 200);
      await world.stock('s2', sku, 200);
    }
    // The property's runs place up to 48 orders and never cancel one: with the world's 20 open picks a
    // store, a long run (or a shrink replaying many orders) would fill both stores and be refused.
    await updateNode(world.hub, 's1', { shipEnabled: true, pickCapacity: 1_000, expectedVersion: 1 });
    await updateNode(world.hub, 's2', { shipEnabled: true, pickCapacity: 1_000, expectedVersion: 1 });
  });

  afterAll(async () => {
    await world?.dispose();
  });

  /** The stock level a devices read after the lock would publish for (node, sku), from the rows now. */
  async function expectedLevel(nodeId: string, sku: string) {
    const balance = await world.storage.db
      .selectFrom('stock_balances')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('sku', '=', sku)
      .executeTakeFirstOrThrow();
    const devices = await world.storage.db
      .selectFrom('devices')
      .select(['device_id', 'last_seq'])
      .where('node_id', '=', nodeId)
      .execute();
    return stockLevelOf(
      {
        nodeId,
        sku,
        sellable: Number(balance.sellable),
        staged: Number(balance.staged),
        damaged: Number(balance.damaged),
        quality_control: Number(balance.quality_control),
        in_transit: Number(balance.in_transit),
        committed: Number(balance.committed),
        safety_stock: Number(balance.safety_stock),
      },
      Object.fromEntries(devices.map((device) => [device.device_id, Number(device.last_seq)])),
    );
  }

  async function publishedLevel(nodeId: string, sku: string): Promise<unknown> {
    const row = await world.storage.db
      .selectFrom('feed_changes')
      .select('data')
      .where('entity', '=', 'stock_level')
      .where('entity_key', '=', `${nodeId}:${sku}`)
      .where('scope', '=', nodeId)
      .executeTakeFirstOrThrow();
    return typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
  }

  it('publishes the lastSeqs of a push that committed while the order waited for the lock', async () => {
    // Another transaction (as a push of sales does at its finish) holds the balance, writes it and moves
    // the node's device on, and commits only once the order's lock statement waits for it: that
    // statement's snapshot predates it, so its devices are stale, and the intake must read them again.
    // (The row is written without changing its figures, so the ledger's projections still match.)
    const other = new pg.Client({ connectionString: world.database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(
        `update stock_balances set updated_at = updated_at + 1 where node_id = 's1' and sku = 'DV1'`,
      );
      await other.query(`update devices set last_seq = last_seq + 7 where node_id = 's1'`);
      const placing = world.place({ lines: [{ lineId: 'l1', sku: 'DV1', qty: 1 }] });
      for (let attempt = 0; ; attempt += 1) {
        const waiting = await other.query(
          `select count(*)::int as n from pg_locks where not granted and locktype = 'transactionid'`,
        );
        if (waiting.rows[0].n > 0) break;
        if (attempt > 500) throw new Error('the order never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await other.query('commit');
      const placed = await placing;
      expect(placed.nodeId).toBe('s1');
      expect(await publishedLevel('s1', 'DV1')).toEqual(await expectedLevel('s1', 'DV1'));
    } finally {
      await other.end();
    }
  });

  /** A transaction of another connection that has written (node, sku) and the node's devices, open. */
  async function holding(nodeId: string, sku: string) {
    const other = new pg.Client({ connectionString: world.database.url });
    await other.connect();
    await other.query('begin');
    await other.query(
      `update stock_balances set updated_at = updated_at + 1 where node_id = $1 and sku = $2`,
      [nodeId, sku],
    );
    await other.query(`update devices set last_seq = last_seq + 1 where node_id = $1`, [nodeId]);
    return {
      async waitedFor() {
        for (let attempt = 0; attempt < 500; attempt += 1) {
          const waiting = await other.query(
            `select count(*)::int as n from pg_locks where not granted and locktype = 'transactionid'`,
          );
          if (waiting.rows[0].n > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error('nothing waited for the lock');
      },
      async commit() {
        await other.query('commit');
        await other.end();
      },
    };
  }

  it('holds the devices it read only while no locked row moved after its snapshot', async () => {
    const seqsOf = async (nodeId: string) =>
      Object.fromEntries(
        (
          await world.storage.db
            .selectFrom('devices')
            .select(['device_id', 'last_seq'])
            .where('node_id', '=', nodeId)
            .execute()
        ).map((device) => [device.device_id, Number(device.last_seq)]),
      );
    // Nothing in the way: the devices and channels as a read after the lock gives them.
    await inHubTransaction(world.hub, async (tx) => {
      await tx.ledger.lockBalances([{ nodeId: 's2', sku: 'DV3' }], { rowsExist: true, devices: true });
      const state = tx.ledger.balance('s2', 'DV3');
      const settled = tx.ledger.settledAtLock([state]);
      expect(settled?.channels).toEqual([]);
      expect(settled?.deviceSeqs.get('s2')).toEqual(await seqsOf('s2'));
      // A balance it did not lock, or a second locking read (another snapshot), and it no longer holds.
      expect(tx.ledger.settledAtLock([{ ...state, sku: 'DV1' }])).toBeUndefined();
      await tx.ledger.lockBalances([{ nodeId: 's2', sku: 'DV2' }], { rowsExist: true, devices: true });
      expect(tx.ledger.settledAtLock([state])).toBeUndefined();
    });
    // The lock waited for a transaction that moved the row: it does not hold (its devices are stale).
    const other = await holding('s2', 'DV3');
    await inHubTransaction(world.hub, async (tx) => {
      const locking = tx.ledger.lockBalances([{ nodeId: 's2', sku: 'DV3' }], {
        rowsExist: true,
        devices: true,
      });
      await other.waitedFor();
      await other.commit();
      await locking;
      expect(tx.ledger.settledAtLock([tx.ledger.balance('s2', 'DV3')])).toBeUndefined();
    });
  });

  it('publishes what a devices read after the lock gives, whatever the orders and channels (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            sku: fc.constantFrom(...skus),
            store: fc.constantFrom('s1', 's2'),
            qty: fc.integer({ min: 1, max: 3 }),
            ship: fc.boolean(),
            // Moves the node's device on before the order (a push HubTx does not see).
            bump: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.boolean(),
        async (orders, channel) => {
          // With a configured channel the availability events read the balances written: the rows go with
          // the devices read as before; without, with the feed.
          if (channel) {
            await sql`insert into sales_channels (channel, allow_split, updated_by, updated_at)
              values ('web', 1, 'test', 0) on conflict (channel) do nothing`.execute(world.storage.db);
          } else {
            await sql`delete from sales_channels`.execute(world.storage.db);
          }
          for (const order of orders) {
            if (order.bump > 0) {
              await sql`update devices set last_seq = last_seq + ${order.bump} where node_id = ${order.store}`.execute(
                world.storage.db,
              );
            }
            const placed = await world.place({
              lines: [{ lineId: 'l1', sku: order.sku, qty: order.qty }],
              ...(order.ship
                ? {
                    pickup: undefined,
                    fulfilment: {
                      type: 'ship',
                      shipTo: {
                        name: 'Ada Lovelace',
                        line1: '1 Rue de Rivoli',
                        city: 'Paris',
                        postalCode: '75001',
                        country: 'FR',
                        location: { lat: order.store === 's1' ? 48.85 : 48.95, lon: 2.35 },
                      },
                    },
                  }
                : { pickup: { type: 'store', storeId: order.store } }),
            });
            const nodeId = placed.nodeId!;
            expect(await publishedLevel(nodeId, order.sku)).toEqual(await expectedLevel(nodeId, order.sku));
          }
        },
      ),
      { numRuns: 12 },
    );
    await sql`delete from sales_channels`.execute(world.storage.db);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });
});
