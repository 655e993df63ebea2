import { z } from 'zod';
import type { HubContext } from '../hub-context';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { OrderPaymentTable } from '../storage/schema';
import type { PaymentProvider, ProviderEvent } from './payment-provider';

/**
 * A provider's webhook, untrusted until proven otherwise: the signature is verified on the raw body
 * (the adapter refuses a wrong or stale one), every field read is validated, each event id is applied
 * once (a replay answers `duplicate`), and nothing the provider says may push the record past what
 * the hub authorised: a contradiction becomes a PAYMENT_FAILED exception for HQ instead of a change.
 */

export interface WebhookOutcome {
  readonly eventId: string;
  readonly type: string;
  /** `duplicate`: seen before; `ignored`: not about a payment the hub knows or not an event it reads. */
  readonly result: 'applied' | 'duplicate' | 'ignored' | 'review';
}

const IntentObjectSchema = z.object({
  id: z.string().min(1).max(255),
  amount_received: z.number().int().min(0).default(0),
  status: z.string().max(64),
});

const ChargeObjectSchema = z.object({
  payment_intent: z.string().min(1).max(255),
  amount_refunded: z.number().int().min(0),
});

function review(tx: HubTx, payment: OrderPaymentTable, event: ProviderEvent, message: string): 'review' {
  tx.raise({
    type: 'PAYMENT_FAILED',
    severity: 'warning',
    causeEventIds: [],
    details: {
      orderId: payment.order_id,
      intentId: payment.intent_id,
      providerEventId: event.eventId,
      providerEventType: event.type,
      message: `${message} Check payment ${payment.intent_id} at the provider.`,
    },
  });
  return 'review';
}

async function applyEvent(
  tx: HubTx,
  payment: OrderPaymentTable,
  event: ProviderEvent,
): Promise<WebhookOutcome['result']> {
  const update = (values: Partial<OrderPaymentTable>) =>
    tx.trx
      .updateTable('order_payments')
      .set({ ...values, updated_at: tx.at })
      .where('order_id', '=', payment.order_id)
      .execute();
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = IntentObjectSchema.safeParse(event.object);
      if (!intent.success) return 'ignored';
      if (intent.data.amount_received > payment.authorised) {
        return review(
          tx,
          payment,
          event,
          `The provider reports ${intent.data.amount_received} captured for order ${payment.order_id}, more than the ${payment.authorised} authorised.`,
        );
      }
      await update({ captured: intent.data.amount_received, status: 'captured' });
      return 'applied';
    }
    case 'payment_intent.canceled': {
      if (payment.status === 'captured') {
        return review(
          tx,
          payment,
          event,
          `The provider reports order ${payment.order_id}'s payment cancelled after capture.`,
        );
      }
      const decided = await tx.trx
        .selectFrom('payment_operations')
        .select('operation_id')
        .where('order_id', '=', payment.order_id)
        .where('kind', '=', 'cancel')
        .executeTakeFirst();
      await update({ status: 'cancelled' });
      // An authorisation that lapsed (or was cancelled at the provider) while the order still needs it.
      return decided === undefined
        ? review(
            tx,
            payment,
            event,
            `The card authorisation of order ${payment.order_id} was cancelled at the provider, not by the hub: its goods can no longer be charged.`,
          )
        : 'applied';
    }
    case 'payment_intent.payment_failed': {
      await update({ status: 'failed' });
      return review(
        tx,
        payment,
        event,
        `The provider reports the payment of order ${payment.order_id} failed.`,
      );
    }
    case 'charge.refunded': {
      const charge = ChargeObjectSchema.safeParse(event.object);
      if (!charge.success) return 'ignored';
      if (charge.data.amount_refunded > Math.max(payment.captured, payment.authorised)) {
        return review(
          tx,
          payment,
          event,
          `The provider reports ${charge.data.amount_refunded} refunded for order ${payment.order_id}, more than was charged.`,
        );
      }
      // Refunds made at the provider's dashboard count too; never lower what the hub recorded.
      await update({ refunded: Math.max(payment.refunded, charge.data.amount_refunded) });
      return 'applied';
    }
    default:
      return 'ignored';
  }
}

export async function receivePaymentWebhook(
  hub: HubContext,
  provider: PaymentProvider,
  rawBody: string,
  signature: string | undefined,
): Promise<WebhookOutcome> {
  const event = provider.verifyWebhook(rawBody, signature, hub.now());
  return inHubTransaction(hub, async (tx) => {
    const inserted = await tx.trx
      .insertInto('payment_webhook_events')
      .values({
        event_id: event.eventId.slice(0, 255),
        provider: provider.name,
        type: event.type.slice(0, 255),
        intent_id: event.intentId?.slice(0, 255) ?? null,
        received_at: tx.at,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      return { eventId: event.eventId, type: event.type, result: 'duplicate' as const };
    }
    if (event.intentId === undefined)
      return { eventId: event.eventId, type: event.type, result: 'ignored' as const };
    const row = await tx.trx
      .selectFrom('order_payments')
      .selectAll()
      .where('intent_id', '=', event.intentId)
      .where('provider', '=', provider.name)
      .executeTakeFirst();
    if (row === undefined) return { eventId: event.eventId, type: event.type, result: 'ignored' as const };
    const payment: OrderPaymentTable = {
      ...row,
      authorised: Number(row.authorised),
      captured: Number(row.captured),
      refunded: Number(row.refunded),
    };
    return { eventId: event.eventId, type: event.type, result: await applyEvent(tx, payment, event) };
  });
}
