import { afterEach, describe, expect, it } from 'vitest';
import type { EnrollResponse } from '@retail/sync';
import { readOutbox, SqliteOutboxStore } from '../outbox/outbox';
import { createTestNode, databaseSnapshot, expectError, expectOk, type TestNode } from '../testing/test-node';
import {
  adoptSuccessor,
  holdNumbering,
  numberingHold,
  ownDevices,
  reflectedOwnSeq,
  restoreReport,
  type OwnDevice,
} from './device-succession';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

const NOW = '2026-11-23T12:00:00.000Z';
const SUCCESSOR = '01a2499f-445c-77c8-a16c-f87cd152eeb8';

/** A till that syncs with a hub (a credential in its database) and has written `events` events. */
function enrolledTill(events: number): TestNode {
  const test = createTestNode();
  test.engine.db.prepare("UPDATE sync_state SET hub_url = 'http://hub', device_credential = 'dev_old'").run();
  const cashier = { session: test.sessions.cashier };
  expectOk(test.engine.execute('shift-open', { float: 10_000 }, cashier));
  for (let index = 1; index < events; index += 1) {
    expectOk(test.engine.execute('shift-cash-in', { amount: 100 + index, reason: 'coins' }, cashier));
  }
  return test;
}

function sellOne(test: TestNode): string {
  const cashier = { session: test.sessions.cashier };
  const sale = expectOk(test.engine.execute('sale-start', {}, cashier));
  expectOk(test.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'APPLE-1' }, cashier));
  const view = expectOk(test.engine.execute('sale-get', { saleId: sale.saleId }, cashier));
  expectOk(
    test.engine.execute(
      'sale-add-tender',
      { saleId: sale.saleId, tender: { type: 'card', amount: view.payment.remaining, reference: 'A' } },
      cashier,
    ),
  );
  return expectOk(test.engine.execute('sale-complete', { saleId: sale.saleId }, cashier)).receiptNumber!;
}

function successorAnswer(test: TestNode, keptUpTo: number, hubLastSeq: number): EnrollResponse {
  const { identity } = test.engine;
  return {
    deviceId: SUCCESSOR,
    storeId: identity.storeId,
    storeCode: identity.storeCode,
    deviceNo: 7,
    credential: 'dev_new',
    replaced: {
      deviceId: identity.deviceId,
      deviceNo: identity.deviceNo,
      hubLastSeq,
      keptUpTo,
      exceptionId: 'x-1',
    },
  };
}

describe('engine/sync/device-succession', () => {
  describe('reflectedOwnSeq', () => {
    const devices: OwnDevice[] = [
      { deviceId: 'old', deviceNo: 1, offset: 0, lastLocalSeq: 41 },
      { deviceId: 'new', deviceNo: 2, offset: 41, lastLocalSeq: undefined },
    ];
    it('reads a figure by every device the till has been, in the local numbering', () => {
      expect(reflectedOwnSeq({}, devices)).toBe(0);
      // Computed before the succession: only the old device's events count, up to what the till kept.
      expect(reflectedOwnSeq({ old: 20 }, devices)).toBe(20);
      expect(reflectedOwnSeq({ old: 63 }, devices)).toBe(41);
      // After it: the new device's events sit after the old device's stretch.
      expect(reflectedOwnSeq({ old: 63, new: 0 }, devices)).toBe(41);
      expect(reflectedOwnSeq({ old: 63, new: 5 }, devices)).toBe(46);
      expect(reflectedOwnSeq({ other: 99, old: 63, new: 5 }, devices)).toBe(46);
    });
    it('is the plain deviceSeqs entry for a till that never changed device', () => {
      const one: OwnDevice[] = [{ deviceId: 'only', deviceNo: 1, offset: 0, lastLocalSeq: undefined }];
      expect(reflectedOwnSeq({ only: 12, other: 3 }, one)).toBe(12);
      expect(reflectedOwnSeq({ other: 3 }, one)).toBe(0);
    });
  });

  describe('adoptSuccessor', () => {
    it('sends the events after the kept point as the new device from 1, and numbers receipts from 1', async () => {
      node = enrolledTill(4);
      const { db } = node.engine;
      const before = node.engine.identity;
      const outbox = new SqliteOutboxStore(db);
      await outbox.acknowledge({ lastSeq: 2, rejected: [], at: NOW });
      expect(restoreReport(db)).toMatchObject({
        deviceId: before.deviceId,
        ackedSeq: 2,
        writtenSeq: 4,
        events: [
          { deviceSeq: 3, type: 'shift.cash_moved' },
          { deviceSeq: 4, type: 'shift.cash_moved' },
        ],
      });
      const oldReceipt = sellOne(node);
      expect(oldReceipt).toBe(`${before.storeCode}-${before.deviceNo}-000001`);

      // The hub held events 1-3 of this till (and more it lacks); event 4 and the sale must go again.
      const identity = adoptSuccessor(db, successorAnswer(node, 3, 9), NOW);
      expect(identity).toMatchObject({ deviceId: SUCCESSOR, deviceNo: 7, storeId: before.storeId });
      expect(ownDevices(db).map((device) => [device.deviceId, device.offset, device.lastLocalSeq])).toEqual([
        [before.deviceId, 0, 3],
        [SUCCESSOR, 3, undefined],
      ]);
      const summary = await outbox.summary();
      expect(summary).toMatchObject({ ackedSeq: 0, lastSeq: 2, pending: 2 });
      expect(summary.restoredUpTo).toBeUndefined();
      const pending = await outbox.readPending(10);
      expect(pending.map((event) => [event.deviceId, event.deviceSeq, event.type])).toEqual([
        [SUCCESSOR, 1, 'shift.cash_moved'],
        [SUCCESSOR, 2, 'sale.completed'],
      ]);
      // Reading past a batch in flight counts in the new device's numbering too.
      expect((await outbox.readPending(10, 1)).map((event) => [event.deviceId, event.deviceSeq])).toEqual([
        [SUCCESSOR, 2],
      ]);
      // Acks and rejections of the new device land on the right local events.
      await outbox.acknowledge({
        lastSeq: 1,
        rejected: [{ eventId: pending[0]!.eventId, deviceSeq: 1, reason: 'audited' }],
        at: NOW,
      });
      expect(db.prepare('SELECT last_acked_seq AS acked FROM sync_state').get()).toEqual({ acked: 4 });
      expect((await outbox.summary()).rejected).toMatchObject([{ deviceSeq: 1, reason: 'audited' }]);
      await outbox.rewind(0);
      expect(db.prepare('SELECT last_acked_seq AS acked FROM sync_state').get()).toEqual({ acked: 3 });
      // Locally nothing was renumbered: one numbering, gapless.
      expect(readOutbox(db).map((event) => event.deviceSeq)).toEqual([1, 2, 3, 4, 5]);
      expect(db.prepare('SELECT device_credential AS credential FROM sync_state').get()).toEqual({
        credential: 'dev_new',
      });
      // The next receipt is the new device's first, though the till's own counter goes on.
      node.reopen();
      expect(sellOne(node)).toBe(`${before.storeCode}-7-000001`);
      expect(node.engine.db.prepare('SELECT last_receipt_seq AS seq FROM device_state').get()).toEqual({
        seq: 2,
      });
    });

    it('lets a successor take over a device that kept nothing at the hub, and keeps the mapping', async () => {
      node = enrolledTill(3);
      const { db } = node.engine;
      const first = node.engine.identity;
      const outbox = new SqliteOutboxStore(db);
      await outbox.acknowledge({ lastSeq: 2, rejected: [], at: NOW });
      adoptSuccessor(db, successorAnswer(node, 2, 6), NOW);
      // Device 7 has sent nothing (its event 1 is local seq 3) when it is restored or revoked again.
      const third = '01a2499f-445c-77c8-a16c-f87cd152eeb9';
      const again = successorAnswer(node, 0, 0);
      adoptSuccessor(
        db,
        {
          ...again,
          deviceId: third,
          deviceNo: 8,
          credential: 'dev_third',
          replaced: { ...again.replaced!, deviceId: SUCCESSOR, deviceNo: 7 },
        },
        NOW,
      );
      expect(ownDevices(db).map((device) => [device.deviceId, device.offset, device.lastLocalSeq])).toEqual([
        [first.deviceId, 0, 2],
        [third, 2, undefined],
      ]);
      const pending = await outbox.readPending(10);
      expect(pending.map((event) => [event.deviceId, event.deviceSeq])).toEqual([[third, 1]]);
      expect(db.prepare('SELECT last_acked_seq AS acked FROM sync_state').get()).toEqual({ acked: 2 });
      node.reopen();
      expect(sellOne(node)).toBe(`${first.storeCode}-8-000001`);
    });

    it('writes nothing when the hub names another device or a kept point the till cannot have', () => {
      node = enrolledTill(3);
      const { db } = node.engine;
      const before = databaseSnapshot(node.engine);
      const answer = successorAnswer(node, 2, 5);
      expect(() =>
        adoptSuccessor(db, { ...answer, replaced: { ...answer.replaced!, deviceId: 'someone-else' } }, NOW),
      ).toThrow(/this till is device/);
      expect(() => adoptSuccessor(db, successorAnswer(node!, 9, 12), NOW)).toThrow(/does not fit/);
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });
  });

  describe('numbering hold', () => {
    it('refuses sales and returns while held, and only on a till that syncs with a hub', () => {
      node = createTestNode();
      const { db } = node.engine;
      holdNumbering(db, 0);
      expect(numberingHold(db)).toBeNull();
      db.prepare("UPDATE sync_state SET hub_url = 'http://hub', device_credential = 'dev_old'").run();
      holdNumbering(db, 3);
      holdNumbering(db, 5);
      expect(numberingHold(db)).toBe(3);
      const cashier = { session: node.sessions.cashier };
      expectOk(node.engine.execute('shift-open', { float: 10_000 }, cashier));
      const sale = expectOk(node.engine.execute('sale-start', {}, cashier));
      expectOk(node.engine.execute('sale-add-line', { saleId: sale.saleId, sku: 'APPLE-1' }, cashier));
      expectOk(
        node.engine.execute(
          'sale-add-tender',
          { saleId: sale.saleId, tender: { type: 'card', amount: 45, reference: 'A' } },
          cashier,
        ),
      );
      const before = databaseSnapshot(node.engine);
      const refused = expectError(
        node.engine.execute('sale-complete', { saleId: sale.saleId }, cashier),
        'NOT_ALLOWED',
      );
      expect(refused.message).toMatch(/restored from a backup/);
      expect(databaseSnapshot(node.engine)).toEqual(before);
      expect(expectOk(node.engine.execute('sync-status', {})).numberingHold).toMatch(
        /restored from a backup/,
      );
    });
  });
});
