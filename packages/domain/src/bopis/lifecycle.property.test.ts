import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import { HOUR, HUB as HUB_ACTOR, PLACED_AT, on, placed, run, store } from './bopis.fixtures';

const STORE_S1 = store('s1');
import {
  CANCEL_REASONS,
  REROUTE_REASONS,
  applyBopisTransition,
  orderHead,
  type BopisActor,
  type BopisEffects,
  type BopisOrderState,
  type BopisTransitionInput,
} from './lifecycle';
import { BOPIS_ACTIONS, BOPIS_TRANSITIONS, TERMINAL_BOPIS_STATUSES, type BopisAction } from './status';

const NODES = ['s1', 's2', 's3'] as const;

const stepArb = fc.record({
  /** Mostly the step a real store or hub would take next, so walks reach deep states; else anything. */
  natural: fc.constantFrom(true, true, true, false),
  action: fc.constantFrom(...BOPIS_ACTIONS),
  /** Mostly the right kind of actor, so walks get somewhere; sometimes the wrong one. */
  actorKind: fc.constantFrom('right', 'right', 'right', 'right', 'wrong'),
  /** Mostly the assigned store, sometimes another one. */
  storeNode: fc.constantFrom('assigned', 'assigned', 'assigned', ...NODES),
  node: fc.constantFrom(...NODES),
  lineId: fc.constantFrom<string>('l1', 'l2', 'l1', 'l2', 'l9'),
  sku: fc.constantFrom<string>('SKU-A', 'SKU-B'),
  qty: fc.integer({ min: 1, max: 3 }),
  foundQty: fc.integer({ min: 0, max: 2 }),
  rerouteReason: fc.constantFrom(...REROUTE_REASONS),
  cancelReason: fc.constantFrom(...CANCEL_REASONS),
  advanceMs: fc.constantFrom(0, 60_000, HOUR, 60 * HOUR),
  /** Mostly made on the current head; sometimes on an older one or one the hub never saw. */
  basis: fc.constantFrom('head', 'head', 'head', 'head', 'head', 'older', 'unknown'),
  olderPick: fc.nat(),
  replayEarlier: fc.option(fc.nat(), { freq: 8 }),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function naturalAction(state: BopisOrderState, step: Step): { action: BopisAction; step: Step } {
  const nextLine = state.order.lines.find(
    (line, index) =>
      (state.progress[index]?.pickedQty ?? 0) < line.qty && state.progress[index]?.shortPicked !== true,
  );
  switch (state.status) {
    case 'PLACED':
    case 'REROUTING':
      return { action: 'route', step };
    case 'ROUTED':
      return { action: 'accept', step };
    case 'ACCEPTED':
      return { action: 'start_picking', step };
    case 'PICKING': {
      if (nextLine === undefined) {
        return {
          action: state.progress.some((line) => line.shortPicked) ? 'report_short' : 'mark_ready',
          step,
        };
      }
      const index = state.order.lines.indexOf(nextLine);
      const remaining = nextLine.qty - (state.progress[index]?.pickedQty ?? 0);
      if (step.foundQty === 0 && step.qty === 3) {
        return { action: 'short_line', step: { ...step, lineId: nextLine.lineId, foundQty: 0 } };
      }
      return {
        action: 'pick',
        step: {
          ...step,
          lineId: nextLine.lineId,
          sku: nextLine.sku,
          qty: Math.min(step.qty, remaining),
        },
      };
    }
    case 'READY_FOR_PICKUP':
      return { action: step.node === 's1' ? 'hand_over' : step.node === 's2' ? 'expire' : 'cancel', step };
    case 'SHORT_PICK':
      return { action: 'reroute', step };
    default:
      return { action: step.action, step };
  }
}

function buildTransition(
  state: BopisOrderState,
  rawStep: Step,
  index: number,
  at: number,
): BopisTransitionInput {
  const natural = rawStep.natural
    ? naturalAction(state, { ...rawStep, actorKind: 'right', storeNode: 'assigned' })
    : { action: rawStep.action, step: rawStep };
  const step = { ...natural.step, action: natural.action };
  const rule = BOPIS_TRANSITIONS[step.action];
  const actorKind = step.actorKind === 'right' ? rule.actor : rule.actor === 'hub' ? 'store' : 'hub';
  const storeNode = step.storeNode === 'assigned' ? (state.nodeId ?? 's1') : step.storeNode;
  const actor: BopisActor = actorKind === 'hub' ? { kind: 'hub' } : { kind: 'store', nodeId: storeNode };
  const head = orderHead(state);
  const older = state.log[step.olderPick % state.log.length] ?? state.log[0];
  const basedOn =
    step.basis === 'head'
      ? head
      : step.basis === 'older'
        ? { version: older?.version ?? 1, transitionId: older?.transitionId ?? 't-place' }
        : { version: head.version + 1, transitionId: `never-seen-${index}` };
  // A natural expiry comes from the hub timer, which fires once the order is due.
  const when = rawStep.natural && step.action === 'expire' ? Math.max(at, state.expiresAt ?? at) : at;
  const common = { transitionId: `w-${index}`, basedOn, at: when, actor };
  return { ...common, ...bodyFor(step.action, step) } as BopisTransitionInput;
}

function bodyFor(action: BopisAction, step: Step): Record<string, unknown> {
  switch (action) {
    case 'route':
      return { action, nodeId: step.node };
    case 'pick':
      return { action, lineId: step.lineId, scannedSku: step.sku, qty: step.qty };
    case 'short_line':
      return { action, lineId: step.lineId, foundQty: step.foundQty };
    case 'report_short':
      return { action, found: step.foundQty === 2 ? [] : [{ lineId: step.lineId, foundQty: step.foundQty }] };
    case 'hand_over':
      return { action, verifiedBy: 'pickup_code' };
    case 'reroute':
      return { action, reason: step.rerouteReason };
    case 'cancel':
      return { action, reason: step.cancelReason };
    default:
      return { action };
  }
}

function checkReservationInvariant(state: BopisOrderState): void {
  switch (state.status) {
    case 'PLACED':
      expect(state.reservation === undefined || state.reservation.status === 'HELD').toBe(true);
      break;
    case 'ROUTED':
    case 'ACCEPTED':
    case 'PICKING':
      expect(state.reservation).toEqual({ nodeId: state.nodeId, status: 'ACTIVE' });
      break;
    case 'READY_FOR_PICKUP':
      expect(state.reservation).toEqual({ nodeId: state.nodeId, status: 'STAGED' });
      expect(state.expiresAt).toBeGreaterThanOrEqual(state.pickupDeadline as number);
      break;
    case 'PACKED':
      expect(state.reservation).toEqual({ nodeId: state.nodeId, status: 'STAGED' });
      break;
    case 'REROUTING':
      expect(state.nodeId).toBeUndefined();
      expect(state.reservation === undefined || state.reservation.status === 'SHORT').toBe(true);
      break;
    case 'SHORT_PICK':
    case 'PICKED_UP':
    case 'SHIPPED':
    case 'EXPIRED':
    case 'CANCELLED':
      expect(state.reservation).toBeUndefined();
      break;
  }
  expect(state.log.map((entry) => entry.version)).toEqual(state.log.map((_, index) => index + 1));
  expect(state.version).toBe(state.log.length);
  for (let index = 0; index < state.progress.length; index += 1) {
    const line = state.order.lines[index];
    expect(state.progress[index]?.pickedQty).toBeLessThanOrEqual(line?.qty ?? 0);
  }
}

/** Physical units per node and bucket implied by the store movements and executed store tasks. */
function recordMovements(ledger: Map<string, number>, effects: BopisEffects): void {
  const add = (nodeId: string, bucket: string, delta: number) =>
    ledger.set(`${nodeId}/${bucket}`, (ledger.get(`${nodeId}/${bucket}`) ?? 0) + delta);
  for (const movement of effects.storeMovements) add(movement.nodeId, movement.bucket, movement.delta);
  for (const task of effects.storeTasks) {
    if (task.kind === 'unstage')
      for (const movement of task.movements) add(movement.nodeId, movement.bucket, movement.delta);
  }
}

const ALLOWED_ERRORS = new Set(['NOT_ALLOWED', 'FORBIDDEN', 'CONFLICT', 'LIMIT_EXCEEDED', 'INVALID_INPUT']);

describe('bopis/lifecycle properties', () => {
  describe('applyBopisTransition', () => {
    it('never accepts an illegal transition from any state, and replaying any accepted one is a no-op', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 50 }), fc.boolean(), (steps, held) => {
          let state = placed({}, held ? 's1' : null);
          let at = PLACED_AT;
          const accepted: BopisTransitionInput[] = [];
          steps.forEach((step, index) => {
            at += step.advanceMs;
            if (step.replayEarlier !== null && accepted.length > 0) {
              const earlier = accepted[step.replayEarlier % accepted.length] as BopisTransitionInput;
              const replay = applyBopisTransition(state, earlier);
              expect(replay.kind).toBe('replayed');
              expect(replay.state).toBe(state);
            }
            const transition = buildTransition(state, step, index, at);
            at = transition.at;
            const before = state;
            const head = orderHead(before);
            const onHead =
              transition.basedOn.version === head.version &&
              transition.basedOn.transitionId === head.transitionId;
            let outcome;
            try {
              outcome = applyBopisTransition(before, transition);
            } catch (error) {
              expect(error).toBeInstanceOf(DomainError);
              expect(ALLOWED_ERRORS.has((error as DomainError).code)).toBe(true);
              return;
            }
            const rule = BOPIS_TRANSITIONS[transition.action];
            switch (outcome.kind) {
              case 'applied': {
                expect(transition.actor.kind).toBe(rule.actor);
                expect(rule.from).toContain(before.status);
                expect(outcome.state.status).toBe(rule.to);
                expect(outcome.state.version).toBe(before.version + 1);
                if (transition.actor.kind === 'store') expect(before.nodeId).toBe(transition.actor.nodeId);
                // Only a handover that is still legal where it happened may skip the head check.
                if (!onHead) expect(transition.action).toBe('hand_over');
                break;
              }
              case 'conflict_resolved':
                expect(onHead).toBe(false);
                expect(transition.action).toBe('hand_over');
                expect(transition.actor.kind).toBe('store');
                expect(before.status).not.toBe('PICKED_UP');
                expect(outcome.state.status).toBe('PICKED_UP');
                expect(outcome.state.version).toBe(before.version + 1);
                break;
              case 'superseded':
                expect(onHead).toBe(false);
                expect(transition.actor.kind).toBe('store');
                expect(outcome.state.status).toBe(before.status);
                expect(outcome.state.version).toBe(before.version);
                break;
              case 'replayed':
                throw new Error('a fresh transition id cannot be a replay');
            }
            accepted.push(transition);
            const again = applyBopisTransition(outcome.state, transition);
            expect(again).toEqual({ kind: 'replayed', state: outcome.state });
            state = outcome.state;
            checkReservationInvariant(state);
          });
        }),
        { numRuns: 300 },
      );
    });

    it('lets a handover recorded offline win over whatever the hub did meanwhile', () => {
      const hubMoves = fc.array(
        fc.constantFrom(
          'cancel' as const,
          'expire' as const,
          'reroute_and_route' as const,
          'nothing' as const,
        ),
        { maxLength: 3 },
      );
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 5 }), hubMoves, (storeStartsAt, moves) => {
          // The store's offline chain from ROUTED to PICKED_UP; the hub sees it only after its own moves.
          const routed = run(placed(), [{ actor: HUB_ACTOR, body: { action: 'route', nodeId: 's1' } }]);
          const chainBodies = [
            { action: 'accept' },
            { action: 'start_picking' },
            { action: 'pick', lineId: 'l1', scannedSku: 'SKU-A', qty: 2 },
            { action: 'pick', lineId: 'l2', scannedSku: 'SKU-B', qty: 1 },
            { action: 'mark_ready' },
            { action: 'hand_over', verifiedBy: 'pickup_code' },
          ] as const;
          let storeSide = routed;
          const chain: BopisTransitionInput[] = [];
          for (const [index, body] of chainBodies.entries()) {
            const transition = on(
              storeSide,
              STORE_S1,
              body,
              PLACED_AT + (index + 1) * HOUR,
              `chain-${index}`,
            );
            chain.push(transition);
            storeSide = (applyBopisTransition(storeSide, transition) as { state: BopisOrderState }).state;
          }
          // The hub received the first `storeStartsAt` store steps before acting itself.
          let hubSide = routed;
          for (const transition of chain.slice(0, storeStartsAt)) {
            hubSide = applyBopisTransition(hubSide, transition).state;
          }
          let hubAt = PLACED_AT + 10 * HOUR;
          for (const move of moves) {
            hubAt += HOUR;
            const tryApply = (body: Parameters<typeof on>[2], at = hubAt) => {
              try {
                hubSide = applyBopisTransition(hubSide, on(hubSide, HUB_ACTOR, body, at)).state;
              } catch (error) {
                expect(error).toBeInstanceOf(DomainError);
              }
            };
            if (move === 'cancel') tryApply({ action: 'cancel', reason: 'customer_request' });
            if (move === 'expire')
              tryApply({ action: 'expire' }, Math.max(hubAt, hubSide.expiresAt ?? hubAt));
            if (move === 'reroute_and_route') {
              tryApply({ action: 'reroute', reason: 'oversell' });
              tryApply({ action: 'route', nodeId: 's2' });
            }
          }
          const hubBefore = hubSide;
          const outcomes = chain.slice(storeStartsAt).map((transition) => {
            const outcome = applyBopisTransition(hubSide, transition);
            hubSide = outcome.state;
            return outcome;
          });
          expect(hubSide.status).toBe('PICKED_UP');
          expect(hubSide.nodeId).toBe('s1');
          expect(hubSide.reservation).toBeUndefined();
          const last = outcomes[outcomes.length - 1];
          if (hubBefore.status === 'CANCELLED' || hubBefore.status === 'EXPIRED') {
            expect(last?.kind).toBe('conflict_resolved');
            if (last?.kind === 'conflict_resolved')
              expect(last.conflict.refund?.decision).toBe('REVIEW_REFUND');
          }
          if (hubBefore.version === orderHead(routed).version + storeStartsAt) {
            expect(outcomes.every((outcome) => outcome.kind === 'applied')).toBe(true);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('unstages or hands over exactly what was staged by the time an order closes (sequential steps)', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
          let state = placed();
          let at = PLACED_AT;
          const ledger = new Map<string, number>();
          steps.forEach((step, index) => {
            at += step.advanceMs;
            const transition = buildTransition(
              state,
              { ...step, basis: 'head', actorKind: 'right' },
              index,
              at,
            );
            at = transition.at;
            try {
              const outcome = applyBopisTransition(state, transition);
              if (outcome.kind !== 'applied') throw new Error(outcome.kind);
              recordMovements(ledger, outcome.effects);
              state = outcome.state;
            } catch (error) {
              expect(error).toBeInstanceOf(DomainError);
            }
          });
          const staged = [...ledger].filter(([key]) => key.endsWith('/staged'));
          const sellable = [...ledger].filter(([key]) => key.endsWith('/sellable'));
          if (state.status === 'READY_FOR_PICKUP') {
            expect(staged.reduce((total, [, qty]) => total + qty, 0)).toBe(3);
            return;
          }
          for (const [, qty] of staged) expect(qty).toBe(0);
          const sold = sellable.reduce((total, [, qty]) => total + qty, 0);
          if (TERMINAL_BOPIS_STATUSES.includes(state.status)) {
            expect(sold).toBe(state.status === 'PICKED_UP' ? -3 : 0);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
