import type { Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * Receipt e-mails (issue 14): a till's `receipt.email_requested` event becomes one row here, keyed by the
 * event id so a request pushed twice is sent once. The integration runtime renders the receipt from the
 * hub's record of the sale and sends it over SMTP through the leased outbox queue, with retries; a row
 * whose sale has not reached the hub yet waits for it the same way.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, _kind: BackendKind): Promise<void> {
  const ms = 'bigint';
  await db.schema
    .createTable('receipt_emails')
    // The id of the till event that asked for it.
    .addColumn('email_id', 'text', (c) => c.primaryKey())
    // The store that asked: only its own sales are sent.
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('receipt_number', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ms, (c) => c.notNull())
    .addColumn('lease_until', ms)
    .addColumn('last_error', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addColumn('delivered_at', ms)
    .execute();
  await db.schema
    .createIndex('receipt_emails_due')
    .on('receipt_emails')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('receipt_emails_by_receipt')
    .on('receipt_emails')
    .columns(['receipt_number'])
    .execute();
}
