import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHubContext, type HubContext } from '../hub-context';
import { receiveStock } from '../inventory/stock-operations';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { seedWorld } from '../test-support/fixtures';
import { INTEGRATION_LEASE, startIntegrationRuntime, type IntegrationRuntime } from './integration-runtime';
import { acquireLease } from './lease';

/**
 * A hub process standing by (another holds the integration lease) hears every other process's feed
 * appends: it must not ask for the lease on each of them (a statement per push per process), only on its
 * interval, which is how it takes over once the holder's lease lapses.
 */
describe.each(backendKinds())('the integration runtime of a standby process (%s)', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let runtime: IntegrationRuntime | undefined;

  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    await storage.close();
    await database.dispose();
  });

  /** The hub, with every lease request its runtime sends counted. */
  async function countingHub(): Promise<{ hub: HubContext; leaseRequests: () => number }> {
    database = await createTestDatabase(kind);
    storage = await database.open();
    const real = createHubContext(storage);
    await seedWorld(real, { nodes: ['s1'], skus: ['SKU-1'] });
    let requests = 0;
    const db = new Proxy(storage.db, {
      get(target, property) {
        if (property === 'insertInto') {
          return (table: string) => {
            if (table === 'hub_leases') requests += 1;
            return target.insertInto(table as 'hub_leases');
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const counted = Object.create(storage, { db: { value: db } }) as Storage;
    return { hub: { ...real, storage: counted }, leaseRequests: () => requests };
  }

  async function appendToFeed(hub: HubContext): Promise<void> {
    await receiveStock(
      hub,
      { nodeId: 's1', reference: 'test', lines: [{ sku: 'SKU-1', qty: 1, bucket: 'sellable' }] },
      'test',
    );
  }

  it('does not ask for the lease on feed appends while another process holds it', async () => {
    const { hub, leaseRequests } = await countingHub();
    expect(await acquireLease(storage.db, INTEGRATION_LEASE, 'other-process', 3_600_000, hub.now())).toBe(
      true,
    );
    runtime = startIntegrationRuntime(hub, { intervalMs: 3_600_000 });
    // The first pass (at start) finds the lease taken; runOnce waits for it, then asks once more.
    expect((await runtime.runOnce()).leader).toBe(false);
    const before = leaseRequests();
    await appendToFeed(hub);
    await appendToFeed(hub);
    // A pass a feed append started would be awaited here (and counted) before runOnce's own.
    expect((await runtime.runOnce()).leader).toBe(false);
    expect(leaseRequests() - before).toBe(1);
  });

  it('still runs a pass on each feed append while it holds the lease', async () => {
    const { hub, leaseRequests } = await countingHub();
    runtime = startIntegrationRuntime(hub, { intervalMs: 3_600_000 });
    expect((await runtime.runOnce()).leader).toBe(true);
    const before = leaseRequests();
    await appendToFeed(hub);
    expect((await runtime.runOnce()).leader).toBe(true);
    expect(leaseRequests() - before).toBe(2);
  });

  it('asks again on its interval, and takes over once the lease is free', async () => {
    const { hub, leaseRequests } = await countingHub();
    expect(await acquireLease(storage.db, INTEGRATION_LEASE, 'other-process', 3_600_000, hub.now())).toBe(
      true,
    );
    runtime = startIntegrationRuntime(hub, { intervalMs: 20 });
    expect((await runtime.runOnce()).leader).toBe(false);
    const before = leaseRequests();
    await vi.waitFor(() => expect(leaseRequests()).toBeGreaterThan(before + 1), { timeout: 10_000 });
    await storage.db.deleteFrom('hub_leases').execute();
    await vi.waitFor(
      async () => {
        const holder = await storage.db.selectFrom('hub_leases').select('holder').executeTakeFirst();
        expect(holder?.holder).toBe(storage.instanceId);
      },
      { timeout: 10_000 },
    );
  });
});
