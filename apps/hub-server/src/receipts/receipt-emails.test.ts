import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, PushRequest } from '@retail/sync';
import { createSmtpMailer, type Mailer } from '../integration/mailer';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { runIntegrationPass } from '../integration/integration-runtime';
import { putSetting } from '../settings/hq-settings';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { enrollTestDevice, EventFactory, ISO, saleOf, seedWorld } from '../test-support/fixtures';
import { readMail, startSmtp } from '../test-support/smtp-server';
import { deliverDueReceiptEmails, listReceiptEmails } from './receipt-emails';

const START = Date.UTC(2026, 10, 23, 11);

describe.each(backendKinds())('receipts/receipt-emails on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let clock = START;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: Mailer;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage, () => clock);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
    await putSetting(
      hub,
      'pos.receipt.legalHeader',
      {
        scope: { kind: 'chain' },
        value: {
          companyName: 'Retail Example SAS',
          address: ['1 Rue de la Paix', '75002 Paris'],
          vatNumber: 'FR40303265045',
        },
        expectedVersion: 0,
      },
      'user:hq',
    );
    smtp = await startSmtp();
    mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, from: 'receipts@example.com' });
  });

  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function device(nodeId: string) {
    const enrolled = await enrollTestDevice(hub, nodeId);
    const principal = { deviceId: enrolled.deviceId, storeId: enrolled.storeId };
    const events = new EventFactory(principal);
    const push = (batch: PushRequest['events']) =>
      pushEvents(hub, principal, { ...principal, events: batch });
    const emailRequest = (receiptNumber: string, email = 'ana@example.com'): EventEnvelope =>
      events.next('receipt.email_requested', {
        receiptNumber,
        email,
        staffId: `staff-${nodeId}`,
        requestedAt: ISO,
      });
    return { events, push, emailRequest };
  }

  const deliver = () => runIntegrationPass(hub, { receiptEmails: { mailer }, leaseMs: 60_000 });

  it("e-mails a store's own receipt once, rendered from the hub's record with the legal header", async () => {
    const till = await device('s1');
    const sale = saleOf([{ sku: 'A', qty: 2 }], { staffId: 'staff-s1' });
    const completed = till.events.next('sale.completed', sale);
    const request = till.emailRequest(sale.receiptNumber);
    const result = await till.push([completed, request]);
    expect(result.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    // The same event pushed again (a till that did not see the ack) is not a second e-mail.
    await till.push([request]);

    const before = smtp.received.length;
    const report = await deliver();
    expect(report.receiptEmails).toMatchObject({ attempted: 1, delivered: 1 });
    expect((await deliver()).receiptEmails).toMatchObject({ attempted: 0 });
    expect(smtp.received).toHaveLength(before + 1);
    const mail = smtp.received.at(-1)!;
    expect(mail).toMatchObject({ from: 'receipts@example.com', to: ['ana@example.com'] });
    const { subject, text, html } = await readMail(mail);
    expect(subject).toBe(`Your receipt ${sale.receiptNumber} from Node s1`);
    for (const body of [text, html]) {
      expect(body).toContain(`Receipt ${sale.receiptNumber}`);
      expect(body).toContain('Retail Example SAS');
      expect(body).toContain('FR40303265045');
      expect(body).toContain('2 × $1.00');
      expect(body).toContain('$2.00');
      expect(body).toContain('Cash');
      // Internal ids never reach the customer.
      expect(body).not.toContain(sale.saleId);
      expect(body).not.toContain(sale.tenders[0]!.tenderId);
      expect(body).not.toContain('staff-s1');
    }
    expect(
      await listReceiptEmails(storage.db, { receiptNumber: sale.receiptNumber, limit: 10 }),
    ).toMatchObject([{ receiptNumber: sale.receiptNumber, storeId: 's1', status: 'delivered', attempts: 1 }]);
  });

  it("refuses a store's request for another store's receipt: nothing sent, an exception says why", async () => {
    const storeA = await device('s1');
    const storeB = await device('s2');
    const sale = saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s1' });
    await storeA.push([storeA.events.next('sale.completed', sale)]);
    const before = smtp.received.length;
    const request = storeB.emailRequest(sale.receiptNumber, 'someone@example.com');
    const result = await storeB.push([request]);
    expect(result.results).toMatchObject([{ status: 'rejected' }]);
    await deliver();
    expect(smtp.received.slice(before).filter((mail) => mail.to.includes('someone@example.com'))).toEqual([]);
    expect(await listReceiptEmails(storage.db, { receiptNumber: sale.receiptNumber, limit: 10 })).toEqual([]);
    const exception = await storage.db
      .selectFrom('exceptions')
      .select(['type', 'node_id', 'details'])
      .where('cause_event_ids', 'like', `%${request.eventId}%`)
      .executeTakeFirstOrThrow();
    expect(exception).toMatchObject({ type: 'REJECTED_EVENT', node_id: 's2' });
    expect(exception.details).toContain('not issued by this store');
  });

  it('waits for a sale another till of the store has not synced yet, then sends it', async () => {
    const lane1 = await device('s1');
    const lane2 = await device('s1');
    const sale = saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s1' });
    // Lane 2 looked the receipt up and asked for the e-mail before lane 1 pushed the sale.
    await lane2.push([lane2.emailRequest(sale.receiptNumber, 'late@example.com')]);
    const waiting = await deliver();
    expect(waiting.receiptEmails).toMatchObject({ attempted: 1, retrying: 1 });
    expect(
      await listReceiptEmails(storage.db, { receiptNumber: sale.receiptNumber, limit: 10 }),
    ).toMatchObject([{ status: 'pending', lastError: expect.stringContaining('has not received the sale') }]);
    await lane1.push([lane1.events.next('sale.completed', sale)]);
    clock += 60 * 60_000;
    const before = smtp.received.length;
    expect((await deliver()).receiptEmails).toMatchObject({ attempted: 1, delivered: 1 });
    expect(smtp.received.slice(before).map((mail) => mail.to)).toEqual([['late@example.com']]);
  });

  it("never sends a queued request once the sale turns out to be another store's; HQ gets an exception", async () => {
    const storeA = await device('s1');
    const storeB = await device('s2');
    const sale = saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s1' });
    const request = storeB.emailRequest(sale.receiptNumber, 'nosy@example.com');
    await storeB.push([request]);
    await storeA.push([storeA.events.next('sale.completed', sale)]);
    clock += 60 * 60_000;
    const before = smtp.received.length;
    expect((await deliver()).receiptEmails).toMatchObject({ attempted: 1, failed: 1 });
    expect(smtp.received).toHaveLength(before);
    expect(
      await listReceiptEmails(storage.db, { receiptNumber: sale.receiptNumber, limit: 10 }),
    ).toMatchObject([{ status: 'failed', lastError: expect.stringContaining('issued by another store') }]);
    const exception = await storage.db
      .selectFrom('exceptions')
      .select(['type', 'node_id', 'details'])
      .where('type', '=', 'RECEIPT_EMAIL_FAILED')
      .where('cause_event_ids', 'like', `%${request.eventId}%`)
      .executeTakeFirstOrThrow();
    expect(exception).toMatchObject({ node_id: 's2' });
    expect(exception.details).toContain(sale.receiptNumber);
    expect(exception.details).not.toContain('nosy@example.com');
  });

  it('sends each due receipt e-mail once when two deliverers run at the same time', async () => {
    const till = await device('s1');
    const sales = [1, 2, 3].map(() => saleOf([{ sku: 'A', qty: 1 }], { staffId: 'staff-s1' }));
    await till.push(sales.map((sale) => till.events.next('sale.completed', sale)));
    await till.push(sales.map((sale) => till.emailRequest(sale.receiptNumber, 'twice@example.com')));
    clock += 24 * 60 * 60_000;
    const before = smtp.received.length;
    const [a, b] = await Promise.all([
      deliverDueReceiptEmails(hub, { mailer }),
      deliverDueReceiptEmails(hub, { mailer }),
    ]);
    expect(a.delivered + b.delivered).toBe(3);
    expect(smtp.received.slice(before).filter((mail) => mail.to.includes('twice@example.com'))).toHaveLength(
      3,
    );
  });
});
