import { describe, expect, it } from 'vitest';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

describe.each(backendKinds())('0005-loyalty-ledgers on %s', (kind) => {
  const migration = migrationTest(kind);

  it('keeps customers and accounts, adds their lookup and merge columns, and replaces the unused entry table', async () => {
    const old = await migration.openAt('0004-rejections-and-return-lookup');
    // Rows as the 0004 schema had them (today's table types have the new columns).
    await old.db
      .insertInto('customers')
      .values({ customer_id: 'c1', data: '{"customerId":"c1"}', created_at: 1, updated_at: 1 } as never)
      .execute();
    await old.db
      .insertInto('loyalty_accounts')
      .values({
        account_id: 'a1',
        customer_id: 'c1',
        card_number: 'CARD000001',
        status: 'active',
        created_at: 1,
        updated_at: 1,
      } as never)
      .execute();
    await old.close();

    const storage = await migration.open();
    expect(
      await storage.db
        .selectFrom('customers')
        .select(['customer_id', 'temporary', 'phone', 'merged_into'])
        .execute(),
    ).toEqual([{ customer_id: 'c1', temporary: 0, phone: null, merged_into: null }]);
    expect(
      await storage.db
        .selectFrom('loyalty_accounts')
        .select(['account_id', 'card_number', 'tier_id', 'next_due_at'])
        .execute(),
    ).toEqual([{ account_id: 'a1', card_number: 'CARD000001', tier_id: null, next_due_at: null }]);
    for (const table of [
      'loyalty_entries',
      'stored_value_accounts',
      'stored_value_entries',
      'loyalty_config',
    ] as const)
      expect(await storage.db.selectFrom(table).selectAll().execute(), table).toEqual([]);
    const entry = {
      entry_id: 'earn:s1',
      account_id: 'a1',
      type: 'EARN_PENDING',
      points: 10,
      occurred_at: 1,
      available_at: 2,
      expires_at: null,
      lot_id: null,
      hold_id: null,
      source_doc: 's1',
      caused_by: null,
      origin_node: null,
      device_id: null,
      event_id: null,
      entry: '{}',
      recorded_at: 1,
    };
    await storage.db.insertInto('loyalty_entries').values(entry).execute();
    // Append-only by id: the same entry cannot be written twice, and it must belong to an account.
    await expect(storage.db.insertInto('loyalty_entries').values(entry).execute()).rejects.toThrow();
    await expect(
      storage.db
        .insertInto('loyalty_entries')
        .values({ ...entry, entry_id: 'x', account_id: 'nobody' })
        .execute(),
    ).rejects.toThrow();
  });
});
