import { afterEach, describe, expect, it, vi } from 'vitest';
import { compareHlc, parseHlc } from '@retail/sync';
import type { StoreNotification } from '../shared/notifications';
import { readOutbox } from './outbox/outbox';
import {
  createTestNode,
  expectOk,
  TEST_SKUS,
  TEST_STAFF,
  TEST_START,
  type TestNode,
} from './testing/test-node';

/**
 * A till's wall clock stepped back an hour mid-day (an NTP correction) and forward a day (a till that was
 * a day slow), through the real engine with the clock it reads. What must not follow the wall clock
 * (receipt numbers, device sequence, HLC, a shift's length, an approval's lifetime) does not; what must
 * (the price in force) does, as soon as the clock says so.
 */
let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
  vi.useRealTimers();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function sell(target: TestNode, session: string): { receiptNumber: string; completedAt: string } {
  const as = { session };
  const { saleId } = expectOk(target.engine.execute('sale-start', {}, as));
  const { total } = expectOk(
    target.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as),
  ).totals;
  expectOk(target.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: total } }, as));
  const done = expectOk(target.engine.execute('sale-complete', { saleId }, as));
  return { receiptNumber: done.receiptNumber!, completedAt: done.completedAt! };
}

describe('engine under clock jumps', () => {
  it('keeps receipt numbers, device sequence and HLC increasing, and a shift never closes before it opened', () => {
    node = createTestNode();
    const { clock } = node;
    const cashier = node.sessions.cashier;
    clock.set(TEST_START + 5 * HOUR);
    const shift = expectOk(node.engine.execute('shift-open', { float: 10_000 }, { session: cashier }));
    const receipts = [sell(node, cashier)];
    clock.advance(30 * 60_000);
    receipts.push(sell(node, cashier));

    clock.advance(-HOUR);
    receipts.push(sell(node, cashier));
    const z = expectOk(
      node.engine.execute(
        'shift-close',
        { denominations: [{ value: 10_000, count: 1 }] },
        { session: cashier },
      ),
    );
    expect(Date.parse(z.shift.closedAt!)).toBeGreaterThanOrEqual(Date.parse(shift.openedAt));

    clock.advance(DAY);
    const nextDay = expectOk(
      node.engine.execute('staff-sign-in', {
        staffCode: TEST_STAFF.cashier.staffCode,
        pin: TEST_STAFF.cashier.pin,
      }),
    ).session;
    expectOk(node.engine.execute('shift-open', { float: 10_000 }, { session: nextDay }));
    receipts.push(sell(node, nextDay));

    expect(receipts.map((receipt) => receipt.receiptNumber)).toEqual([
      'S001-3-000001',
      'S001-3-000002',
      'S001-3-000003',
      'S001-3-000004',
    ]);
    // The sale after the step back says when it happened by the corrected clock; it is not moved.
    expect(Date.parse(receipts[2]!.completedAt)).toBeLessThan(Date.parse(receipts[1]!.completedAt));

    const events = readOutbox(node.engine.db);
    expect(events.map((event) => event.deviceSeq)).toEqual(events.map((_, index) => index + 1));
    for (let index = 1; index < events.length; index += 1) {
      expect(compareHlc(parseHlc(events[index - 1]!.hlc), parseHlc(events[index]!.hlc))).toBe(-1);
    }
    const closed = events.find((event) => event.type === 'shift.closed')!;
    expect(Date.parse((closed.payload as { closedAt: string }).closedAt)).toBe(Date.parse(shift.openedAt));

    // A restart after the jumps keeps the HLC ahead of everything it issued.
    const reopened = node.reopen();
    const lastBefore = parseHlc(readOutbox(reopened.db).at(-1)!.hlc);
    clock.advance(-2 * HOUR);
    const afterRestart = expectOk(
      reopened.execute('staff-sign-in', {
        staffCode: TEST_STAFF.cashier.staffCode,
        pin: TEST_STAFF.cashier.pin,
      }),
    ).session;
    sell(node, afterRestart);
    expect(compareHlc(lastBefore, parseHlc(readOutbox(reopened.db).at(-1)!.hlc))).toBe(-1);
  });

  it('refuses a manager approval given after the moment the clock was set back to', () => {
    node = createTestNode();
    const cashier = { session: node.sessions.cashier };
    expectOk(node.engine.execute('shift-open', { float: 50_000 }, cashier));
    const override = expectOk(
      node.engine.execute(
        'staff-override',
        { managerCode: 'M1', managerPin: '1234', action: 'cash-out-over-limit', reason: 'supplier COD' },
        cashier,
      ),
    );
    node.clock.advance(-HOUR);
    const refused = node.engine.execute(
      'shift-cash-out',
      { amount: 20_000, reason: 'supplier COD', overrideId: override.overrideId },
      cashier,
    );
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'OVERRIDE_REQUIRED',
        message: expect.stringMatching(/later time than this till's clock/),
      },
    });
  });

  it('switches to a scheduled price within a minute of the clock being stepped past its start', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    node = createTestNode();
    const current = node;
    const heard: StoreNotification[] = [];
    current.engine.subscribe((notification) => {
      if (notification.name === 'prices-changed') heard.push(notification);
    });
    const cashier = { session: current.sessions.cashier };
    expectOk(current.engine.execute('shift-open', { float: 10_000 }, cashier));
    const { saleId } = expectOk(current.engine.execute('sale-start', {}, cashier));
    expectOk(current.engine.execute('sale-add-line', { saleId, code: TEST_SKUS.apple.barcode }, cashier));
    const startsAt = TEST_START + 6 * HOUR;
    current.engine.applyFeed({
      epoch: 'test-epoch',
      changes: [
        {
          hubSeq: 9001,
          entity: 'price_book',
          key: 'pb-sale',
          op: 'upsert',
          data: {
            priceBookId: 'pb-sale',
            version: 1,
            name: 'Sale from noon',
            currency: 'EUR',
            scope: { type: 'chain' },
            priority: 10,
            taxInclusive: true,
            startsAt,
          },
        },
        {
          hubSeq: 9002,
          entity: 'price',
          key: `pb-sale:${TEST_SKUS.apple.sku}`,
          op: 'upsert',
          data: { priceBookId: 'pb-sale', sku: TEST_SKUS.apple.sku, tiers: [{ minQty: 1, unitPrice: 30 }] },
        },
      ],
    });
    // The till was a day slow: corrected, its clock is past the start while hardly any time has passed.
    current.clock.advance(DAY);
    vi.advanceTimersByTime(60_000);
    expect(heard).toEqual([{ name: 'prices-changed', payload: { at: new Date(startsAt).toISOString() } }]);
    const manager = expectOk(
      current.engine.execute('staff-sign-in', {
        staffCode: TEST_STAFF.manager.staffCode,
        pin: TEST_STAFF.manager.pin,
      }),
    ).session;
    const sale = expectOk(current.engine.execute('sale-get', { saleId }, { session: manager }));
    expect(sale.lines[0]?.unitPrice).toBe(30);
  });
});
