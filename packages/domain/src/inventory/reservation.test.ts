import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors';
import {
  RESERVATION_ACTIONS,
  committedQty,
  expiredHolds,
  holdsShelfUnits,
  isTerminalReservation,
  transitionReservation,
  type ReservationAction,
  type ReservationState,
} from './reservation';
import { projectBalances } from './movement';

const reservation = (status: ReservationState['status'], qty = 2, expiresAt?: number): ReservationState => ({
  reservationId: 'r1',
  status,
  qty,
  expiresAt,
});

describe('inventory/reservation', () => {
  describe('transitionReservation', () => {
    it('follows the happy path HELD → ACTIVE → STAGED → CONSUMED with the right ledger effects', () => {
      const activate = transitionReservation(reservation('HELD'), 'activate');
      expect(activate).toMatchObject({ to: 'ACTIVE', committedDelta: 0, movements: [] });
      const stage = transitionReservation(reservation('ACTIVE'), 'stage');
      expect(stage.to).toBe('STAGED');
      expect(stage.committedDelta).toBe(-2);
      expect(stage.movements).toEqual([
        { type: 'PICK', bucket: 'sellable', delta: -2 },
        { type: 'PICK', bucket: 'staged', delta: 2 },
      ]);
      const consume = transitionReservation(reservation('STAGED'), 'consume');
      expect(consume).toMatchObject({ to: 'CONSUMED', committedDelta: 0 });
      expect(consume.movements).toEqual([{ type: 'PICKUP_HANDOVER', bucket: 'staged', delta: -2 }]);
    });

    it('unstages the units when a staged reservation is released', () => {
      const release = transitionReservation(reservation('STAGED', 3), 'release');
      expect(release.to).toBe('RELEASED');
      expect(release.movements).toEqual([
        { type: 'UNSTAGE', bucket: 'staged', delta: -3 },
        { type: 'UNSTAGE', bucket: 'sellable', delta: 3 },
      ]);
    });

    it('asks for an availability check only when units are taken again (SHORT → ACTIVE)', () => {
      expect(transitionReservation(reservation('SHORT'), 'activate')).toMatchObject({
        committedDelta: 2,
        needsAvailability: true,
      });
      expect(transitionReservation(reservation('ACTIVE'), 'mark_short')).toMatchObject({
        to: 'SHORT',
        committedDelta: -2,
        needsAvailability: false,
      });
    });

    it('refuses to move a terminal reservation with NOT_ALLOWED and a sentence', () => {
      for (const status of ['CONSUMED', 'RELEASED', 'REASSIGNED'] as const) {
        for (const action of RESERVATION_ACTIONS) {
          let thrown: unknown;
          try {
            transitionReservation(reservation(status), action);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainError);
          expect((thrown as DomainError).code).toBe('NOT_ALLOWED');
          expect((thrown as DomainError).message).toMatch(new RegExp(`is ${status}; it cannot be`));
        }
      }
    });

    it('refuses a quantity that is not a positive whole number', () => {
      expect(() => transitionReservation(reservation('HELD', 0), 'activate')).toThrow(/greater than zero/);
      expect(() => transitionReservation(reservation('HELD', 1.5), 'activate')).toThrow(/whole number/);
    });

    it('keeps the committed total equal to a recount after any sequence of legal actions', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }),
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(...RESERVATION_ACTIONS)), { maxLength: 40 }),
          (quantities, actions) => {
            const states: ReservationState[] = quantities.map((qty, i) => ({
              reservationId: `r${i}`,
              status: 'HELD',
              qty,
            }));
            let committed = committedQty(states, 0);
            const movements: {
              movementId: string;
              nodeId: string;
              sku: string;
              type: 'PICK';
              bucket: 'sellable' | 'staged';
              delta: number;
            }[] = [];
            for (const [pick, action] of actions as [number, ReservationAction][]) {
              const index = pick % states.length;
              const current = states[index]!;
              let decision;
              try {
                decision = transitionReservation(current, action);
              } catch (error) {
                expect((error as DomainError).code).toBe('NOT_ALLOWED');
                continue;
              }
              expect(isTerminalReservation(current.status)).toBe(false);
              committed += decision.committedDelta;
              decision.movements.forEach((m, j) =>
                movements.push({
                  movementId: `${index}-${movements.length}-${j}`,
                  nodeId: 'N',
                  sku: 'S',
                  type: 'PICK',
                  bucket: m.bucket === 'staged' ? 'staged' : 'sellable',
                  delta: m.delta,
                }),
              );
              states[index] = { ...current, status: decision.to };
            }
            expect(committed).toBe(committedQty(states, 0));
            // Staged units in the ledger equal the quantity of reservations currently STAGED.
            const staged = states.filter((s) => s.status === 'STAGED').reduce((t, s) => t + s.qty, 0);
            expect(projectBalances(movements).staged).toBe(staged);
          },
        ),
      );
    });
  });

  describe('holdsShelfUnits', () => {
    it('counts HELD only until its expiry and never counts staged or closed reservations', () => {
      expect(holdsShelfUnits(reservation('HELD', 1, 1000), 999)).toBe(true);
      expect(holdsShelfUnits(reservation('HELD', 1, 1000), 1000)).toBe(false);
      expect(holdsShelfUnits(reservation('HELD', 1), 5)).toBe(true);
      expect(holdsShelfUnits(reservation('ACTIVE'), 5)).toBe(true);
      for (const status of ['STAGED', 'CONSUMED', 'RELEASED', 'REASSIGNED', 'SHORT'] as const) {
        expect(holdsShelfUnits(reservation(status), 5)).toBe(false);
      }
    });
  });

  describe('expiredHolds', () => {
    it('returns HELD reservations whose hold ran out, nothing else', () => {
      const held = { ...reservation('HELD', 1, 100), reservationId: 'a' };
      const fresh = { ...reservation('HELD', 1, 300), reservationId: 'b' };
      const active = { ...reservation('ACTIVE', 1, 100), reservationId: 'c' };
      expect(expiredHolds([held, fresh, active], 100)).toEqual([held]);
    });
  });
});
