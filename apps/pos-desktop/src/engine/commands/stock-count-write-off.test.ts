import { MAX_STOCK_QTY } from '@retail/domain';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TEST_STAFF,
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

type Who = keyof TestNode['sessions'];
const as = (who: Who = 'cashier') => ({ session: node.sessions[who] });

function count(countedQty: number, who: Who = 'cashier', overrideId?: string, sku = 'APPLE-1') {
  const [level] = expectOk(node.engine.execute('stock-levels', { skus: [sku] }, as())).levels;
  return node.engine.execute(
    'stock-count',
    { sku, expectedQty: level!.sellable, countedQty, ...(overrideId === undefined ? {} : { overrideId }) },
    as(who),
  );
}

function staffId(code: string): string {
  return (
    node.engine.db.prepare('SELECT staff_id AS staffId FROM staff WHERE staff_code = ?').get(code) as {
      staffId: string;
    }
  ).staffId;
}

let hubSeq = 9000;
function hqSets(key: string, value: unknown) {
  node.engine.applyFeed({
    epoch: 'test-epoch',
    changes: [{ hubSeq: (hubSeq += 1), entity: 'config', key, op: 'upsert', data: { key, value } }],
  });
}

describe('stock-count write-off approval', () => {
  it('lets a cashier write off up to the default 50.00 at the shelf price, and asks beyond it', () => {
    node = createTestNode({ stock: { 'APPLE-1': 200, 'MILK-1': 10 } });
    const before = databaseSnapshot(node.engine);
    // 112 apples at 0.45 are 50.40.
    const error = expectError(count(88), 'OVERRIDE_REQUIRED');
    expect(error.message).toBe(
      'This count writes off 112 of APPLE-1 name (APPLE-1), worth €50.40; a cashier may write off up to €50.00 in one count. Ask a supervisor or manager to authorize it.',
    );
    expect(error.details).toEqual({ action: 'stock-count-write-off' });
    expect(databaseSnapshot(node.engine)).toEqual(before);
    // 111 are 49.95; stock found on the shelf never needs anyone.
    expect(expectOk(count(89)).difference).toBe(-111);
    expect(expectOk(count(500)).difference).toBe(411);
    expect(checkedOutbox(node.engine).every((event) => !('override' in (event.payload as object)))).toBe(
      true,
    );
  });

  it('records the count once a supervisor approves it, with the approval on the event and in the audit', () => {
    node = createTestNode({ stock: { 'APPLE-1': 200, 'MILK-1': 10 } });
    const ask = (who: 'cashier2' | 'supervisor') =>
      node.engine.execute(
        'staff-override',
        {
          managerCode: TEST_STAFF[who].staffCode,
          managerPin: TEST_STAFF[who].pin,
          action: 'stock-count-write-off',
          reason: 'Crate dropped in the back',
        },
        as(),
      );
    expect(expectError(ask('cashier2'), 'FORBIDDEN').message).toBe(
      'Casey Cashier is not a supervisor or manager; a supervisor or manager must authorize this.',
    );
    const overrideId = expectOk(ask('supervisor')).overrideId;
    const counted = expectOk(count(0, 'cashier', overrideId));
    expect(counted.difference).toBe(-200);
    const event = checkedOutbox(node.engine).at(-1);
    expect(event?.payload).toMatchObject({
      countedQty: 0,
      override: { managerId: staffId('S1'), reason: 'Crate dropped in the back' },
    });
    const audit = node.engine.db
      .prepare("SELECT override_id AS overrideId FROM audit_log WHERE action = 'stock-count'")
      .get() as { overrideId: string };
    expect(audit.overrideId).toBe(overrideId);
    // Used once only.
    expectOk(
      node.engine.execute(
        'stock-receive',
        { source: { type: 'supplier', reference: 'PO' }, lines: [{ sku: 'APPLE-1', qty: 200 }] },
        as(),
      ),
    );
    expectError(count(0, 'cashier', overrideId), 'OVERRIDE_REQUIRED');
  });

  it('lets a supervisor record such a count without asking anyone', () => {
    node = createTestNode({ stock: { 'APPLE-1': 200, 'MILK-1': 10 } });
    expectOk(count(0, 'supervisor'));
    expect(checkedOutbox(node.engine).at(-1)?.payload).toMatchObject({
      override: { managerId: staffId('S1'), reason: 'shelf count' },
    });
  });

  it('follows the limit HQ sets through the feed, and the default again once HQ removes it', () => {
    node = createTestNode({ stock: { 'APPLE-1': 200, 'MILK-1': 10 } });
    hqSets('pos.stock.countWriteOffApprovalLimit', 100);
    expectError(count(197), 'OVERRIDE_REQUIRED');
    expectOk(count(198));
    node.engine.applyFeed({
      epoch: 'test-epoch',
      changes: [
        {
          hubSeq: (hubSeq += 1),
          entity: 'config',
          key: 'pos.stock.countWriteOffApprovalLimit',
          op: 'delete',
        },
      ],
    });
    expect(node.engine.settings().countWriteOffApprovalLimit).toBe(5_000);
    expectOk(count(100));
  });

  it('asks a supervisor for any write-off of an item the till has no price for', () => {
    node = createTestNode({ stock: { 'APPLE-1': 200, 'MILK-1': 10 } });
    node.engine.applyFeed({
      epoch: 'test-epoch',
      changes: [{ hubSeq: (hubSeq += 1), entity: 'price', key: 'pb-chain:MILK-1', op: 'delete' }],
    });
    expect(expectError(count(9, 'cashier', undefined, 'MILK-1'), 'OVERRIDE_REQUIRED').message).toContain(
      'worth an unknown amount: it has no price here',
    );
  });

  it('refuses a count that would move more than one movement may carry', () => {
    node = createTestNode({ stock: { 'APPLE-1': 200, 'MILK-1': 10 } });
    for (let receipt = 0; receipt < 2; receipt += 1) {
      expectOk(
        node.engine.execute(
          'stock-receive',
          { source: { type: 'supplier', reference: 'PO' }, lines: [{ sku: 'APPLE-1', qty: MAX_STOCK_QTY }] },
          as(),
        ),
      );
    }
    const error = expectError(count(0, 'manager'), 'LIMIT_EXCEEDED');
    expect(error.details).toMatchObject({ difference: -(2 * MAX_STOCK_QTY + 200) });
  });
});
