import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { applyBopisTransition, type BopisOrderState } from './lifecycle';
import { HOUR, HUB, PLACED_AT, expectApplied, on, placed, run, store } from './bopis.fixtures';

const shipTo = {
  name: 'Zoë Müller',
  line1: '1 High Street',
  city: 'Leeds',
  postalCode: 'LS1 1AA',
  country: 'GB',
  location: { lat: 53.8, lon: -1.55 },
};

function shipOrder(amounts = true): BopisOrderState {
  return placed({
    pickup: { type: 'location', location: shipTo.location },
    fulfilment: { type: 'ship', shipTo },
    lines: [
      { lineId: 'l1', sku: 'SKU-A', qty: 2, ...(amounts ? { amount: 3000 } : {}) },
      { lineId: 'l2', sku: 'SKU-B', qty: 1, ...(amounts ? { amount: 1000 } : {}) },
    ],
    payment: { authorisationRef: 'pi_1', amount: 4599, currency: 'EUR' },
  });
}

function picking(state = shipOrder(), nodeId = 'wh1'): BopisOrderState {
  return run(state, [
    { actor: HUB, body: { action: 'route', nodeId } },
    { actor: store(nodeId), body: { action: 'accept' } },
    { actor: store(nodeId), body: { action: 'start_picking' } },
    { actor: store(nodeId), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 2 } },
  ]);
}

const parcels = [{ parcelId: 'p1', weightGrams: 1200 }];

describe('bopis lifecycle', () => {
  describe('ship-to-home', () => {
    it('packs a fully picked order: units staged, reservation STAGED, parcels recorded', () => {
      const ready = run(picking(), [
        { actor: store('wh1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
      ]);
      const packed = expectApplied(
        applyBopisTransition(ready, on(ready, store('wh1'), { action: 'pack', parcels })),
      );
      expect(packed.state.status).toBe('PACKED');
      expect(packed.state.reservation).toEqual({ nodeId: 'wh1', status: 'STAGED' });
      expect(packed.state.shipment?.captureAmount).toBe(4599);
      expect(packed.effects.storeMovements).toEqual(
        expect.arrayContaining([
          { nodeId: 'wh1', lineId: 'l1', sku: 'SKU-A', type: 'PICK', bucket: 'staged', delta: 2 },
          { nodeId: 'wh1', lineId: 'l2', sku: 'SKU-B', type: 'PICK', bucket: 'sellable', delta: -1 },
        ]),
      );
      const lines = [
        { lineId: 'l1', qty: 2 },
        { lineId: 'l2', qty: 1 },
      ];
      const shipped = expectApplied(
        applyBopisTransition(
          packed.state,
          on(packed.state, store('wh1'), {
            action: 'ship',
            carrier: 'DHL',
            trackingNumber: 'jd01 4600 0031',
            lines,
          }),
        ),
      );
      expect(shipped.state.status).toBe('SHIPPED');
      expect(shipped.state.shipment).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD0146000031' });
      expect(shipped.effects.payment).toBe('capture');
      expect(shipped.effects.captureAmount).toBeUndefined();
      expect(shipped.effects.notification).toBe('shipped');
      expect(shipped.effects.reservations).toEqual([
        expect.objectContaining({ action: 'consume', from: 'STAGED', to: 'CONSUMED' }),
      ]);
      expect(shipped.effects.storeMovements.every((movement) => movement.type === 'SHIPMENT')).toBe(true);
    });

    it('leaves short: the short line is released, its found units staged, and only what ships is captured', () => {
      const short = run(picking(), [
        { actor: store('wh1'), body: { action: 'short_line', lineId: 'l2', foundQty: 0 } },
      ]);
      const packed = expectApplied(
        applyBopisTransition(short, on(short, store('wh1'), { action: 'pack', parcels })),
      );
      expect(
        packed.effects.reservations.map((effect) => [effect.action, effect.lines.map((line) => line.lineId)]),
      ).toEqual([
        ['stage', ['l1']],
        ['release', ['l2']],
      ]);
      expect(packed.effects.countDiscrepancies).toEqual([
        { nodeId: 'wh1', lineId: 'l2', sku: 'SKU-B', expectedQty: 1, foundQty: 0 },
      ]);
      expect(packed.state.shipment?.captureAmount).toBe(3599);
      const shipped = expectApplied(
        applyBopisTransition(
          packed.state,
          on(packed.state, store('wh1'), {
            action: 'ship',
            carrier: 'UPS',
            trackingNumber: '1Z999AA10123456784',
            lines: [{ lineId: 'l1', qty: 2 }],
          }),
        ),
      );
      expect(shipped.effects.captureAmount).toBe(3599);
      expect(shipped.effects.reservations[0]?.lines.map((line) => line.lineId)).toEqual(['l1']);
    });

    it('stages a partly found line without its reservation and unstages it on cancel', () => {
      const partly = run(shipOrder(), [
        { actor: HUB, body: { action: 'route', nodeId: 'wh1' } },
        { actor: store('wh1'), body: { action: 'accept' } },
        { actor: store('wh1'), body: { action: 'start_picking' } },
        { actor: store('wh1'), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 1 } },
        { actor: store('wh1'), body: { action: 'short_line', lineId: 'l1', foundQty: 1 } },
        { actor: store('wh1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
        { actor: store('wh1'), body: { action: 'pack', parcels } },
      ]);
      expect(partly.shipment?.lines).toEqual([
        { lineId: 'l1', qty: 1 },
        { lineId: 'l2', qty: 1 },
      ]);
      expect(partly.shipment?.captureAmount).toBe(4599 - 1500);
      const cancelled = expectApplied(
        applyBopisTransition(partly, on(partly, HUB, { action: 'cancel', reason: 'customer_request' })),
      );
      expect(cancelled.effects.reservations).toEqual([
        expect.objectContaining({
          action: 'release',
          from: 'STAGED',
          lines: [{ lineId: 'l2', sku: 'SKU-B', qty: 1 }],
        }),
      ]);
      const unstage = cancelled.effects.storeTasks.find((task) => task.kind === 'unstage');
      expect(
        unstage?.kind === 'unstage'
          ? unstage.movements.filter((movement) => movement.bucket === 'sellable')
          : [],
      ).toEqual([
        { nodeId: 'wh1', lineId: 'l2', sku: 'SKU-B', type: 'UNSTAGE', bucket: 'sellable', delta: 1 },
        { nodeId: 'wh1', lineId: 'l1', sku: 'SKU-A', type: 'UNSTAGE', bucket: 'sellable', delta: 1 },
      ]);
    });

    it('re-routes instead when a short ship order has no line amounts to charge by', () => {
      const short = run(picking(shipOrder(false)), [
        { actor: store('wh1'), body: { action: 'short_line', lineId: 'l2', foundQty: 0 } },
      ]);
      expect(() => applyBopisTransition(short, on(short, store('wh1'), { action: 'pack', parcels }))).toThrow(
        /report it short/,
      );
    });

    it('refuses pickup steps on a ship order and ship steps on a pickup order', () => {
      const ship = run(picking(), [
        { actor: store('wh1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
      ]);
      expect(() => applyBopisTransition(ship, on(ship, store('wh1'), { action: 'mark_ready' }))).toThrow(
        /ship-to-home/,
      );
      const pickup = run(placed(), [
        { actor: HUB, body: { action: 'route', nodeId: 's1' } },
        { actor: store('s1'), body: { action: 'accept' } },
        { actor: store('s1'), body: { action: 'start_picking' } },
      ]);
      expect(() =>
        applyBopisTransition(pickup, on(pickup, store('s1'), { action: 'pack', parcels })),
      ).toThrow(DomainError);
    });

    it('refuses a ship whose lines are not what was packed, and a parcel without a weight', () => {
      const packed = run(picking(), [
        { actor: store('wh1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
        { actor: store('wh1'), body: { action: 'pack', parcels } },
      ]);
      expect(() =>
        applyBopisTransition(
          packed,
          on(packed, store('wh1'), {
            action: 'ship',
            carrier: 'DHL',
            trackingNumber: 'JD0146000031',
            lines: [{ lineId: 'l1', qty: 2 }],
          }),
        ),
      ).toThrow(/does not match/);
      expect(() =>
        applyBopisTransition(
          packed,
          on(packed, store('wh1'), { action: 'pack', parcels: [{ parcelId: 'p', weightGrams: 0 }] }),
        ),
      ).toThrow(/Weigh the parcel/);
    });

    it('a shipment recorded offline wins over a cancel that reached the hub first', () => {
      const packed = run(picking(), [
        { actor: store('wh1'), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
        { actor: store('wh1'), body: { action: 'pack', parcels } },
      ]);
      const lines = [
        { lineId: 'l1', qty: 2 },
        { lineId: 'l2', qty: 1 },
      ];
      const shipStep = on(
        packed,
        store('wh1'),
        { action: 'ship', carrier: 'DHL', trackingNumber: 'JD0146000031', lines },
        PLACED_AT + 5 * HOUR,
      );
      const cancelled = expectApplied(
        applyBopisTransition(packed, on(packed, HUB, { action: 'cancel', reason: 'customer_request' })),
      ).state;
      const late = applyBopisTransition(cancelled, shipStep);
      expect(late.kind).toBe('conflict_resolved');
      if (late.kind !== 'conflict_resolved') return;
      expect(late.state.status).toBe('SHIPPED');
      expect(late.conflict.type).toBe('SHIPPED_AFTER_CANCEL');
      expect(late.conflict.refund?.decision).toBe('REVIEW_REFUND');
      expect(late.effects.storeMovements.map((movement) => [movement.type, movement.delta])).toEqual([
        ['SHIPMENT', -2],
        ['SHIPMENT', -1],
      ]);
      expect(applyBopisTransition(late.state, shipStep).kind).toBe('replayed');
    });
  });
});
