import { DomainError } from '@retail/domain';
import type { HubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import type { PaymentOperationTable } from '../storage/schema';
import { readOrderPayment } from './order-payments';
import type { PaymentProvider } from './payment-provider';
import { PaymentProviderUnavailable } from './stripe-adapter';

/**
 * Sends the decided payment operations (captures, cancels, refunds) to the provider. Each operation's id
 * is its Idempotency-Key, so an operation sent again — after a timeout, or after the hub died between
 * the provider's answer and recording it — is answered by the provider with its first result instead of
 * charging twice. Operations of one payment go out in the order they were decided (a refund never
 * overtakes the capture it refunds). Several hub processes may run this: an operation is claimed with a
 * lease by a guarded UPDATE, so only one sends it at a time.
 */

export interface PaymentOutboxOptions {
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly batch?: number;
}

export interface PaymentOutboxPass {
  readonly succeeded: number;
  readonly retrying: number;
  readonly failed: number;
}

const DEFAULTS = {
  leaseMs: 60_000,
  maxAttempts: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 30 * 60_000,
  batch: 50,
};

function retryDelay(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/** Pending operations that are due and first in line for their payment. */
async function dueOperations(hub: HubContext, now: number, batch: number): Promise<PaymentOperationTable[]> {
  const pending = await hub.storage.db
    .selectFrom('payment_operations')
    .selectAll()
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('operation_id')
    .limit(batch * 10)
    .execute();
  const firstPerPayment = new Map<string, PaymentOperationTable>();
  for (const row of pending) {
    if (!firstPerPayment.has(row.order_id)) firstPerPayment.set(row.order_id, row);
  }
  return [...firstPerPayment.values()]
    .filter(
      (row) =>
        Number(row.next_attempt_at) <= now && (row.lease_until === null || Number(row.lease_until) <= now),
    )
    .slice(0, batch);
}

async function claim(hub: HubContext, row: PaymentOperationTable, now: number, leaseMs: number) {
  const result = await hub.storage.db
    .updateTable('payment_operations')
    .set({ lease_until: now + leaseMs })
    .where('operation_id', '=', row.operation_id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

async function call(provider: PaymentProvider, operation: PaymentOperationTable, intentId: string) {
  const amount = Number(operation.amount);
  switch (operation.kind) {
    case 'capture': {
      const intent = await provider.capture(intentId, amount, operation.operation_id);
      return { providerRef: intent.intentId, captured: intent.amountReceived };
    }
    case 'cancel': {
      const intent = await provider.cancel(intentId, operation.operation_id);
      return { providerRef: intent.intentId, captured: intent.amountReceived };
    }
    case 'refund': {
      const refund = await provider.refund(intentId, amount, operation.operation_id);
      return { providerRef: refund.refundId, captured: undefined };
    }
  }
}

async function fail(
  hub: HubContext,
  operation: PaymentOperationTable,
  intentId: string | undefined,
  message: string,
): Promise<void> {
  await inHubTransaction(hub, async (tx) => {
    const updated = await tx.trx
      .updateTable('payment_operations')
      .set({
        status: 'failed',
        attempts: operation.attempts + 1,
        last_error: message.slice(0, 1000),
        lease_until: null,
        done_at: tx.at,
      })
      .where('operation_id', '=', operation.operation_id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return;
    tx.raise({
      type: 'PAYMENT_FAILED',
      severity: 'critical',
      causeEventIds: [],
      details: {
        orderId: operation.order_id,
        operationId: operation.operation_id,
        kind: operation.kind,
        amount: Number(operation.amount),
        intentId: intentId ?? null,
        message: `The ${operation.kind} of ${Number(operation.amount)} (minor units) for order ${operation.order_id} did not go through: ${message} Settle it at the payment provider by hand.`,
      },
    });
  });
}

export async function sendDuePaymentOperations(
  hub: HubContext,
  provider: PaymentProvider,
  options: PaymentOutboxOptions = {},
): Promise<PaymentOutboxPass> {
  const settings = { ...DEFAULTS, ...options };
  const pass = { succeeded: 0, retrying: 0, failed: 0 };
  // One operation per payment per round; the next round sends what was queued behind the ones done.
  for (let round = 0; round < settings.batch; round += 1) {
    const done = await sendRound(hub, provider, settings);
    pass.succeeded += done.succeeded;
    pass.retrying += done.retrying;
    pass.failed += done.failed;
    if (done.succeeded === 0) break;
  }
  return pass;
}

async function sendRound(
  hub: HubContext,
  provider: PaymentProvider,
  settings: typeof DEFAULTS,
): Promise<PaymentOutboxPass> {
  const now = hub.now();
  const pass = { succeeded: 0, retrying: 0, failed: 0 };
  for (const operation of await dueOperations(hub, now, settings.batch)) {
    if (!(await claim(hub, operation, now, settings.leaseMs))) continue;
    const payment = await readOrderPayment(hub.storage.db, operation.order_id);
    if (payment === undefined) {
      await fail(hub, operation, undefined, 'the order has no payment record.');
      pass.failed += 1;
      continue;
    }
    let outcome: Awaited<ReturnType<typeof call>>;
    try {
      outcome = await call(provider, operation, payment.intent_id);
    } catch (error) {
      const attempts = operation.attempts + 1;
      if (error instanceof PaymentProviderUnavailable && attempts < settings.maxAttempts) {
        await hub.storage.db
          .updateTable('payment_operations')
          .set({
            attempts,
            next_attempt_at: hub.now() + retryDelay(attempts, settings.baseDelayMs, settings.maxDelayMs),
            lease_until: null,
            last_error: error.message.slice(0, 1000),
          })
          .where('operation_id', '=', operation.operation_id)
          .where('status', '=', 'pending')
          .execute();
        pass.retrying += 1;
        continue;
      }
      if (error instanceof PaymentProviderUnavailable || error instanceof DomainError) {
        await fail(hub, operation, payment.intent_id, error.message);
        pass.failed += 1;
        continue;
      }
      throw error;
    }
    await inHubTransaction(hub, async (tx) => {
      const done = await tx.trx
        .updateTable('payment_operations')
        .set({
          status: 'succeeded',
          attempts: operation.attempts + 1,
          provider_ref: outcome.providerRef,
          lease_until: null,
          last_error: null,
          done_at: tx.at,
        })
        .where('operation_id', '=', operation.operation_id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return;
      const current = await readOrderPayment(tx.trx, operation.order_id);
      if (current === undefined) return;
      await tx.trx
        .updateTable('order_payments')
        .set(
          operation.kind === 'refund'
            ? { refunded: current.refunded + Number(operation.amount), updated_at: tx.at }
            : operation.kind === 'capture'
              ? {
                  captured: outcome.captured ?? Number(operation.amount),
                  status: 'captured',
                  updated_at: tx.at,
                }
              : { status: 'cancelled', updated_at: tx.at },
        )
        .where('order_id', '=', operation.order_id)
        .execute();
    });
    pass.succeeded += 1;
  }
  return pass;
}

export interface PaymentRuntime {
  /** Runs one pass now (tests, and right after a decision). */
  kick(): Promise<PaymentOutboxPass>;
  stop(): Promise<void>;
}

/** `pos-hub serve`: sends due payment operations at least every `intervalMs`. */
export function startPaymentRuntime(
  hub: HubContext,
  provider: PaymentProvider,
  options: PaymentOutboxOptions & {
    readonly intervalMs?: number;
    readonly logger?: { error(object: object, message: string): void };
  } = {},
): PaymentRuntime {
  let running: Promise<PaymentOutboxPass> | undefined;
  const runPass = (): Promise<PaymentOutboxPass> => {
    running ??= sendDuePaymentOperations(hub, provider, options).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runPass().catch((error: unknown) => options.logger?.error({ err: error }, 'payment outbox pass failed'));
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    kick: runPass,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
