import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { adjustStock } from './stock-operations';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';

/**
 * tx.ledger.readBalances (what a push of store events uses): on PostgreSQL the rows are read at once but
 * locked only when the transaction finishes, so another transaction can change them meanwhile. Deltas
 * land on what that one committed; a balance read to decide something makes the transaction run again.
 */
describe.runIf(backendKinds().includes('postgres'))('tx.ledger.readBalances on PostgreSQL', () => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    storage = await database.open({ poolSize: 4 });
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A', 'B'] });
    for (const sku of ['A', 'B']) {
      await adjustStock(
        hub,
        { nodeId: 's1', reason: 'found', lines: [{ sku, bucket: 'sellable', delta: 100 }] },
        't',
      );
    }
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function sellable(sku: string): Promise<number> {
    const row = await storage.db
      .selectFrom('stock_balances')
      .select('sellable')
      .where('node_id', '=', 's1')
      .where('sku', '=', sku)
      .executeTakeFirstOrThrow();
    return Number(row.sellable);
  }

  /** Runs `work` in a hub transaction that has read `sku` and waits, while `meanwhile` commits. */
  async function besideChange(
    sku: string,
    work: (tx: Parameters<Parameters<typeof inHubTransaction>[1]>[0]) => void,
    meanwhile: () => Promise<unknown>,
  ): Promise<number> {
    let attempts = 0;
    let read!: () => void;
    const hasRead = new Promise<void>((resolve) => (read = resolve));
    let go!: () => void;
    const proceed = new Promise<void>((resolve) => (go = resolve));
    const running = inHubTransaction(hub, async (tx) => {
      attempts += 1;
      await tx.ledger.readBalances([{ nodeId: 's1', sku }]);
      work(tx);
      read();
      await proceed;
    });
    await Promise.race([hasRead, running]);
    try {
      // Would wait for the other transaction's row lock (and never end: it waits for this) if it held one.
      await meanwhile();
    } finally {
      go();
      await running;
    }
    return attempts;
  }

  it('holds no row lock until it finishes, and lands its delta on what another transaction committed', async () => {
    const before = await sellable('A');
    const attempts = await besideChange(
      'A',
      (tx) => tx.ledger.applyDelta('s1', 'A', 'sellable', -3),
      () =>
        adjustStock(
          hub,
          { nodeId: 's1', reason: 'found', lines: [{ sku: 'A', bucket: 'sellable', delta: 10 }] },
          't',
        ),
    );
    expect(attempts).toBe(1);
    expect(await sellable('A')).toBe(before + 10 - 3);
  });

  it('runs again when a balance it read to decide something changed meanwhile', async () => {
    const before = await sellable('B');
    const seen: number[] = [];
    const attempts = await besideChange(
      'B',
      (tx) => {
        seen.push(tx.ledger.balance('s1', 'B').sellable);
        tx.ledger.applyDelta('s1', 'B', 'sellable', -1);
      },
      () =>
        adjustStock(
          hub,
          { nodeId: 's1', reason: 'found', lines: [{ sku: 'B', bucket: 'sellable', delta: 5 }] },
          't',
        ),
    );
    expect(attempts).toBe(2);
    expect(seen).toEqual([before, before + 5]);
    expect(await sellable('B')).toBe(before + 5 - 1);
  });
});
