import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateNode } from '../nodes/nodes';
import { backendKinds } from '../test-support/backends';
import { TEST_SETTINGS, createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { placeOrder, readPlacedView } from './intake';

/**
 * A new order's intake answers from the rows its transaction wrote instead of reading them back: the
 * answer must be exactly what reading the order gives once it has committed.
 */
describe.each(backendKinds())('orders/intake answer on %s', (kind) => {
  let world: BopisWorld;

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['ANS1', 'ANS2'] });
    await updateNode(world.hub, 's2', { shipEnabled: true, expectedVersion: 1 });
    await world.stock('s1', 'ANS1', 3);
    await world.stock('s2', 'ANS1', 5);
    await world.stock('s2', 'ANS2', 4);
  });

  afterAll(async () => {
    await world?.dispose();
  });

  async function placedAndRead(overrides: Parameters<BopisWorld['orderBody']>[0]) {
    const body = world.orderBody(overrides);
    const placed = await placeOrder(world.hub, body, `key-${body.orderId}`, 'api-key:test', {
      settings: TEST_SETTINGS,
    });
    expect(placed.replayed).toBe(false);
    return { answered: placed.view, read: await readPlacedView(world.storage.db, body.orderId) };
  }

  it('answers a whole pickup order with two lines as it reads back', async () => {
    const { answered, read } = await placedAndRead({
      lines: [
        { lineId: 'l1', sku: 'ANS1', qty: 1 },
        { lineId: 'l2', sku: 'ANS2', qty: 1 },
      ],
    });
    expect('reservations' in answered && answered.reservations).toHaveLength(2);
    expect(answered).toEqual(read);
  });

  it('answers a ship-to-home order as it reads back', async () => {
    const { pickup: _pickup, ...body } = world.orderBody();
    const { answered, read } = await placedAndRead({
      ...body,
      pickup: undefined,
      lines: [{ lineId: 'l1', sku: 'ANS2', qty: 1 }],
      fulfilment: {
        type: 'ship',
        shipTo: {
          name: 'Ada Lovelace',
          line1: '12 Rue de Rivoli',
          city: 'Paris',
          postalCode: '75001',
          country: 'FR',
          location: { lat: 48.85, lon: 2.35 },
        },
      },
    });
    expect('fulfilment' in answered && answered.fulfilment).toBe('ship');
    expect(answered).toEqual(read);
  });

  it('answers a split order, every shipment included, as it reads back', async () => {
    const { answered, read } = await placedAndRead({
      lines: [{ lineId: 'l1', sku: 'ANS1', qty: 6 }],
      splitConsent: true,
    });
    expect('split' in answered && answered.shipments).toHaveLength(2);
    expect(answered).toEqual(read);
  });
});
