import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WIDGET,
  backendKinds,
  createSmtpMailer,
  listReceiptEmails,
  readMail,
  runIntegrationPass,
  startSmtp,
  startTestHub,
  until,
  type TestHub,
} from '@retail/hub-server/testing';
import { openTestTill, untilSelling, type TestTill } from '../src/engine/testing/test-till';

/**
 * E-mailing a receipt (issue 14) from a till that is offline: the request waits in the till's outbox, the
 * cashier is told it is queued, and once the till syncs again the hub has it and e-mails the receipt
 * through a real SMTP server.
 */
describe.each(backendKinds())('e-mailing a receipt from an offline till on %s', (kind) => {
  let world: TestHub;
  let till: TestTill;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let mailer: ReturnType<typeof createSmtpMailer>;

  beforeAll(async () => {
    world = await startTestHub({ kind, stores: ['store-a'], items: [WIDGET] });
    smtp = await startSmtp();
    mailer = createSmtpMailer({ host: '127.0.0.1', port: smtp.port, from: 'receipts@example.com' });
    till = await openTestTill(world, { storeId: 'store-a', storeCode: 'SA', dirPrefix: 'receipt-email-' });
    await untilSelling(till, WIDGET.barcode);
  });

  afterAll(async () => {
    await till?.close();
    mailer?.close();
    await smtp?.close();
    await world?.close();
  });

  it('queues the request offline, hands it to the hub after reconnecting, and the customer gets it', async () => {
    await till.engine.sync.stop();
    await till.okAsync('shift-open', { float: 10_000 });
    const sale = await till.okAsync('sale-start', {});
    await till.okAsync('sale-add-line', { saleId: sale.saleId, code: WIDGET.barcode });
    const view = await till.okAsync('sale-get', { saleId: sale.saleId });
    await till.okAsync('sale-add-tender', {
      saleId: sale.saleId,
      tender: { type: 'cash', amount: view.payment.remaining },
    });
    const receiptNumber = (await till.okAsync('sale-complete', { saleId: sale.saleId })).receiptNumber!;

    const request = await till.okAsync('receipt-email', { receiptNumber, email: 'ana@example.com' });
    expect(request).toMatchObject({ receiptNumber, state: 'queued' });
    expect((await till.okAsync('receipt-email-status', { requestId: request.requestId })).state).toBe(
      'queued',
    );
    expect(await listReceiptEmails(world.storage.db, { receiptNumber, limit: 10 })).toEqual([]);

    till.engine.sync.start();
    await until(
      'the hub has the request',
      async () =>
        (await till.okAsync('receipt-email-status', { requestId: request.requestId })).state === 'sent' ||
        undefined,
      60_000,
    );
    await until(
      'the e-mail reached the mail server',
      async () => {
        await runIntegrationPass(world.hub, { receiptEmails: { mailer } });
        return smtp.received.length > 0 || undefined;
      },
      60_000,
    );
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({ from: 'receipts@example.com', to: ['ana@example.com'] });
    const mail = await readMail(smtp.received[0]!);
    expect(mail.subject).toContain(receiptNumber);
    expect(mail.text).toContain('Widget');
    expect(await listReceiptEmails(world.storage.db, { receiptNumber, limit: 10 })).toMatchObject([
      { status: 'delivered', storeId: 'store-a' },
    ]);
  });
});
