import { afterEach, describe, expect, it } from 'vitest';
import { syncStatus } from '../sync/sync-status';
import { createTestNode, expectOk, type TestNode } from '../testing/test-node';
import type { EventPayloads } from '@retail/sync';
import { acknowledgeOutbox, readOutbox } from './outbox';

let node: TestNode;
afterEach(() => node?.close());

function writeEvents(count: number): void {
  const session = { session: node.sessions.cashier };
  expectOk(node.engine.execute('shift-open', { float: 0 }, session));
  for (let index = 1; index < count; index += 1) {
    expectOk(node.engine.execute('shift-cash-in', { amount: index, reason: 'float top-up' }, session));
  }
}

describe('outbox', () => {
  describe('readOutbox', () => {
    it('pages events in deviceSeq order after a given seq', () => {
      node = createTestNode();
      writeEvents(5);
      expect(readOutbox(node.engine.db, 2, 2).map((event) => event.deviceSeq)).toEqual([3, 4]);
    });
  });

  describe('SqliteOutboxStore.onCommitted', () => {
    it('tells its reader after a command that appended events commits, never inside it or on rollback', () => {
      node = createTestNode();
      const { engine } = node;
      const heard: { inTransaction: boolean; written: number }[] = [];
      const unsubscribe = engine.outbox.onCommitted(() =>
        heard.push({ inTransaction: engine.db.inTransaction, written: readOutbox(engine.db).length }),
      );
      writeEvents(2);
      expect(heard).toEqual([
        { inTransaction: false, written: 1 },
        { inTransaction: false, written: 2 },
      ]);
      // A command that fails writes nothing and wakes nobody.
      const session = { session: node.sessions.cashier };
      expect(engine.execute('shift-cash-in', { amount: -1, reason: 'bad' }, session).ok).toBe(false);
      // Events appended and then rolled back: the reader never hears of them.
      const cashMoved = readOutbox(engine.db).at(-1)!;
      expect(cashMoved.type).toBe('shift.cash_moved');
      expect(() =>
        engine.transact('abandoned', (ctx) => {
          ctx.appendEvent('shift.cash_moved', cashMoved.payload as EventPayloads['shift.cash_moved']);
          throw new Error('abandoned after appending');
        }),
      ).toThrow('abandoned after appending');
      expect(readOutbox(engine.db)).toHaveLength(2);
      expect(heard).toHaveLength(2);
      unsubscribe();
      expectOk(engine.execute('shift-cash-in', { amount: 3, reason: 'float top-up' }, session));
      expect(heard).toHaveLength(2);
    });
  });

  describe('acknowledgeOutbox', () => {
    it('moves the acknowledged seq forward only and shrinks what is pending', () => {
      node = createTestNode();
      writeEvents(4);
      expect(acknowledgeOutbox(node.engine.db, 3)).toBe(3);
      expect(acknowledgeOutbox(node.engine.db, 1)).toBe(3);
      expect(syncStatus(node.engine.db, node.clock.now())).toMatchObject({
        lastAckedSeq: 3,
        pendingEvents: 1,
        lastDeviceSeq: 4,
      });
    });

    it('refuses an ack for events this device never wrote, and a malformed one', () => {
      node = createTestNode();
      writeEvents(2);
      expect(() => acknowledgeOutbox(node.engine.db, 3)).toThrow(
        expect.objectContaining({
          code: 'SEQUENCE_GAP',
          message: expect.stringMatching(/has only written 2/),
        }),
      );
      expect(() => acknowledgeOutbox(node.engine.db, -1)).toThrow(/whole deviceSeq/);
      expect(syncStatus(node.engine.db, node.clock.now()).lastAckedSeq).toBe(0);
    });
  });
});
