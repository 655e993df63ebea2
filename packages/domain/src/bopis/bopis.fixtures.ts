import type { BopisOrderInput } from './order';
import {
  applyBopisTransition,
  orderHead,
  placeBopisOrder,
  type BopisActor,
  type BopisOrderState,
  type BopisTransitionInput,
  type BopisTransitionOutcome,
} from './lifecycle';

export const PLACED_AT = 1_800_000_000_000;
export const HOUR = 3_600_000;
export const HUB: BopisActor = { kind: 'hub' };

export function store(nodeId: string): BopisActor {
  return { kind: 'store', nodeId };
}

export function sampleOrder(extra: Partial<BopisOrderInput> = {}): BopisOrderInput {
  return {
    orderId: 'ord-1',
    orderNumber: 'W-1001',
    channel: 'web',
    lines: [
      { lineId: 'l1', sku: 'SKU-A', qty: 2 },
      { lineId: 'l2', sku: 'SKU-B', qty: 1 },
    ],
    customer: { name: 'Zoë Müller-Łukasz', email: 'zoe@example.com' },
    pickup: { type: 'store', storeId: 's1' },
    payment: { authorisationRef: 'auth-77', amount: 4599, currency: 'EUR' },
    priority: 0,
    placedAt: PLACED_AT,
    pickupPolicy: { holdHours: 48, graceMinutes: 30 },
    ...extra,
  };
}

/** `heldAt: null` places the order without a checkout hold. */
export function placed(extra: Partial<BopisOrderInput> = {}, heldAt: string | null = 's1'): BopisOrderState {
  return placeBopisOrder(sampleOrder(extra), {
    transitionId: 't-place',
    pickupCode: '7KQ2MX',
    ...(heldAt === null ? {} : { heldAt }),
  }).state;
}

type StepBody = DistributiveOmit<BopisTransitionInput, 'transitionId' | 'basedOn' | 'at' | 'actor'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

let counter = 0;

/** A transition made on the state's current head. */
export function on(
  state: BopisOrderState,
  actor: BopisActor,
  body: StepBody,
  at = PLACED_AT + HOUR,
  transitionId = `t-${(counter += 1)}`,
): BopisTransitionInput {
  return { ...body, transitionId, basedOn: orderHead(state), at, actor } as BopisTransitionInput;
}

export function expectApplied(outcome: BopisTransitionOutcome) {
  if (outcome.kind !== 'applied') throw new Error(`expected applied, got ${outcome.kind}`);
  return outcome;
}

/** Applies steps made on each successive head and returns the final state. */
export function run(
  state: BopisOrderState,
  steps: readonly { actor: BopisActor; body: StepBody; at?: number }[],
): BopisOrderState {
  let current = state;
  for (const step of steps) {
    current = expectApplied(applyBopisTransition(current, on(current, step.actor, step.body, step.at))).state;
  }
  return current;
}

export function readyAt(nodeId = 's1', at = PLACED_AT + 2 * HOUR): BopisOrderState {
  return run(placed(), [
    { actor: HUB, body: { action: 'route', nodeId } },
    { actor: store(nodeId), body: { action: 'accept' } },
    { actor: store(nodeId), body: { action: 'start_picking' } },
    { actor: store(nodeId), body: { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 2 } },
    { actor: store(nodeId), body: { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 } },
    { actor: store(nodeId), body: { action: 'mark_ready' }, at },
  ]);
}
