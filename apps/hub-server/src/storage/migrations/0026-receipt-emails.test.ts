import { afterEach, describe, expect, it } from 'vitest';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import type { Storage } from '../storage';

describe.each(backendKinds())('0026-receipt-emails on %s', (kind) => {
  let database: TestDatabase | undefined;
  let storage: Storage | undefined;
  afterEach(async () => {
    await storage?.close();
    await database?.dispose();
    storage = undefined;
    database = undefined;
  });

  it('keeps the sales recorded before it and queues receipt e-mails after it', async () => {
    database = await createTestDatabase(kind);
    const old = await database.open({ migrateUpTo: '0025-catalog-item-versions' });
    await old.db
      .insertInto('sales')
      .values({
        sale_id: 'sale-1',
        node_id: 's1',
        device_id: 'd1',
        receipt_number: 'S1-1-1',
        customer_id: null,
        currency: 'EUR',
        total: 250,
        status: 'completed',
        completed_at: '2026-11-23T10:00:00.000Z',
        event_id: 'e1',
      })
      .execute();
    await old.close();
    storage = await database.open();
    expect(await storage.db.selectFrom('sales').select('receipt_number').execute()).toEqual([
      { receipt_number: 'S1-1-1' },
    ]);
    const row = {
      email_id: 'e2',
      node_id: 's1',
      device_id: 'd1',
      receipt_number: 'S1-1-1',
      recipient: 'ana@example.com',
      requested_at: '2026-11-23T10:05:00.000Z',
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: 5,
      lease_until: null,
      last_error: null,
      last_status_code: null,
      created_at: 5,
      updated_at: 5,
      delivered_at: null,
    };
    await storage.db.insertInto('receipt_emails').values(row).execute();
    // The request's event id is the key: the same request twice is one e-mail.
    await expect(storage.db.insertInto('receipt_emails').values(row).execute()).rejects.toThrow();
    expect(
      await storage.db
        .selectFrom('receipt_emails')
        .select(['receipt_number', 'status'])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', 5)
        .execute(),
    ).toEqual([{ receipt_number: 'S1-1-1', status: 'pending' }]);
  });
});
