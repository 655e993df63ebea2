import { createHash } from 'node:crypto';
import { DomainError } from '@retail/domain';
import type { HubTx } from '../hub-tx';
import type { Executor } from '../storage/storage';
import type { OrderPaymentTable, PaymentOperationTable } from '../storage/schema';
import type { PaymentIntentView, PaymentProvider } from './payment-provider';
import { PaymentProviderUnavailable } from './stripe-adapter';

/**
 * The order's money follows its goods. At intake the card is authorised (a manual-capture PaymentIntent)
 * before any unit is promised, so a declined card leaves nothing behind. Later decisions — capture what
 * left, cancel a hold nobody will collect, refund what came back — are written as `payment_operations`
 * in the same transaction as the decision and sent by the payment outbox (payment-outbox.ts), so a hub
 * that dies between the decision and the provider call sends it after its restart, with the operation id
 * as the provider's idempotency key: never twice, never lost.
 */

export type PaymentOperationKind = PaymentOperationTable['kind'];

export interface IntakeAuthorisation {
  readonly provider: string;
  readonly intent: PaymentIntentView;
}

/** The idempotency key of an intake's authorisation: the same intake retried gets the same PaymentIntent. */
export function intakeAuthorisationKey(callerKey: string): string {
  return `intake-${createHash('sha256').update(callerKey).digest('hex').slice(0, 48)}`;
}

/**
 * Authorises the order's amount on the customer's card, before the order is written. A decline is a
 * NOT_ALLOWED (409) with `details.reason = 'payment_declined'`; an unreachable provider is HUB_UNAVAILABLE
 * (503, retry with the same Idempotency-Key: the provider answers the same authorisation).
 */
export async function authoriseIntake(
  provider: PaymentProvider,
  input: {
    readonly orderId: string;
    readonly orderNumber: string;
    readonly amount: number;
    readonly currency: string;
    readonly paymentMethod: string;
    readonly callerKey: string;
  },
): Promise<IntakeAuthorisation> {
  let intent: PaymentIntentView;
  try {
    intent = await provider.authorise({
      amount: input.amount,
      currency: input.currency,
      paymentMethod: input.paymentMethod,
      idempotencyKey: intakeAuthorisationKey(input.callerKey),
      metadata: { orderId: input.orderId, orderNumber: input.orderNumber },
    });
  } catch (error) {
    if (error instanceof PaymentProviderUnavailable) {
      throw new DomainError(
        'HUB_UNAVAILABLE',
        'hub.payments.orderNotPlacedPayment',
        { orderNumber: input.orderNumber, message: error.message },
        { orderId: input.orderId, reason: 'payment_unavailable' },
      );
    }
    if (error instanceof DomainError && error.code === 'NOT_ALLOWED') {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.payments.orderNotPlacedAsk',
        { orderNumber: input.orderNumber, message: error.message },
        { orderId: input.orderId, reason: 'payment_declined', ...error.details },
      );
    }
    throw error;
  }
  if (intent.status !== 'requires_capture' || intent.amountCapturable < input.amount) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.payments.orderNotPlacedCard',
      {
        orderNumber: input.orderNumber,
        amount: input.amount,
        currency: input.currency,
        intentId: intent.intentId,
        intentStatus: intent.status,
      },
      { orderId: input.orderId, reason: 'payment_not_authorised', intentId: intent.intentId },
    );
  }
  return { provider: provider.name, intent };
}

export async function recordOrderPayment(
  tx: HubTx,
  orderId: string,
  authorisation: IntakeAuthorisation,
): Promise<void> {
  await tx.trx
    .insertInto('order_payments')
    .values({
      order_id: orderId,
      provider: authorisation.provider,
      intent_id: authorisation.intent.intentId,
      currency: authorisation.intent.currency,
      authorised: authorisation.intent.amountCapturable,
      captured: 0,
      refunded: 0,
      status: 'authorised',
      created_at: tx.at,
      updated_at: tx.at,
    })
    .execute();
}

/** The order holding the payment record: a split part's customer order, else the order itself. */
export async function paymentOrderOf(executor: Executor, orderId: string): Promise<string> {
  const part = await executor
    .selectFrom('customer_order_parts')
    .select('order_id')
    .where('part_order_id', '=', orderId)
    .executeTakeFirst();
  return part?.order_id ?? orderId;
}

export async function readOrderPayment(
  executor: Executor,
  paymentOrderId: string,
): Promise<OrderPaymentTable | undefined> {
  const row = await executor
    .selectFrom('order_payments')
    .selectAll()
    .where('order_id', '=', paymentOrderId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        ...row,
        authorised: Number(row.authorised),
        captured: Number(row.captured),
        refunded: Number(row.refunded),
      };
}

export async function enqueuePaymentOperation(
  tx: HubTx,
  paymentOrderId: string,
  kind: PaymentOperationKind,
  amount: number,
  reason: string,
): Promise<string> {
  const operationId = tx.hub.newId();
  await tx.trx
    .insertInto('payment_operations')
    .values({
      operation_id: operationId,
      order_id: paymentOrderId,
      kind,
      amount,
      reason,
      status: 'pending',
      attempts: 0,
      next_attempt_at: tx.at,
      lease_until: null,
      provider_ref: null,
      last_error: null,
      created_at: tx.at,
      done_at: null,
    })
    .execute();
  return operationId;
}

export interface Settlement {
  readonly action: 'capture' | 'void';
  /** Minor units to charge for this order's goods (0 for a void). */
  readonly amount: number;
  readonly reason: string;
}

/**
 * Records what an order (or one part of a split order) settled, and once every part of the customer
 * order has settled, decides the provider call: capture the sum of what left (a partial capture releases
 * the rest of the hold), or cancel the authorisation when nothing is to be charged. A PaymentIntent is
 * captured once, so the parts wait for each other. Orders placed with an authorisation the hub did not
 * make (no payment record) keep only the timeline instruction.
 */
export async function settleOrderPayment(tx: HubTx, orderId: string, settlement: Settlement): Promise<void> {
  const paymentOrderId = await paymentOrderOf(tx.trx, orderId);
  const payment = await readOrderPayment(tx.trx, paymentOrderId);
  if (payment === undefined) return;
  const decided = await tx.trx
    .selectFrom('payment_operations')
    .select(['operation_id', 'kind', 'amount', 'status'])
    .where('order_id', '=', paymentOrderId)
    .where('kind', 'in', ['capture', 'cancel'])
    .executeTakeFirst();
  if (decided !== undefined) {
    // A physical fact after the money was settled (an offline handover after a cancel): the conflict
    // rule already asks HQ to review; the provider is not called a second time on its own.
    tx.raise({
      type: 'PAYMENT_FAILED',
      severity: 'warning',
      causeEventIds: [],
      details: {
        orderId,
        paymentOrderId,
        intentId: payment.intent_id,
        message: `Order ${orderId} now asks to ${settlement.action} ${settlement.amount} ${payment.currency} (minor units) but its payment was already settled (${decided.kind} of ${Number(decided.amount)}, ${decided.status}). Review the payment ${payment.intent_id} at the provider.`,
      },
    });
    return;
  }
  await tx.trx.deleteFrom('payment_settlements').where('order_id', '=', orderId).execute();
  await tx.trx
    .insertInto('payment_settlements')
    .values({
      order_id: orderId,
      payment_order_id: paymentOrderId,
      action: settlement.action,
      amount: settlement.action === 'capture' ? settlement.amount : 0,
      settled_at: tx.at,
    })
    .execute();
  const parts = await tx.trx
    .selectFrom('customer_order_parts')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('order_id', '=', paymentOrderId)
    .executeTakeFirstOrThrow();
  const expected = Math.max(1, Number(parts.n));
  const settled = await tx.trx
    .selectFrom('payment_settlements')
    .select(['amount'])
    .where('payment_order_id', '=', paymentOrderId)
    .execute();
  if (settled.length < expected) return;
  const total = Math.min(
    payment.authorised,
    settled.reduce((sum, row) => sum + Number(row.amount), 0),
  );
  if (total > 0) {
    await enqueuePaymentOperation(tx, paymentOrderId, 'capture', total, settlement.reason);
  } else {
    await enqueuePaymentOperation(tx, paymentOrderId, 'cancel', 0, settlement.reason);
  }
}

/**
 * What may still be refunded: what is captured or decided to be, less refunds decided. Refunds wait in
 * the outbox behind the capture they refund (operations of one payment are sent in order).
 */
export async function refundableAmount(executor: Executor, paymentOrderId: string): Promise<number> {
  const operations = await executor
    .selectFrom('payment_operations')
    .select(['kind', 'amount', 'status'])
    .where('order_id', '=', paymentOrderId)
    .where('status', '!=', 'failed')
    .execute();
  let total = 0;
  for (const operation of operations) {
    if (operation.kind === 'capture') total += Number(operation.amount);
    if (operation.kind === 'refund') total -= Number(operation.amount);
  }
  return Math.max(0, total);
}

export type RefundDecision =
  | { readonly kind: 'refund'; readonly operationId: string; readonly amount: number }
  /** The money was not taken yet (other parts of a split still open): the capture will be smaller. */
  | { readonly kind: 'capture_reduced'; readonly amount: number }
  /** The order's payment is not held by the hub (an authorisation the shop made): refund it by hand. */
  | { readonly kind: 'manual'; readonly amount: number };

/**
 * Decides a refund of `amount` to the order's original payment, never beyond what was charged. Until the
 * capture is decided (a split part returned while another part is still open) the part's settlement is
 * lowered instead, so the one capture takes less.
 */
export async function refundOrderPayment(
  tx: HubTx,
  orderId: string,
  amount: number,
  reason: string,
): Promise<RefundDecision> {
  const paymentOrderId = await paymentOrderOf(tx.trx, orderId);
  let lockQuery = tx.trx
    .selectFrom('order_payments')
    .select('order_id')
    .where('order_id', '=', paymentOrderId);
  // Two returns of one payment at two stores at once must not both spend the same refundable amount.
  if (tx.hub.storage.kind === 'postgres') lockQuery = lockQuery.forUpdate();
  await lockQuery.execute();
  const payment = await readOrderPayment(tx.trx, paymentOrderId);
  if (payment === undefined || amount <= 0) return { kind: 'manual', amount: Math.max(0, amount) };
  const decided = await tx.trx
    .selectFrom('payment_operations')
    .select('kind')
    .where('order_id', '=', paymentOrderId)
    .where('kind', 'in', ['capture', 'cancel'])
    .where('status', '!=', 'failed')
    .executeTakeFirst();
  if (decided === undefined) {
    const settlement = await tx.trx
      .selectFrom('payment_settlements')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    const settled = settlement === undefined ? 0 : Number(settlement.amount);
    if (amount > settled) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.payments.refundBeyondSettled',
        { orderId, settled, currency: payment.currency, amount },
        { orderId, refundable: settled, amount },
      );
    }
    await tx.trx
      .updateTable('payment_settlements')
      .set({ amount: settled - amount })
      .where('order_id', '=', orderId)
      .execute();
    return { kind: 'capture_reduced', amount };
  }
  const refundable = await refundableAmount(tx.trx, paymentOrderId);
  if (amount > refundable) {
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.payments.refundBeyondRefundable',
      { orderId, refundable, currency: payment.currency, amount },
      { orderId, refundable, amount },
    );
  }
  const operationId = await enqueuePaymentOperation(tx, paymentOrderId, 'refund', amount, reason);
  return { kind: 'refund', operationId, amount };
}
