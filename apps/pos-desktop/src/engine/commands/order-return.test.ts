import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestNode, databaseSnapshot, expectError, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('commands/order-return', () => {
  it('says an online order cannot be looked up or returned while the till cannot reach the hub, writing nothing', async () => {
    node = createTestNode();
    const session = { session: node.sessions.cashier };
    const before = databaseSnapshot(node.engine);
    const lookup = expectError(
      await node.engine.executeAsync('order-return-lookup', { orderNumber: 'W-77' }, session),
      'HUB_UNAVAILABLE',
    );
    expect(lookup.message).toBe(
      'Online orders are returned through the hub, and this till cannot reach it right now. Try again when the till is back online; order W-77 cannot be looked up offline.',
    );
    const create = expectError(
      await node.engine.executeAsync(
        'order-return-create',
        {
          returnId: randomUUID(),
          orderNumber: 'W-77',
          lines: [{ lineId: 'l1', qty: 1, disposition: 'sellable' }],
        },
        session,
      ),
      'HUB_UNAVAILABLE',
    );
    expect(create.message).toMatch(/did not confirm the return of order W-77.*records it once/);
    expect(databaseSnapshot(node.engine)).toEqual(before);
  });

  it('refuses a return without lines or with a quantity of zero before asking anyone', async () => {
    node = createTestNode();
    const session = { session: node.sessions.cashier };
    const empty = expectError(
      await node.engine.executeAsync(
        'order-return-create',
        { returnId: randomUUID(), orderNumber: 'W-77', lines: [] },
        session,
      ),
      'INVALID_INPUT',
    );
    expect(empty.message).toMatch(/Choose at least one line to return/);
    expectError(
      await node.engine.executeAsync(
        'order-return-create',
        {
          returnId: randomUUID(),
          orderNumber: 'W-77',
          lines: [{ lineId: 'l1', qty: 0, disposition: 'sellable' }],
        },
        session,
      ),
      'INVALID_INPUT',
    );
  });
});
