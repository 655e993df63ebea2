import type { ApplyOutcome, EventEnvelope, EventPayloads } from '@retail/sync';
import { z } from 'zod';
import type { Mailer } from '../integration/mailer';
import { raiseException } from '../exceptions/exception-queue';
import type { HubContext } from '../hub-context';
import {
  DEFAULT_RETRY_POLICY,
  deliverDue,
  type AttemptOutcome,
  type ClaimedMessage,
  type DeliveryOptions,
  type DeliveryQueue,
  type DeliveryReport,
  type RetryPolicy,
} from '../integration/delivery-engine';
import { leasedQueue, type Leased } from '../integration/leased-queue';
import type { ApplyContext } from '../ingest/apply-context';
import { CONFIG_KEYS } from '@retail/sync';
import { effectiveSetting } from '../settings/hq-settings';
import type { Executor } from '../storage/storage';
import type { ReceiptEmailTable } from '../storage/schema';
import { payloadOf } from '../sync/sale-lookup';
import { legalHeaderOf, renderReceiptEmail } from './receipt-render';

/**
 * Receipt e-mails a till asked for (`receipt.email_requested`). Every input is a claim: the hub sends only
 * a receipt of a sale the asking store made, as the hub recorded it (never what the till says it holds),
 * to an address the event schema validated, once per event id. The request is queued at ingest and sent
 * by the integration runtime through the leased outbox queue over SMTP, retried with backoff; a request
 * whose sale has not reached the hub yet (rung up at another till of the store that has not synced) waits
 * for it through the same retries. What finally fails is an exception HQ sees.
 */

export const RECEIPT_EMAIL_STATUSES = ['pending', 'delivered', 'failed'] as const;

/** Where a sale's receipt number is known: recorded at the hub, or earlier in the push being applied. */
function saleStoreInBatch(ctx: ApplyContext, receiptNumber: string): string | undefined {
  for (const sale of ctx.batchSales.values()) {
    if (sale.sale?.receiptNumber === receiptNumber) return sale.nodeId;
  }
  return undefined;
}

/** Applies `receipt.email_requested`: refuses another store's receipt, else queues the e-mail. */
export async function applyReceiptEmailRequested(
  ctx: ApplyContext,
  event: EventEnvelope,
  request: EventPayloads['receipt.email_requested'],
): Promise<ApplyOutcome> {
  const storeId = ctx.facts.nodeId;
  const recorded = await ctx.tx.trx
    .selectFrom('sales')
    .select('node_id')
    .where('receipt_number', '=', request.receiptNumber)
    .executeTakeFirst();
  const soldAt = recorded?.node_id ?? saleStoreInBatch(ctx, request.receiptNumber);
  if (soldAt !== undefined && soldAt !== storeId) {
    return {
      status: 'rejected',
      reason: `Receipt ${request.receiptNumber} was not issued by this store; a till e-mails only its own store's receipts. Nothing was sent.`,
    };
  }
  await ctx.tx.trx
    .insertInto('receipt_emails')
    .values({
      email_id: event.eventId,
      node_id: storeId,
      device_id: ctx.facts.deviceId,
      receipt_number: request.receiptNumber,
      recipient: request.email,
      requested_at: request.requestedAt,
      status: 'pending',
      attempts: 0,
      next_attempt_at: ctx.tx.at,
      lease_until: null,
      last_error: null,
      last_status_code: null,
      created_at: ctx.tx.at,
      updated_at: ctx.tx.at,
      delivered_at: null,
    })
    .onConflict((conflict) => conflict.column('email_id').doNothing())
    .execute();
  return { status: 'applied' };
}

export interface ReceiptEmailConfig {
  /** Without one, receipt e-mails wait (each attempt records why) until the hub has a mail server. */
  readonly mailer?: Mailer | undefined;
  readonly retry?: Partial<RetryPolicy>;
}

interface ClaimedReceiptEmail extends ClaimedMessage {
  readonly emailId: string;
  readonly nodeId: string;
  readonly receiptNumber: string;
  readonly recipient: string;
}

type Rendered =
  { ok: true; message: ReturnType<typeof renderReceiptEmail> } | { ok: false; outcome: AttemptOutcome };

async function renderFor(hub: HubContext, email: ClaimedReceiptEmail): Promise<Rendered> {
  const sale = await hub.storage.db
    .selectFrom('sales')
    .select(['node_id', 'status', 'event_id'])
    .where('receipt_number', '=', email.receiptNumber)
    .executeTakeFirst();
  const payload = sale === undefined ? undefined : await payloadOf(hub, sale.event_id, 'sale.completed');
  if (sale === undefined || payload === undefined) {
    return {
      ok: false,
      outcome: {
        ok: false,
        status: null,
        error: `The hub has not received the sale of receipt ${email.receiptNumber} yet; the e-mail waits until its till syncs.`,
      },
    };
  }
  if (sale.node_id !== email.nodeId) {
    return {
      ok: false,
      outcome: {
        ok: false,
        status: null,
        final: true,
        error: `Receipt ${email.receiptNumber} was issued by another store; the hub does not send it to this store's customer.`,
      },
    };
  }
  const store = await hub.storage.db
    .selectFrom('nodes')
    .select(['code', 'name', 'timezone'])
    .where('node_id', '=', sale.node_id)
    .executeTakeFirstOrThrow();
  const legal = legalHeaderOf(
    await effectiveSetting(hub.storage.db, sale.node_id, CONFIG_KEYS.receiptLegalHeader),
  );
  return { ok: true, message: renderReceiptEmail(payload, store, legal, sale.status === 'voided') };
}

/** Receipt e-mails as a leased queue of the delivery engine (integration/leased-queue.ts). */
export function receiptEmailQueue(
  hub: HubContext,
  config: ReceiptEmailConfig = {},
): DeliveryQueue<ClaimedReceiptEmail & Leased> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
  return leasedQueue(hub, {
    table: 'receipt_emails',
    idColumn: 'email_id',
    toMessages: (rows) =>
      rows.map((row) => ({
        emailId: row.email_id,
        nodeId: row.node_id,
        receiptNumber: row.receipt_number,
        recipient: row.recipient,
        url: '',
        secret: '',
        body: '',
        headers: {},
        attempts: Number(row.attempts),
        policy,
        timeoutMs: 0,
      })),
    async send(message) {
      const rendered = await renderFor(hub, message);
      if (!rendered.ok) return rendered.outcome;
      if (config.mailer === undefined) {
        return {
          ok: false,
          status: null,
          error:
            'No SMTP server is configured (pos-hub serve --smtp-host); the e-mail waits to be sent again.',
        };
      }
      return config.mailer.send([message.recipient], rendered.message);
    },
    async afterSettle(message, outcome, next) {
      if (next.settlement !== 'dead') return;
      await raiseException(
        hub.storage.db,
        {
          type: 'RECEIPT_EMAIL_FAILED',
          severity: 'warning',
          nodeId: message.nodeId,
          causeEventIds: [message.emailId],
          details: {
            message: `Receipt ${message.receiptNumber} was not e-mailed after ${message.attempts + 1} attempt(s): ${outcome.error ?? 'no reason given'}`,
            receiptNumber: message.receiptNumber,
            attempts: message.attempts + 1,
          },
        },
        next.at,
        hub.newId,
      );
    },
  });
}

/** Sends every receipt e-mail that is due, once each (the integration runtime runs this). */
export function deliverDueReceiptEmails(
  hub: HubContext,
  config: ReceiptEmailConfig = {},
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  return deliverDue(receiptEmailQueue(hub, config), hub.now, options);
}

export const ReceiptEmailViewSchema = z.object({
  receiptNumber: z.string(),
  storeId: z.string(),
  status: z.enum(RECEIPT_EMAIL_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.number().int().nullable(),
  lastError: z.string().nullable(),
  requestedAt: z.string(),
  createdAt: z.number().int(),
  deliveredAt: z.number().int().nullable(),
});
export type ReceiptEmailView = z.infer<typeof ReceiptEmailViewSchema>;

function toView(row: ReceiptEmailTable): ReceiptEmailView {
  return {
    receiptNumber: row.receipt_number,
    storeId: row.node_id,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : null,
    lastError: row.last_error,
    requestedAt: row.requested_at,
    createdAt: Number(row.created_at),
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
  };
}

export const ReceiptEmailFilterSchema = z.object({
  receiptNumber: z.string().trim().min(1).max(60).optional(),
  status: z.enum(RECEIPT_EMAIL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * The delivery state of receipt e-mails, newest first. The address is left out: HQ needs to know whether
 * a receipt went, not whom to.
 */
export async function listReceiptEmails(
  executor: Executor,
  filter: z.infer<typeof ReceiptEmailFilterSchema>,
): Promise<ReceiptEmailView[]> {
  let query = executor.selectFrom('receipt_emails').selectAll();
  if (filter.receiptNumber !== undefined) query = query.where('receipt_number', '=', filter.receiptNumber);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('created_at', 'desc').orderBy('email_id').limit(filter.limit).execute();
  return rows.map(toView);
}
