import {
  BopisTransitionSchema,
  applyBopisTransition,
  orderHead,
  placeBopisOrder,
  type BopisOrderInput,
  type BopisOrderState,
  type BopisTransitionInput,
} from '@retail/domain';
import type { FeedChange } from '@retail/sync';
import { TEST_START, expectOk, type TestNode } from './test-node';

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

/**
 * The steps a BOPIS command test takes against the node `current()` returns: feed it hub states (from
 * `firstHubSeq` on), run commands as the cashier, replay its steps as the hub's ingest does, read stock.
 */
export function bopisNodeSteps(current: () => TestNode, firstHubSeq: number) {
  let hubSeq = firstHubSeq;

  function feed(state: BopisOrderState): void {
    hubSeq += 1;
    current().engine.applyFeed({ epoch: 'test-epoch', changes: [bopisChange(hubSeq, state)] });
  }

  function run<N extends Parameters<TestNode['engine']['execute']>[0]>(
    name: N,
    input: Parameters<TestNode['engine']['execute']>[1] & object,
  ) {
    const node = current();
    return node.engine.execute(name, input as never, { session: node.sessions.cashier });
  }

  /** The hub applying the store's steps as its ingest does: the same transitions, in outbox order. */
  function hubApplies(hub: BopisOrderState): BopisOrderState {
    const steps = current()
      .engine.db.prepare('SELECT transition FROM bopis_steps WHERE order_id = ? ORDER BY device_seq')
      .all(hub.order.orderId) as { transition: string }[];
    return steps.reduce(
      (state, step) =>
        applyBopisTransition(state, BopisTransitionSchema.parse(JSON.parse(step.transition))).state,
      hub,
    );
  }

  function stock(sku: string) {
    return expectOk(run('stock-levels', { skus: [sku] })).levels[0]!;
  }

  return { feed, run, hubApplies, stock };
}
