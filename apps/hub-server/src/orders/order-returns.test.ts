import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyProjections } from '../inventory/ledger-reads';
import { readInventoryLevel } from '../inventory/stock-levels';
import { readOrderPayment } from '../payments/order-payments';
import { sendDuePaymentOperations } from '../payments/payment-outbox';
import type { PaymentProvider } from '../payments/payment-provider';
import { backendKinds } from '../test-support/backends';
import {
  TEST_SETTINGS,
  addWarehouse,
  collectAtTill,
  createBopisWorld,
  type BopisWorld,
} from '../test-support/bopis-world';
import { fakeStripeProvider, startStripeFake, type StripeFake } from '../test-support/stripe-fake';
import { placeOrder, type OrderIntake } from './intake';
import { recordNodeStep } from './node-steps';
import {
  createRma,
  listOrderReturns,
  receiveRma,
  recordStoreReturn,
  returnableByNumber,
} from './order-returns';

describe.each(backendKinds())('orders/order returns on %s', (kind) => {
  let world: BopisWorld;
  let fake: StripeFake;
  let stripe: PaymentProvider;

  beforeAll(async () => {
    fake = await startStripeFake();
    stripe = fakeStripeProvider(fake);
    world = await createBopisWorld(kind, { skus: ['R1', 'R2'] });
    await world.stock('s1', 'R1', 20);
    await world.stock('s2', 'R2', 20);
    await addWarehouse(world, { R1: 10 });
  });

  afterAll(async () => {
    await world?.dispose();
    await fake?.close();
  });

  function cardBody(overrides: Partial<OrderIntake> = {}): OrderIntake {
    const body = world.orderBody(overrides);
    return {
      ...body,
      payment: { amount: body.payment.amount, currency: 'USD', paymentMethod: 'pm_card_visa' },
    };
  }

  async function placeWithCard(body: OrderIntake) {
    return (
      await placeOrder(world.hub, body, randomUUID(), 'api-key:shop', {
        settings: TEST_SETTINGS,
        payments: stripe,
      })
    ).view;
  }

  const level = (nodeId: string, sku: string) => readInventoryLevel(world.storage.db, nodeId, sku);

  it('takes a collected order back at other stores, refunds the card and never takes back more than was received', async () => {
    const order = await placeWithCard(
      cardBody({
        lines: [{ lineId: 'l1', sku: 'R1', qty: 2, amount: 3000 }],
        payment: { authorisationRef: 'unused', amount: 3000, currency: 'USD' },
      }),
    );
    if ('split' in order) throw new Error('split');
    await collectAtTill(world, order.orderId, 's1');
    await sendDuePaymentOperations(world.hub, stripe);

    expect(await returnableByNumber(world.hub, order.orderNumber)).toMatchObject({
      customerName: 'Ada Lovelace',
      lines: [{ lineId: 'l1', sku: 'R1', delivered: 2, returned: 0, returnable: 2 }],
    });
    const s3Before = await level('s3', 'R1');
    const returnId = randomUUID();
    const [atS3] = await recordStoreReturn(
      world.hub,
      's3',
      {
        returnId,
        orderNumber: order.orderNumber,
        lines: [{ lineId: 'l1', qty: 1, disposition: 'sellable' }],
      },
      'device:till-s3',
    );
    expect(atS3).toMatchObject({
      channel: 'store',
      status: 'received',
      nodeId: 's3',
      refundAmount: 1500,
      refund: 'refund',
    });
    // A retried request records it once.
    const again = await recordStoreReturn(
      world.hub,
      's3',
      {
        returnId,
        orderNumber: order.orderNumber,
        lines: [{ lineId: 'l1', qty: 1, disposition: 'sellable' }],
      },
      'device:till-s3',
    );
    expect(again.map((entry) => entry.returnId)).toEqual([atS3!.returnId]);
    expect((await level('s3', 'R1')).sellable).toBe((s3Before.sellable ?? 0) + 1);

    const [atS2] = await recordStoreReturn(
      world.hub,
      's2',
      {
        returnId: randomUUID(),
        orderNumber: order.orderNumber,
        lines: [{ lineId: 'l1', qty: 1, disposition: 'damaged' }],
      },
      'device:till-s2',
    );
    expect(atS2?.refundAmount).toBe(1500);
    expect(await level('s2', 'R1')).toMatchObject({ damaged: 1 });

    await expect(
      recordStoreReturn(
        world.hub,
        's3',
        { returnId: randomUUID(), orderNumber: order.orderNumber, lines: [{ lineId: 'l1', qty: 1 }] },
        'device:till-s3',
      ),
    ).rejects.toMatchObject({ code: 'RETURN_EXCEEDS_SOLD' });

    await sendDuePaymentOperations(world.hub, stripe);
    const payment = await readOrderPayment(world.storage.db, order.orderId);
    expect(payment).toMatchObject({ captured: 3000, refunded: 3000 });
    const refunds = fake.requests.filter(
      (r) => r.path === '/v1/refunds' && r.params.payment_intent === payment!.intent_id,
    );
    expect(refunds.map((r) => r.params.amount)).toEqual(['1500', '1500']);
    const returns = await listOrderReturns(world.storage.db, order.orderId);
    expect(returns.map((entry) => entry.nodeId).sort()).toEqual(['s2', 's3']);
    expect(await verifyProjections(world.storage.db)).toEqual([]);
  });

  it('authorises an RMA for a shipped order and refunds it when the warehouse receives the parcel', async () => {
    const { pickup: _pickup, ...body } = cardBody({
      lines: [{ lineId: 'l1', sku: 'R1', qty: 3, amount: 2997 }],
      fulfilment: {
        type: 'ship',
        shipTo: {
          name: 'Ada Lovelace',
          line1: '1 Quai',
          city: 'Lyon',
          postalCode: '69001',
          country: 'FR',
          location: { lat: 45.7, lon: 4.8 },
        },
      },
    });
    const order = await placeWithCard({ ...body, payment: { ...body.payment, amount: 2997 } });
    if ('split' in order) throw new Error('split');
    expect(order.nodeId).toBe('wh1');
    const step = (input: Parameters<typeof recordNodeStep>[2]['step']) =>
      recordNodeStep(world.hub, order.orderId, { nodeId: 'wh1', step: input }, 'api-key:wms');
    await step({ action: 'accept' });
    await step({ action: 'start_picking' });
    await step({ action: 'pick', lineId: 'l1', scannedSku: 'R1', qty: 3 });
    await step({ action: 'pack', parcels: [{ parcelId: 'p1', weightGrams: 900 }] });
    await step({ action: 'ship', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' });
    await sendDuePaymentOperations(world.hub, stripe);

    const [rma] = await createRma(
      world.hub,
      order.orderId,
      { lines: [{ lineId: 'l1', qty: 2 }] },
      'rma-key-1',
      'api-key:shop',
    );
    expect(rma).toMatchObject({ channel: 'mail', status: 'authorised', refundAmount: 1998 });
    expect(
      await createRma(
        world.hub,
        order.orderId,
        { lines: [{ lineId: 'l1', qty: 2 }] },
        'rma-key-1',
        'api-key:shop',
      ),
    ).toEqual([rma]);
    // The open RMA counts: only 1 more unit may be returned anywhere.
    await expect(
      createRma(world.hub, order.orderId, { lines: [{ lineId: 'l1', qty: 2 }] }, 'rma-key-2', 'api-key:shop'),
    ).rejects.toMatchObject({ code: 'RETURN_EXCEEDS_SOLD' });
    await expect(
      receiveRma(
        world.hub,
        order.orderId,
        rma!.returnId,
        { nodeId: 's1', lines: [{ lineId: 'l1', qty: 2, disposition: 'sellable' }] },
        'api-key:wms',
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      receiveRma(
        world.hub,
        order.orderId,
        rma!.returnId,
        { nodeId: 'wh1', lines: [{ lineId: 'l1', qty: 3, disposition: 'sellable' }] },
        'api-key:wms',
      ),
    ).rejects.toMatchObject({ code: 'RETURN_EXCEEDS_SOLD' });

    const before = await level('wh1', 'R1');
    const received = await receiveRma(
      world.hub,
      order.orderId,
      rma!.returnId,
      { nodeId: 'wh1', lines: [{ lineId: 'l1', qty: 2, disposition: 'sellable' }] },
      'api-key:wms',
    );
    expect(received).toMatchObject({
      status: 'received',
      nodeId: 'wh1',
      refundAmount: 1998,
      refund: 'refund',
    });
    expect((await level('wh1', 'R1')).sellable).toBe(before.sellable + 2);
    await sendDuePaymentOperations(world.hub, stripe);
    expect(await readOrderPayment(world.storage.db, order.orderId)).toMatchObject({
      captured: 2997,
      refunded: 1998,
    });
    const view = await world.view(order.orderId);
    expect(view.timeline.filter((entry) => entry.kind === 'refund').at(-1)?.message).toMatch(
      /received at wh1/,
    );
  });

  it('returns a split order by its number: a part returned before the other is collected is charged less', async () => {
    const order = await placeWithCard(
      cardBody({
        splitConsent: true,
        lines: [
          { lineId: 'l1', sku: 'R1', qty: 1, amount: 1000 },
          { lineId: 'l2', sku: 'R2', qty: 1, amount: 999 },
        ],
        pickup: { type: 'store', storeId: 's2' },
      }),
    );
    if (!('split' in order)) throw new Error('not split');
    const first = order.shipments.find((part) => part.order.lines.some((line) => line.lineId === 'l1'))!;
    const second = order.shipments.find((part) => part !== first)!;
    await collectAtTill(world, first.orderId, first.nodeId!);
    const [back] = await recordStoreReturn(
      world.hub,
      's3',
      {
        returnId: randomUUID(),
        orderNumber: order.orderNumber,
        lines: [{ lineId: 'l1', qty: 1, disposition: 'sellable' }],
      },
      'device:till-s3',
    );
    expect(back).toMatchObject({ orderId: first.orderId, refund: 'capture_reduced' });
    await collectAtTill(world, second.orderId, second.nodeId!);
    const operations = await world.storage.db
      .selectFrom('payment_operations')
      .select(['kind', 'amount'])
      .where('order_id', '=', order.orderId)
      .execute();
    // Authorised 1999: the returned part's share is not charged.
    const share = first.order.payment.amount;
    expect(operations.map((op) => [op.kind, Number(op.amount)])).toEqual([
      ['capture', 1999 - Math.min(share, 1000)],
    ]);
  });

  it('refuses a return of an order that has not been collected', async () => {
    const order = await placeWithCard(cardBody({ lines: [{ lineId: 'l1', sku: 'R1', qty: 1 }] }));
    await expect(
      recordStoreReturn(
        world.hub,
        's2',
        { returnId: randomUUID(), orderNumber: order.orderNumber, lines: [{ lineId: 'l1', qty: 1 }] },
        'device:till-s2',
      ),
    ).rejects.toMatchObject({ code: 'RETURN_EXCEEDS_SOLD' });
  });
});
