import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { redeemDrawerGrant } from '../drawer-grant';
import { readOutbox } from '../outbox/outbox';
import { createTestNode, expectError, expectOk, TEST_START, type TestNode } from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const KEY = randomBytes(32);

function openShift() {
  expectOk(node.engine.execute('shift-open', { float: 10_000 }, { session: node.sessions.cashier }));
}

describe('drawer commands', () => {
  describe('drawer-open', () => {
    it('grants one opening for a cash sale and audits who opened it, where and why', () => {
      node = createTestNode({ drawerKey: KEY });
      openShift();
      const outboxBefore = readOutbox(node.engine.db).length;
      const opening = expectOk(
        node.engine.execute(
          'drawer-open',
          { reason: 'sale', reference: 'sale-123' },
          { session: node.sessions.cashier },
        ),
      );
      expect(opening.grant).not.toBeNull();
      expect(redeemDrawerGrant(KEY, opening.grant, TEST_START, new Map())).toEqual({
        ok: true,
        openingId: opening.openingId,
      });
      const { entries } = expectOk(
        node.engine.execute('audit-log-list', { action: 'drawer-open' }, { session: node.sessions.manager }),
      );
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        action: 'drawer-open',
        subject: 'sale-123',
        details: { openingId: opening.openingId, registerId: 'main', reason: 'sale', granted: true },
      });
      expect(entries[0]?.staffId).toBeTruthy();
      // HQ's audit trail gets the opening too (who, which register, why, for what).
      const sent = readOutbox(node.engine.db).slice(outboxBefore);
      expect(sent.map((event) => [event.type, event.payload])).toEqual([
        [
          'drawer.opened',
          expect.objectContaining({
            openingId: opening.openingId,
            registerId: 'main',
            reason: 'sale',
            reference: 'sale-123',
            staffId: entries[0]?.staffId,
          }),
        ],
      ]);
    });

    it('needs a signed-in staff member and an open shift on the register', () => {
      node = createTestNode({ drawerKey: KEY });
      expectError(node.engine.execute('drawer-open', { reason: 'sale' }), 'UNAUTHORIZED');
      expectError(
        node.engine.execute('drawer-open', { reason: 'sale' }, { session: node.sessions.cashier }),
        'SHIFT_NOT_OPEN',
      );
    });

    it('lets only a supervisor or manager open it without a sale', () => {
      node = createTestNode({ drawerKey: KEY });
      openShift();
      const refused = expectError(
        node.engine.execute('drawer-open', { reason: 'no-sale' }, { session: node.sessions.cashier }),
        'FORBIDDEN',
      );
      expect(refused.message).toBe(
        'Only a supervisor or a manager can open the cash drawer without a sale or refund.',
      );
      expectOk(
        node.engine.execute('drawer-open', { reason: 'no-sale' }, { session: node.sessions.supervisor }),
      );
      const { entries } = expectOk(
        node.engine.execute('audit-log-list', { action: 'drawer-open' }, { session: node.sessions.manager }),
      );
      expect(entries.map((entry) => entry.details.reason)).toEqual(['no-sale']);
    });

    it('audits but grants nothing on a node without a drawer key (headless, no drawer)', () => {
      node = createTestNode();
      openShift();
      const opening = expectOk(
        node.engine.execute('drawer-open', { reason: 'refund' }, { session: node.sessions.cashier }),
      );
      expect(opening.grant).toBeNull();
    });
  });
});
