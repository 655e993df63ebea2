import {
  applyBopisTransition,
  orderHead,
  placeBopisOrder,
  type BopisOrderInput,
  type BopisOrderState,
  type BopisTransitionInput,
} from '@retail/domain';
import type { FeedChange } from '@retail/sync';
import { TEST_START } from './test-node';

/**
 * BOPIS orders as the hub makes them (the same domain functions), for store tests: placed, routed to a
 * store, and moved on by hub steps (cancel, expire, re-route) to feed the store's replica.
 */
export function bopisOrderInput(orderId: string, overrides: Partial<BopisOrderInput> = {}): BopisOrderInput {
  return {
    orderId,
    orderNumber: `W-${orderId.toUpperCase()}`,
    channel: 'web',
    lines: [
      { lineId: 'l1', sku: 'APPLE-1', qty: 2 },
      { lineId: 'l2', sku: 'MILK-1', qty: 1 },
    ],
    customer: { name: 'Zoë Dupont', phone: '+33 1 23 45 67 89' },
    pickup: { type: 'store', storeId: 'store-1' },
    payment: { authorisationRef: `auth-${orderId}`, amount: 219, currency: 'EUR' },
    placedAt: TEST_START - 3_600_000,
    pickupPolicy: { holdHours: 24, graceMinutes: 30 },
    ...overrides,
  };
}

let transitionSeq = 0;

/** A hub step on the current head. */
export function hubStep(
  state: BopisOrderState,
  body: Record<string, unknown> & { action: BopisTransitionInput['action'] },
  at: number,
): BopisOrderState {
  transitionSeq += 1;
  const outcome = applyBopisTransition(state, {
    transitionId: `hub-${transitionSeq}`,
    basedOn: orderHead(state),
    at,
    actor: { kind: 'hub' },
    ...body,
  } as BopisTransitionInput);
  return outcome.state;
}

/** An order placed and routed to `nodeId` by the hub. */
export function routedOrder(
  orderId: string,
  nodeId = 'store-1',
  overrides: Partial<BopisOrderInput> = {},
  at = TEST_START - 3_000_000,
): BopisOrderState {
  const { state } = placeBopisOrder(bopisOrderInput(orderId, overrides), {
    transitionId: `place-${orderId}`,
    pickupCode: 'K7Q2MX',
    heldAt: nodeId,
  });
  return hubStep(state, { action: 'route', nodeId }, at);
}

export function bopisChange(hubSeq: number, state: BopisOrderState): FeedChange {
  return { hubSeq, entity: 'bopis_order', key: state.order.orderId, op: 'upsert', data: state };
}
