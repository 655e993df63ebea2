import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHubContext } from '../../hub-context';
import { inHubTransaction } from '../../hub-tx';
import { lockStoredValueAccount } from '../../loyalty/ledger-store';
import { saveStoredValueSettings } from '../../loyalty/loyalty-config';
import { storedValueByNumber } from '../../loyalty/loyalty-service';
import { backendKinds } from '../../test-support/backends';
import { migrationTest } from '../../test-support/migration-test';

const NUMBER = 'SC-0190F3A0-7B1C';
const DIGEST = createHash('sha256').update('SC0190F3A07B1C', 'utf8').digest('hex');
const OLD_ID = `sv-${DIGEST.slice(0, 32)}`;

describe.each(backendKinds())('0010-stored-value-keys on %s', (kind) => {
  const migration = migrationTest(kind);

  it('moves every card to a random id found by HMAC, rewrites the old id everywhere, keeps an alias', async () => {
    const old = await migration.openAt('0009-webhook-subscriptions');
    await old.db
      .insertInto('stored_value_accounts')
      .values({
        account_id: OLD_ID,
        kind: 'store_credit',
        currency: 'USD',
        customer_id: null,
        masked_number: '****7B1C',
        number_hash: DIGEST,
        status: 'active',
        issued_at: 1,
        issued_at_node: 's1',
        next_due_at: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    const entry = {
      entryId: 'issue:t-1',
      accountId: OLD_ID,
      type: 'ISSUE',
      amount: { amount: 1_500, currency: 'USD' },
      occurredAt: 1,
      sourceDoc: 'r-1',
    };
    await old.db
      .insertInto('stored_value_entries')
      .values({
        entry_id: entry.entryId,
        account_id: OLD_ID,
        type: 'ISSUE',
        amount: 1_500,
        currency: 'USD',
        occurred_at: 1,
        hold_id: null,
        expires_at: null,
        source_doc: 'r-1',
        caused_by: null,
        origin_node: 's1',
        device_id: 'd1',
        event_id: 'e-1',
        entry: JSON.stringify(entry),
        recorded_at: 1,
      })
      .execute();
    const envelope = JSON.stringify({ payload: { tenders: [{ type: 'store_credit', reference: OLD_ID }] } });
    await old.db
      .insertInto('ingested_events')
      .values({
        event_id: 'e-2',
        device_id: 'd1',
        device_seq: 2,
        node_id: 's1',
        type: 'sale.completed',
        schema_version: 1,
        status: 'applied',
        envelope,
        received_at: 1,
      })
      .execute();
    await old.db
      .insertInto('exceptions')
      .values({
        exception_id: 'x-1',
        type: 'STORED_VALUE_OVERDRAFT',
        severity: 'warning',
        node_id: 's1',
        sku: null,
        condition_key: null,
        cause_event_ids: '["e-2"]',
        details: JSON.stringify({ accountId: OLD_ID }),
        status: 'open',
        occurrences: 1,
        resolution_note: null,
        resolved_by: null,
        resolved_at: null,
        created_at: 1,
        updated_at: 1,
      })
      .execute();
    await old.close();

    const storage = await migration.open();
    const hub = createHubContext(storage);
    const [account] = await storage.db.selectFrom('stored_value_accounts').selectAll().execute();
    expect(account!.account_id).toMatch(/^sv-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(account!.number_hash).not.toBe(DIGEST);
    const newId = account!.account_id;

    await saveStoredValueSettings(
      storage.db,
      {
        currency: 'USD',
        holdTtlMs: 60_000,
        offline: {
          maxSnapshotAgeMs: 1,
          perTransactionCap: { amount: 0, currency: 'USD' },
          perDeviceDayCap: { amount: 0, currency: 'USD' },
        },
      },
      'test',
      1,
    );
    const found = await storedValueByNumber(hub, { number: NUMBER });
    expect(found).toMatchObject({
      account: { accountId: newId },
      snapshot: { available: { amount: 1_500 } },
    });
    // A till's event written before the upgrade still reaches the account by its old id.
    const locked = await inHubTransaction(hub, (tx) => lockStoredValueAccount(tx, OLD_ID));
    expect(locked?.account.accountId).toBe(newId);
    expect(locked?.entries).toEqual([{ ...entry, accountId: newId }]);

    const everywhere = [
      ...(await storage.db.selectFrom('stored_value_entries').select('entry').execute()).map((r) => r.entry),
      ...(await storage.db.selectFrom('ingested_events').select('envelope').execute()).map((r) => r.envelope),
      ...(await storage.db.selectFrom('exceptions').select('details').execute()).map((r) => r.details),
      ...(await storage.db.selectFrom('stored_value_aliases').selectAll().execute()).map((r) =>
        JSON.stringify(r),
      ),
    ].join('\n');
    expect(everywhere).not.toContain(OLD_ID);
    expect(everywhere).not.toContain(DIGEST);
    expect(everywhere).toContain(newId);
  });
});
