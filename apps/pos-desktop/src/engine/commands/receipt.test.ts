import { afterEach, describe, expect, it } from 'vitest';
import { readOutbox, SqliteOutboxStore } from '../outbox/outbox';
import { createTestNode, expectError, expectOk, fakeClock, type TestNode } from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const as = (session: keyof TestNode['sessions'] = 'cashier') => ({ session: node.sessions[session] });

function completeSale(): string {
  expectOk(node.engine.execute('shift-open', { float: 10_000 }, as()));
  node.engine.applyFeed({
    epoch: 'test-epoch',
    changes: [
      {
        hubSeq: 900,
        entity: 'promotion',
        key: 'p1',
        op: 'upsert',
        data: {
          promotionId: 'p1',
          version: 1,
          name: 'Apples <10% off>',
          priority: 1,
          stacking: 'stackable',
          scope: { type: 'chain' },
          currency: 'EUR',
          rule: { type: 'percent_off', target: { skus: ['APPLE-1'] }, percent: 10 },
        },
      },
    ],
  });
  const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
  expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 4 }, as()));
  expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'CHEESE-KG', qty: 1250 }, as()));
  expectOk(
    node.engine.execute(
      'sale-add-tender',
      { saleId, tender: { type: 'card', amount: 1000, reference: 'AUTH-5' } },
      as(),
    ),
  );
  expectOk(node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: 5000 } }, as()));
  return expectOk(node.engine.execute('sale-complete', { saleId }, as())).receiptNumber!;
}

describe('receipt commands', () => {
  describe('receipt-print', () => {
    it('builds the sale receipt with lines, promotions, tax, tenders, change and barcode, and marks reprints as copies', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const first = expectOk(node.engine.execute('receipt-print', { receiptNumber }, as()));
      expect(first.printNo).toBe(1);
      expect(first.receipt).toMatchObject({
        kind: 'sale',
        copy: false,
        receiptNumber: 'S001-3-000001',
        store: { code: 'S001', name: 'Paris Bastille' },
        staffName: 'Chris Cashier',
        lines: [
          { sku: 'APPLE-1', qty: 4, unitPrice: 45, amount: 180, adjustments: [{ amount: -18 }] },
          { sku: 'CHEESE-KG', unit: 'kg', qty: 1250, unitPrice: 2490, amount: 3113 },
        ],
        totals: { subtotal: 3293, discount: 18, total: 3275, change: 2725 },
        payments: [
          { type: 'card', amount: 1000, reference: 'AUTH-5' },
          { type: 'cash', tendered: 5000, change: 2725 },
        ],
        promotions: [{ name: 'Apples <10% off>', total: 18 }],
        barcode: { symbology: 'code128', value: 'S001-3-000001' },
      });
      expect(first.html).toContain('<h1>Paris Bastille</h1>');
      expect(first.html).toContain('Apples &lt;10% off&gt;');
      expect(first.html).not.toContain('Apples <10% off>');
      expect(first.html).toContain('1.250 kg × €24.90/kg');
      expect(first.html).toContain('<svg');
      expect(first.html).not.toContain('COPY');
      const again = expectOk(node.engine.execute('receipt-print', { receiptNumber }, as()));
      expect(again).toMatchObject({ printNo: 2, receipt: { copy: true } });
      expect(again.html).toContain('COPY — NOT A PROOF OF PURCHASE');
      const audited = expectOk(
        node.engine.execute('audit-log-list', { action: 'receipt-print' }, as('supervisor')),
      ).entries;
      expect(audited.map((entry) => entry.details)).toEqual([
        { printNo: 2, copy: true, paper: '80mm' },
        { printNo: 1, copy: false, paper: '80mm' },
      ]);
    });

    it('gives the receipt as ESC/POS bytes for a 58 mm printer without a driver, with the drawer kick audited', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const printed = expectOk(
        node.engine.execute(
          'receipt-print',
          { receiptNumber, paper: '58mm', escpos: { drawerKick: { pin: 0 } } },
          as(),
        ),
      );
      expect(printed.html).toContain('@page { size: 58mm auto;');
      const bytes = Buffer.from(printed.escpos!, 'base64');
      expect([...bytes.subarray(0, 2)]).toEqual([0x1b, 0x40]);
      expect(bytes.includes(Buffer.from([0x1b, 0x70, 0, 50, 250]))).toBe(true);
      expect(bytes.includes(Buffer.from('Paris Bastille', 'latin1'))).toBe(true);
      expect(bytes.includes(Buffer.from([0x1d, 0x56, 0x01]))).toBe(true);
      const audited = expectOk(
        node.engine.execute('audit-log-list', { action: 'receipt-print' }, as('supervisor')),
      ).entries;
      expect(audited[0]!.details).toEqual({
        printNo: 1,
        copy: false,
        paper: '58mm',
        format: 'escpos',
        drawerKick: true,
      });
      expectError(
        node.engine.execute(
          'receipt-print',
          { receiptNumber, escpos: { printerModel: 'toaster-9000' } },
          as(),
        ),
        'INVALID_INPUT',
      );
    });

    it('prints returns as refunds against the original receipt', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const lineId = expectOk(node.engine.execute('sale-find', { receiptNumber }, as())).lines[0]!.lineId;
      const returned = expectOk(
        node.engine.execute(
          'return-create',
          { receiptNumber, lines: [{ lineId, qty: 1, disposition: 'damaged' }] },
          as(),
        ),
      );
      const printed = expectOk(
        node.engine.execute('receipt-print', { receiptNumber: returned.receiptNumber }, as()),
      );
      expect(printed.receipt).toMatchObject({
        kind: 'return',
        originalReceiptNumber: receiptNumber,
        lines: [{ sku: 'APPLE-1', qty: 1, note: 'Returned as damaged' }],
      });
      expect(printed.html).toContain('REFUND');
    });
  });

  describe('legal header (issue 14)', () => {
    const legal = {
      companyName: 'Retail Example SAS',
      address: ['12 rue de la Roquette', '75011 Paris'],
      vatNumber: 'FR40123456789',
      extraLines: ['RCS Paris 123 456 789'],
    };

    it('prints the company, address and VAT number HQ set on every receipt, in HTML and ESC/POS', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const before = expectOk(node.engine.execute('receipt-preview', { receiptNumber }, as()));
      expect(before.receipt.legal).toBeNull();
      expect(before.html).not.toContain('VAT FR40123456789');
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          {
            hubSeq: 901,
            entity: 'config',
            key: 'pos.receipt.legalHeader',
            op: 'upsert',
            data: { key: 'pos.receipt.legalHeader', value: legal },
          },
        ],
      });
      const printed = expectOk(node.engine.execute('receipt-print', { receiptNumber, escpos: {} }, as()));
      expect(printed.receipt.legal).toEqual(legal);
      for (const text of ['Retail Example SAS', '12 rue de la Roquette', 'VAT FR40123456789', 'RCS Paris']) {
        expect(printed.html).toContain(text);
        expect(Buffer.from(printed.escpos!, 'base64').includes(Buffer.from(text, 'latin1'))).toBe(true);
      }
    });

    it('never applies a header that fails its schema (a control character would reach the printer)', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      expect(() =>
        node.engine.applyFeed({
          epoch: 'test-epoch',
          changes: [
            {
              hubSeq: 902,
              entity: 'config',
              key: 'pos.receipt.legalHeader',
              op: 'upsert',
              data: { key: 'pos.receipt.legalHeader', value: { ...legal, vatNumber: 'FR\u001bp\u0000' } },
            },
          ],
        }),
      ).toThrow(/no control characters/);
      expect(
        expectOk(node.engine.execute('receipt-preview', { receiptNumber }, as())).receipt.legal,
      ).toBeNull();
    });
  });

  describe('receipt-preview', () => {
    it('shows the receipt without counting a print, and says when the number is unknown', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      expect(expectOk(node.engine.execute('receipt-preview', { receiptNumber }, as())).receipt.copy).toBe(
        false,
      );
      expect(expectOk(node.engine.execute('receipt-print', { receiptNumber }, as())).printNo).toBe(1);
      expectError(
        node.engine.execute('receipt-preview', { receiptNumber: 'S001-3-777777' }, as()),
        'NOT_FOUND',
      );
    });
  });

  describe('receipt-list and lookup of a receipt this node does not hold', () => {
    it("lists this node's receipts newest first, and one day's in the store's time zone", () => {
      // 23:50 in Paris, then 00:10 the next day there while it is still 23 November in UTC.
      node = createTestNode({ clock: fakeClock(Date.UTC(2026, 10, 23, 22, 50, 0)) });
      const first = completeSale();
      node.clock.advance(20 * 60_000);
      const saleId = expectOk(node.engine.execute('sale-start', {}, as())).saleId;
      expectOk(node.engine.execute('sale-add-line', { saleId, sku: 'APPLE-1', qty: 1 }, as()));
      expectOk(
        node.engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: 100 } }, as()),
      );
      const late = expectOk(node.engine.execute('sale-complete', { saleId }, as())).receiptNumber!;
      const recent = expectOk(node.engine.execute('receipt-list', {}, as())).receipts;
      expect(recent.map((row) => row.receiptNumber)).toEqual([late, first]);
      expect(recent[0]).toMatchObject({ kind: 'sale', voided: false, currency: 'EUR' });
      expect(recent[0]!.total).toBeGreaterThan(0);
      const nextDay = expectOk(node.engine.execute('receipt-list', { date: '2026-11-23' }, as())).receipts;
      expect(nextDay.map((row) => row.receiptNumber)).toEqual([first]);
      const parisNextDay = expectOk(
        node.engine.execute('receipt-list', { date: '2026-11-24' }, as()),
      ).receipts;
      expect(parisNextDay.map((row) => row.receiptNumber)).toEqual([late]);
      expectError(node.engine.execute('receipt-list', { date: '23/11/2026' }, as()), 'INVALID_INPUT');
    });

    it('prints a looked-up receipt as a COPY even when its first print was never made', () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const preview = expectOk(node.engine.execute('receipt-preview', { receiptNumber, copy: true }, as()));
      expect(preview.receipt.copy).toBe(true);
      const reprint = expectOk(node.engine.execute('receipt-print', { receiptNumber, copy: true }, as()));
      expect(reprint).toMatchObject({ printNo: 1, receipt: { copy: true } });
      expect(reprint.html).toContain('COPY');
    });

    it('tells the cashier a receipt not made here cannot be shown while the hub is away', async () => {
      node = createTestNode();
      const answer = await node.engine.executeAsync(
        'receipt-print',
        { receiptNumber: 'S002-1-000042' },
        as(),
      );
      expect(answer.ok ? null : answer.error).toMatchObject({
        code: 'NOT_FOUND',
        details: { receiptNumber: 'S002-1-000042', hubUnreachable: true },
      });
      expect(answer.ok ? '' : answer.error.message).toMatch(
        /not made on this till.*Try again when the hub is back/,
      );
    });
  });

  describe('receipt-email', () => {
    it("queues a store sale's receipt for the hub, offline, and says when the hub has the request", async () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const preview = expectOk(node.engine.execute('receipt-preview', { receiptNumber, copy: true }, as()));
      expect(preview.emailTo).toEqual({ suggested: null });
      const queued = expectOk(
        node.engine.execute('receipt-email', { receiptNumber, email: ' ana@example.com ' }, as()),
      );
      expect(queued).toMatchObject({
        receiptNumber,
        email: 'ana@example.com',
        state: 'queued',
        reason: null,
      });
      const event = readOutbox(node.engine.db).find((row) => row.type === 'receipt.email_requested');
      expect(event).toMatchObject({
        eventId: queued.requestId,
        payload: { receiptNumber, email: 'ana@example.com', staffId: expect.any(String) },
      });
      expect(
        expectOk(node.engine.execute('receipt-email-status', { requestId: queued.requestId }, as())).state,
      ).toBe('queued');
      await new SqliteOutboxStore(node.engine.db).acknowledge({
        lastSeq: event!.deviceSeq,
        rejected: [],
        at: new Date().toISOString(),
      });
      expect(
        expectOk(node.engine.execute('receipt-email-status', { requestId: queued.requestId }, as())),
      ).toMatchObject({ state: 'sent', receiptNumber, email: 'ana@example.com' });
    });

    it('shows the reason when the hub refused the request', async () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const queued = expectOk(
        node.engine.execute('receipt-email', { receiptNumber, email: 'ana@example.com' }, as()),
      );
      const event = readOutbox(node.engine.db).find((row) => row.eventId === queued.requestId)!;
      await new SqliteOutboxStore(node.engine.db).acknowledge({
        lastSeq: event.deviceSeq,
        rejected: [
          { eventId: event.eventId, deviceSeq: event.deviceSeq, reason: 'not issued by this store' },
        ],
        at: new Date().toISOString(),
      });
      expect(
        expectOk(node.engine.execute('receipt-email-status', { requestId: queued.requestId }, as())),
      ).toMatchObject({ state: 'rejected', reason: 'not issued by this store' });
    });

    it("refuses an address that is not one, and a receipt that is not this store's sale", () => {
      node = createTestNode();
      const receiptNumber = completeSale();
      const bad = expectError(
        node.engine.execute('receipt-email', { receiptNumber, email: 'ana@example' }, as()),
        'INVALID_INPUT',
      );
      expect(bad.message).toContain('Enter an e-mail address such as name@example.com.');
      const elsewhere = expectError(
        node.engine.execute(
          'receipt-email',
          { receiptNumber: 'S002-1-000042', email: 'ana@example.com' },
          as(),
        ),
        'NOT_FOUND',
      );
      expect(elsewhere.message).toContain('not a sale of this store');
      expect(readOutbox(node.engine.db).filter((row) => row.type === 'receipt.email_requested')).toEqual([]);
    });
  });
});
