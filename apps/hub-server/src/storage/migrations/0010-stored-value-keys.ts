import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  STORED_VALUE_KEY_NAME,
  aliasKeyWith,
  newStoredValueAccountId,
  numberKeyOfDigest,
} from '../../loyalty/stored-value-keys';
import type { BackendKind } from '../backend-kind';

/**
 * Gift card and store credit numbers could be rebuilt from their account ids (`sv-` and the start of the
 * number's unsalted SHA-256) and the masked digits. This migration makes the hub's stored-value key, moves
 * every account to a random id and its lookup column to the HMAC of the old digest under that key
 * (`number_hash` keeps its name), and rewrites the old ids wherever the hub kept them: the ledger entries,
 * frozen credit, the event log, exceptions and the integration log. Each old id stays findable only as an
 * HMAC alias, for tills whose events still name it. Cards also get an optional PIN with its failure count.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const key = randomBytes(32);
  await db
    .insertInto('hub_meta')
    .values({ key: STORED_VALUE_KEY_NAME, value: key.toString('base64') })
    .execute();
  await db.schema.alterTable('stored_value_accounts').addColumn('pin_hash', 'text').execute();
  await db.schema
    .alterTable('stored_value_accounts')
    .addColumn('pin_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('stored_value_accounts').addColumn('pin_locked_until', 'bigint').execute();
  await db.schema
    .createTable('stored_value_aliases')
    .addColumn('alias_key', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .execute();

  const accounts = (await db.selectFrom('stored_value_accounts').selectAll().execute()) as Record<
    string,
    unknown
  >[];
  const renamed = new Map<string, string>();
  for (const account of accounts) {
    const oldId = String(account.account_id);
    const newId = newStoredValueAccountId();
    renamed.set(oldId, newId);
    // A new row first: the entries reference the account, so the old row goes only once they moved.
    await db
      .insertInto('stored_value_accounts')
      .values({
        ...account,
        account_id: newId,
        number_hash: numberKeyOfDigest(key, String(account.number_hash)),
      })
      .execute();
    const entries = (await db
      .selectFrom('stored_value_entries')
      .select(['entry_id', 'entry'])
      .where('account_id', '=', oldId)
      .execute()) as { entry_id: string; entry: string }[];
    for (const entry of entries) {
      await db
        .updateTable('stored_value_entries')
        .set({ account_id: newId, entry: JSON.stringify({ ...JSON.parse(entry.entry), accountId: newId }) })
        .where('entry_id', '=', entry.entry_id)
        .execute();
    }
    await db.updateTable('held_credits').set({ account_id: newId }).where('account_id', '=', oldId).execute();
    await db.deleteFrom('stored_value_accounts').where('account_id', '=', oldId).execute();
    await db
      .insertInto('stored_value_aliases')
      .values({ alias_key: aliasKeyWith(key, oldId), account_id: newId })
      .execute();
  }
  if (renamed.size === 0) return;

  const rewrite = (text: string) => text.replace(/sv-[0-9a-f]{32}/g, (id) => renamed.get(id) ?? id);
  const scrub = async (table: string, idColumn: string, textColumn: string) => {
    const rows = (await db
      .selectFrom(table)
      .select([idColumn, textColumn])
      .where(textColumn, 'like', '%sv-%')
      .execute()) as Record<string, string>[];
    for (const row of rows) {
      const before = String(row[textColumn]);
      const after = rewrite(before);
      if (after !== before) {
        await db
          .updateTable(table)
          .set({ [textColumn]: after })
          .where(idColumn, '=', row[idColumn])
          .execute();
      }
    }
  };
  await scrub('ingested_events', 'event_id', 'envelope');
  await scrub('exceptions', 'exception_id', 'details');
  await scrub('integration_events', 'event_id', 'data');
}
