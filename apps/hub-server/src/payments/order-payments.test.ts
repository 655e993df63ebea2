import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { buildApp } from '../api/app';
import { createHubContext } from '../hub-context';
import { inHubTransaction } from '../hub-tx';
import { placeOrder, type OrderIntake } from '../orders/intake';
import { recordNodeStep } from '../orders/node-steps';
import { cancelOrder } from '../orders/order-lifecycle';
import { backendKinds } from '../test-support/backends';
import {
  TEST_SETTINGS,
  addWarehouse,
  collectAtTill,
  createBopisWorld,
  type BopisWorld,
} from '../test-support/bopis-world';
import { fakeStripeProvider, startStripeFake, type StripeFake } from '../test-support/stripe-fake';
import { readOrderPayment, refundOrderPayment } from './order-payments';
import { sendDuePaymentOperations } from './payment-outbox';
import type { PaymentProvider } from './payment-provider';

const shipTo = {
  name: 'Ada Lovelace',
  line1: '12 Rue de Rivoli',
  city: 'Paris',
  postalCode: '75001',
  country: 'FR',
  location: { lat: 45.7, lon: 4.8 },
};

describe.each(backendKinds())('payments/order payments on %s', (kind) => {
  let world: BopisWorld;
  let fake: StripeFake;
  let stripe: PaymentProvider;

  beforeAll(async () => {
    fake = await startStripeFake();
    stripe = fakeStripeProvider(fake);
    world = await createBopisWorld(kind, { skus: ['A', 'B'] });
    await world.stock('s1', 'A', 20);
    await world.stock('s2', 'B', 5);
    await addWarehouse(world, { A: 50, B: 50 });
  });

  afterAll(async () => {
    await world?.dispose();
    await fake?.close();
  });

  function cardBody(overrides: Partial<OrderIntake> = {}, paymentMethod = 'pm_card_visa'): OrderIntake {
    const body = world.orderBody(overrides);
    return {
      ...body,
      payment: { amount: body.payment.amount, currency: body.payment.currency, paymentMethod },
    };
  }

  async function placeWithCard(body: OrderIntake, key = randomUUID()) {
    return placeOrder(world.hub, body, key, 'api-key:shop', { settings: TEST_SETTINGS, payments: stripe });
  }

  async function operations(orderId: string) {
    return world.storage.db
      .selectFrom('payment_operations')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('created_at')
      .execute();
  }

  async function paymentExceptions(orderId: string) {
    const rows = await world.storage.db
      .selectFrom('exceptions')
      .select(['details', 'severity'])
      .where('type', '=', 'PAYMENT_FAILED')
      .execute();
    return rows.filter((row) => row.details.includes(orderId));
  }

  it('authorises the card at intake (manual capture) and records the payment on the order', async () => {
    const { view } = await placeWithCard(cardBody());
    if ('split' in view) throw new Error('not split');
    const payment = await readOrderPayment(world.storage.db, view.orderId);
    expect(payment).toMatchObject({
      provider: 'stripe',
      status: 'authorised',
      authorised: 1999,
      captured: 0,
    });
    expect(view.order.payment.authorisationRef).toBe(payment?.intent_id);
    expect(fake.intent(payment!.intent_id)).toMatchObject({
      capture_method: 'manual',
      status: 'requires_capture',
      amount_capturable: 1999,
      metadata: { orderId: view.orderId },
    });
  });

  it('refuses an order whose card is declined, with a code and nothing promised', async () => {
    const body = cardBody({}, 'pm_card_chargeDeclined');
    const error = await placeWithCard(body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('NOT_ALLOWED');
    expect((error as DomainError).details).toMatchObject({
      reason: 'payment_declined',
      providerCode: 'card_declined',
    });
    expect((error as DomainError).message).toMatch(/declined/);
    const written = await world.storage.db
      .selectFrom('bopis_orders')
      .select('order_id')
      .where('order_id', '=', body.orderId)
      .execute();
    expect(written).toEqual([]);
    const reservations = await world.storage.db
      .selectFrom('reservations')
      .select('reservation_id')
      .where('order_ref', 'like', `bopis:${body.orderId}/%`)
      .execute();
    expect(reservations).toEqual([]);
  });

  it('releases the authorisation of an order no store can take', async () => {
    const body = cardBody({ lines: [{ lineId: 'l1', sku: 'A', qty: 500 }] });
    await expect(placeWithCard(body)).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    const authorise = fake.requests.find(
      (request) =>
        request.path === '/v1/payment_intents' && request.params['metadata[orderId]'] === body.orderId,
    );
    expect(authorise).toBeDefined();
    const intentId = [...fake.requests]
      .reverse()
      .find((request) => /\/cancel$/.test(request.path))
      ?.path.split('/')[3];
    expect(intentId).toBeDefined();
    expect(fake.intent(intentId!)).toMatchObject({ status: 'canceled', metadata: { orderId: body.orderId } });
  });

  it('captures on hand-over at the till, once, through the outbox', async () => {
    const { view } = await placeWithCard(cardBody());
    if ('split' in view) throw new Error('not split');
    expect(await operations(view.orderId)).toEqual([]);
    await collectAtTill(world, view.orderId, 's1');
    const decided = await operations(view.orderId);
    expect(decided.map((op) => [op.kind, Number(op.amount), op.status])).toEqual([
      ['capture', 1999, 'pending'],
    ]);

    expect(await sendDuePaymentOperations(world.hub, stripe)).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await sendDuePaymentOperations(world.hub, stripe)).toMatchObject({ succeeded: 0 });
    const payment = await readOrderPayment(world.storage.db, view.orderId);
    expect(payment).toMatchObject({ status: 'captured', captured: 1999 });
    expect(fake.intent(payment!.intent_id)).toMatchObject({ status: 'succeeded', amount_received: 1999 });
    const captures = fake.requests.filter((request) =>
      request.path.endsWith(`${payment!.intent_id}/capture`),
    );
    expect(captures).toHaveLength(1);
    expect(captures[0]?.idempotencyKey).toBe(decided[0]?.operation_id);
  });

  it('captures only what left on a short shipment from the warehouse', async () => {
    const { pickup: _pickup, ...body } = cardBody({
      lines: [
        { lineId: 'l1', sku: 'A', qty: 2, amount: 3000 },
        { lineId: 'l2', sku: 'B', qty: 1, amount: 1000 },
      ],
      fulfilment: { type: 'ship', shipTo },
    });
    const { view } = await placeWithCard({ ...body, payment: { ...body.payment, amount: 4599 } });
    if ('split' in view) throw new Error('not split');
    expect(view.nodeId).toBe('wh1');
    const step = (input: Parameters<typeof recordNodeStep>[2]['step']) =>
      recordNodeStep(world.hub, view.orderId, { nodeId: 'wh1', step: input }, 'api-key:wms');
    await step({ action: 'accept' });
    await step({ action: 'start_picking' });
    await step({ action: 'pick', lineId: 'l1', scannedSku: 'A', qty: 2 });
    await step({ action: 'short_line', lineId: 'l2', foundQty: 0 });
    await step({ action: 'pack', parcels: [{ parcelId: 'box-1', weightGrams: 1500 }] });
    expect(await operations(view.orderId)).toEqual([]);
    await step({ action: 'ship', carrier: 'DHL', trackingNumber: 'JD0146000031' });
    expect((await operations(view.orderId)).map((op) => [op.kind, Number(op.amount)])).toEqual([
      ['capture', 3599],
    ]);
    await sendDuePaymentOperations(world.hub, stripe);
    const payment = await readOrderPayment(world.storage.db, view.orderId);
    expect(payment).toMatchObject({ status: 'captured', captured: 3599, authorised: 4599 });
    expect(fake.intent(payment!.intent_id)).toMatchObject({ status: 'succeeded', amount_received: 3599 });

    // Refunds go to the original payment, never beyond what was charged.
    await expect(
      inHubTransaction(world.hub, (tx) => refundOrderPayment(tx, view.orderId, 3600, 'return')),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    await inHubTransaction(world.hub, (tx) => refundOrderPayment(tx, view.orderId, 1500, 'return'));
    await sendDuePaymentOperations(world.hub, stripe);
    expect(await readOrderPayment(world.storage.db, view.orderId)).toMatchObject({ refunded: 1500 });
    expect(
      fake.requests.filter((r) => r.path === '/v1/refunds' && r.params.payment_intent === payment!.intent_id),
    ).toHaveLength(1);
  });

  it('cancels the authorisation when the order is cancelled', async () => {
    const { view } = await placeWithCard(cardBody());
    if ('split' in view) throw new Error('not split');
    await cancelOrder(world.hub, view.orderId, {}, { actor: 'api-key:shop', customer: true });
    expect((await operations(view.orderId)).map((op) => op.kind)).toEqual(['cancel']);
    await sendDuePaymentOperations(world.hub, stripe);
    const payment = await readOrderPayment(world.storage.db, view.orderId);
    expect(payment?.status).toBe('cancelled');
    expect(fake.intent(payment!.intent_id)?.status).toBe('canceled');
  });

  it('captures a split order once, for the sum of its parts, when the last part is collected', async () => {
    const { view } = await placeWithCard(
      cardBody({
        splitConsent: true,
        lines: [
          { lineId: 'l1', sku: 'A', qty: 1 },
          { lineId: 'l2', sku: 'B', qty: 1 },
        ],
        pickup: { type: 'store', storeId: 's2' },
      }),
    );
    if (!('split' in view)) throw new Error(`order ${view.orderId} was not split`);
    const [first, second] = view.shipments;
    await collectAtTill(world, first!.orderId, first!.nodeId!);
    expect(await operations(view.orderId)).toEqual([]);
    await collectAtTill(world, second!.orderId, second!.nodeId!);
    expect((await operations(view.orderId)).map((op) => [op.kind, Number(op.amount)])).toEqual([
      ['capture', 1999],
    ]);
    await sendDuePaymentOperations(world.hub, stripe);
    expect(await readOrderPayment(world.storage.db, view.orderId)).toMatchObject({ captured: 1999 });
  });

  it('never captures twice when the hub dies before the provider call or before recording its answer', async () => {
    const first = await placeWithCard(cardBody());
    const second = await placeWithCard(cardBody());
    for (const placed of [first, second]) await collectAtTill(world, placed.view.orderId, 's1');

    // The first hub process dies after its provider call returned, before it could record the answer:
    // the capture happened at the provider, the operation is still pending (leased) at the hub.
    const dying: PaymentProvider = {
      ...stripe,
      async capture(intentId, amount, key) {
        await stripe.capture(intentId, amount, key);
        throw new Error('hub process killed');
      },
    };
    await expect(sendDuePaymentOperations(world.hub, dying, { batch: 1 })).rejects.toThrow(/killed/);
    const [died] = await world.storage.db
      .selectFrom('payment_operations')
      .selectAll()
      .where('order_id', 'in', [first.view.orderId, second.view.orderId])
      .where('status', '=', 'pending')
      .where('lease_until', 'is not', null)
      .execute();
    expect(died).toBeDefined();

    // A new hub process on the same database (its own pool), once the dead one's lease ran out. The second
    // order's capture was decided but never sent at all.
    const restarted = await world.database.open({ poolSize: 2 });
    try {
      const clock = { now: world.clock.now + 61_000 };
      const hub = createHubContext(restarted, () => clock.now);
      expect(await sendDuePaymentOperations(hub, stripe)).toMatchObject({ succeeded: 2, failed: 0 });
    } finally {
      await restarted.close();
    }
    for (const placed of [first, second]) {
      const payment = await readOrderPayment(world.storage.db, placed.view.orderId);
      expect(payment).toMatchObject({ status: 'captured', captured: 1999 });
      expect(fake.intent(payment!.intent_id)).toMatchObject({ status: 'succeeded', amount_received: 1999 });
      const captures = fake.requests.filter((r) => r.path.endsWith(`${payment!.intent_id}/capture`));
      // Sent again after the crash with the same Idempotency-Key: the provider answered its first result.
      expect(new Set(captures.map((r) => r.idempotencyKey)).size).toBe(1);
    }
  });

  it('retries an unreachable provider with backoff, and a refused operation becomes an HQ exception', async () => {
    const { view } = await placeWithCard(cardBody());
    await collectAtTill(world, view.orderId, 's1');
    const closed = await startStripeFake();
    const unreachable = fakeStripeProvider(closed, 2_000);
    await closed.close();
    expect(await sendDuePaymentOperations(world.hub, unreachable)).toMatchObject({ retrying: 1 });
    const [waiting] = await operations(view.orderId);
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(Number(waiting!.next_attempt_at)).toBeGreaterThan(world.clock.now);
    // Not due yet: nothing is sent.
    expect(await sendDuePaymentOperations(world.hub, stripe)).toMatchObject({ succeeded: 0 });

    // Meanwhile the authorisation was cancelled at the provider: the capture is refused for good.
    const payment = await readOrderPayment(world.storage.db, view.orderId);
    await stripe.cancel(payment!.intent_id, `test-cancel-${view.orderId}`);
    await world.advance(5_000);
    expect(await sendDuePaymentOperations(world.hub, stripe)).toMatchObject({ failed: 1 });
    expect((await operations(view.orderId))[0]).toMatchObject({ status: 'failed' });
    const raised = await paymentExceptions(view.orderId);
    expect(raised).toHaveLength(1);
    expect(raised[0]?.severity).toBe('critical');
  });

  it('takes signed Stripe webhooks on the raw body, once each, and refuses unsigned ones', async () => {
    const { view } = await placeWithCard(cardBody());
    const payment = await readOrderPayment(world.storage.db, view.orderId);
    const { app } = await buildApp({ hub: world.hub, payments: { provider: stripe } });
    try {
      const intent = fake.intent(payment!.intent_id)!;
      // Whitespace and key order as sent: the signature covers the bytes, not the parsed JSON.
      const event = fake.signedEvent(
        'payment_intent.canceled',
        { ...intent, status: 'canceled' },
        world.clock.now,
      );
      const send = (body: string, signature?: string) =>
        app.inject({
          method: 'POST',
          url: '/webhooks/payments/stripe',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            ...(signature === undefined ? {} : { 'stripe-signature': signature }),
          },
          payload: body,
        });
      expect((await send(event.body)).statusCode).toBe(401);
      expect((await send(event.body.replace('canceled', 'succeeded'), event.signature)).statusCode).toBe(401);
      const applied = await send(event.body, event.signature);
      expect(applied.statusCode).toBe(200);
      expect(applied.json()).toMatchObject({ ok: true, value: { eventId: event.eventId, result: 'review' } });
      expect(await readOrderPayment(world.storage.db, view.orderId)).toMatchObject({ status: 'cancelled' });
      // Cancelled at the provider, not by the hub: HQ is told.
      expect(await paymentExceptions(view.orderId)).toHaveLength(1);
      const replay = await send(event.body, event.signature);
      expect(replay.json()).toMatchObject({ value: { result: 'duplicate' } });
      expect(await paymentExceptions(view.orderId)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
