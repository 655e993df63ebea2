import { afterEach, describe, expect, it } from 'vitest';
import type { StoreNotification } from '../../shared/notifications';
import { PairingCodeSchema } from '../../shared/lane-commands';
import { createTestNode, expectError, expectOk, type TestNode } from '../testing/test-node';
import { PAIRING_CODE_TTL_MS, type PairOutcome } from './lanes';

let node: TestNode;
afterEach(() => node?.close());

const manager = () => ({ session: node.sessions.manager });

function pairingCode(kind: 'lane' | 'display' = 'lane', registerId = 'lane-2', name = 'Lane 2'): string {
  return expectOk(node.engine.execute('lane-pairing-code', { kind, name, registerId }, manager())).code;
}

function pair(code: string): PairOutcome {
  return node.engine.pairDevice(PairingCodeSchema.parse(code), null);
}

function pairLane(registerId = 'lane-2', name = 'Lane 2') {
  const outcome = pair(pairingCode('lane', registerId, name));
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}

function signInOn(laneId: string, staffCode = 'C1', pin = '1111') {
  return node.engine.execute('staff-sign-in', { staffCode, pin }, { laneId });
}

describe('lanes', () => {
  describe('lane-pairing-code', () => {
    it('gives managers a short single-use code, XXXX-XXXX, valid for ten minutes', () => {
      node = createTestNode();
      const created = expectOk(
        node.engine.execute(
          'lane-pairing-code',
          { kind: 'lane', name: 'Lane 2', registerId: 'lane-2' },
          manager(),
        ),
      );
      expect(created.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(created.expiresAt).toBe(new Date(node.clock.now() + PAIRING_CODE_TTL_MS).toISOString());
      expect(created.certificateFingerprint).toBeNull();
      // Only its hash is stored.
      const stored = node.engine.db.prepare('SELECT * FROM lane_pairing_codes').all();
      expect(JSON.stringify(stored)).not.toContain(created.code.replace('-', ''));
      expectError(
        node.engine.execute(
          'lane-pairing-code',
          { kind: 'lane', name: 'x', registerId: 'lane-3' },
          { session: node.sessions.supervisor },
        ),
        'FORBIDDEN',
      );
    });

    it("refuses the main till's register and a register another lane uses", () => {
      node = createTestNode();
      expectError(
        node.engine.execute('lane-pairing-code', { kind: 'lane', name: 'x', registerId: 'main' }, manager()),
        'INVALID_INPUT',
      );
      pairLane('lane-2');
      expectError(
        node.engine.execute(
          'lane-pairing-code',
          { kind: 'lane', name: 'x', registerId: 'lane-2' },
          manager(),
        ),
        'CONFLICT',
      );
      // Displays show a register's sale: any number of them may follow one register.
      expectOk(
        node.engine.execute(
          'lane-pairing-code',
          { kind: 'display', name: 'Customer display 2', registerId: 'lane-2' },
          manager(),
        ),
      );
    });
  });

  describe('pairDevice', () => {
    it('trades a code once for a credential the node keeps only hashed, typed in any case', () => {
      node = createTestNode();
      const code = pairingCode();
      const seen: StoreNotification[] = [];
      node.engine.subscribe((notification) => seen.push(notification));
      const outcome = pair(code.toLowerCase().replace('-', ' '));
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.value).toMatchObject({ kind: 'lane', name: 'Lane 2', registerId: 'lane-2' });
      expect(outcome.value.credential).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(seen).toContainEqual({ name: 'lane-paired', payload: { laneId: outcome.value.laneId } });
      const rows = JSON.stringify(node.engine.db.prepare('SELECT * FROM lanes').all());
      expect(rows).not.toContain(outcome.value.credential);
      expect(node.engine.authenticateDevice(outcome.value.credential)).toEqual({
        laneId: outcome.value.laneId,
        kind: 'lane',
        name: 'Lane 2',
        registerId: 'lane-2',
      });
      const again = pair(code);
      expect(again.ok).toBe(false);
      if (!again.ok) expect(again.error.code).toBe('UNAUTHORIZED');
    });

    it('refuses an expired code', () => {
      node = createTestNode();
      const code = pairingCode();
      node.clock.advance(PAIRING_CODE_TTL_MS);
      expect(pair(code).ok).toBe(false);
    });

    it('kills every outstanding code after five wrong ones, so a code cannot be guessed', () => {
      node = createTestNode();
      const code = pairingCode();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const wrong = pair('ZZZZ-ZZZZ');
        expect(wrong.ok).toBe(false);
      }
      expect(pair(code).ok).toBe(false);
      // A fresh code works again.
      expect(pair(pairingCode('lane', 'lane-3')).ok).toBe(true);
      const refused = expectOk(
        node.engine.execute('audit-log-list', { action: 'lane-pairing-refused' }, manager()),
      ).entries;
      expect(refused).toHaveLength(6);
    });

    it('keeps the credential valid after the node restarts', () => {
      node = createTestNode();
      const lane = pairLane();
      const engine = node.reopen();
      expect(engine.authenticateDevice(lane.credential)?.laneId).toBe(lane.laneId);
      expectOk(signInOn(lane.laneId));
    });
  });

  describe('lane-revoke', () => {
    it('revokes one lane: its credential, its sessions and its commands stop at once, others go on', () => {
      node = createTestNode();
      const lane2 = pairLane('lane-2', 'Lane 2');
      const lane3 = pairLane('lane-3', 'Lane 3');
      const session = expectOk(signInOn(lane2.laneId)).session;
      const seen: StoreNotification[] = [];
      node.engine.subscribe((notification) => seen.push(notification));
      const revoked = expectOk(node.engine.execute('lane-revoke', { laneId: lane2.laneId }, manager()));
      expect(revoked.revokedAt).toBe(new Date(node.clock.now()).toISOString());
      expect(seen).toContainEqual({ name: 'lane-revoked', payload: { laneId: lane2.laneId } });
      expect(node.engine.authenticateDevice(lane2.credential)).toBeUndefined();
      const refused = expectError(
        node.engine.execute('shift-current', { registerId: 'lane-2' }, { session, laneId: lane2.laneId }),
        'UNAUTHORIZED',
      );
      expect(refused.message).toMatch(/no longer paired/);
      const ended = node.engine.db
        .prepare('SELECT end_reason AS reason FROM staff_sessions WHERE lane_id = ?')
        .all(lane2.laneId);
      expect(ended).toEqual([{ reason: 'lane-revoked' }]);
      expect(node.engine.authenticateDevice(lane3.credential)?.laneId).toBe(lane3.laneId);
      const listed = expectOk(node.engine.execute('lane-list', {}, manager())).lanes;
      expect(listed.map((lane) => [lane.name, lane.revokedAt === null])).toEqual([
        ['Lane 3', true],
        ['Lane 2', false],
      ]);
      // Its register is free for a new lane.
      expect(pair(pairingCode('lane', 'lane-2', 'Lane 2 (new tablet)')).ok).toBe(true);
    });
  });

  describe('commands from a lane', () => {
    it("run on the lane's own register only", () => {
      node = createTestNode();
      const lane = pairLane('lane-2');
      const session = expectOk(signInOn(lane.laneId)).session;
      const asLane = { session, laneId: lane.laneId };
      expectError(node.engine.execute('shift-open', { registerId: 'main', float: 0 }, asLane), 'FORBIDDEN');
      expectOk(node.engine.execute('shift-open', { registerId: 'lane-2', float: 0 }, asLane));
      // An open sale of the main till cannot be touched from the lane.
      expectOk(node.engine.execute('shift-open', { float: 0 }, { session: node.sessions.cashier2 }));
      const mainSale = expectOk(node.engine.execute('sale-start', {}, { session: node.sessions.cashier2 }));
      expectError(
        node.engine.execute('sale-add-line', { saleId: mainSale.saleId, sku: 'APPLE-1', qty: 1 }, asLane),
        'FORBIDDEN',
      );
      expectOk(node.engine.execute('sale-start', { registerId: 'lane-2' }, asLane));
    });

    it('need a session opened on the same lane', () => {
      node = createTestNode();
      const lane = pairLane();
      const onLane = expectOk(signInOn(lane.laneId)).session;
      expectError(
        node.engine.execute('staff-session', {}, { session: node.sessions.cashier, laneId: lane.laneId }),
        'UNAUTHORIZED',
      );
      const refused = expectError(
        node.engine.execute('staff-session', {}, { session: onLane }),
        'UNAUTHORIZED',
      );
      expect(refused.message).toBe('That session belongs to another lane. Sign in on this lane.');
      expectOk(node.engine.execute('staff-session', {}, { session: onLane, laneId: lane.laneId }));
    });

    it('are refused from a lane id nobody paired', () => {
      node = createTestNode();
      expectError(
        node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' }, { laneId: 'x' }),
        'UNAUTHORIZED',
      );
    });
  });

  describe('PIN lockout', () => {
    function wrongPins(laneId: string, count: number, staffCode = 'M1') {
      for (let attempt = 0; attempt < count; attempt += 1) signInOn(laneId, staffCode, '0000');
    }

    it('locks a staff member out of the lane the wrong PINs came from only', () => {
      node = createTestNode();
      const lane = pairLane('lane-2', 'Lane 2');
      wrongPins(lane.laneId, 5);
      const locked = expectError(signInOn(lane.laneId, 'M1', '1234'), 'LOCKED_OUT');
      expect(locked.message).toMatch(/Maria Manager is locked out of Lane 2 until 10:15\./);
      // The manager still signs in on the main till and every other lane.
      const mainSession = expectOk(signInOn('main', 'M1', '1234'));
      expect(mainSession.staff.lockedUntil).toBeNull();
      expect(mainSession.staff.lockouts).toEqual([
        {
          laneId: lane.laneId,
          laneName: 'Lane 2',
          lockedUntil: new Date(node.clock.now() + 15 * 60_000).toISOString(),
        },
      ]);
      const lane3 = pairLane('lane-3', 'Lane 3');
      expectOk(signInOn(lane3.laneId, 'M1', '1234'));
    });

    it('counts wrong manager PINs typed into an override dialog on that lane only', () => {
      node = createTestNode();
      const lane = pairLane('lane-2');
      const cashier = expectOk(signInOn(lane.laneId)).session;
      for (let attempt = 0; attempt < 5; attempt += 1) {
        node.engine.execute(
          'staff-override',
          { managerCode: 'M1', managerPin: '0000', action: 'sale-void', reason: 'guess' },
          { session: cashier, laneId: lane.laneId },
        );
      }
      expectError(
        node.engine.execute(
          'staff-override',
          { managerCode: 'M1', managerPin: '1234', action: 'sale-void', reason: 'real' },
          { session: cashier, laneId: lane.laneId },
        ),
        'LOCKED_OUT',
      );
      expectOk(
        node.engine.execute(
          'staff-override',
          { managerCode: 'M1', managerPin: '1234', action: 'sale-void', reason: 'real' },
          { session: node.sessions.cashier },
        ),
      );
    });

    it('doubles with each lockout in a row on a lane, and a right PIN there starts over', () => {
      node = createTestNode();
      const lane = pairLane();
      const lockedFor = () => {
        wrongPins(lane.laneId, 5, 'C1');
        const error = expectError(signInOn(lane.laneId), 'LOCKED_OUT');
        return Date.parse((error.details as { lockedUntil: string }).lockedUntil) - node.clock.now();
      };
      expect(lockedFor()).toBe(15 * 60_000);
      node.clock.advance(15 * 60_000);
      expect(lockedFor()).toBe(30 * 60_000);
      node.clock.advance(30 * 60_000);
      expect(lockedFor()).toBe(60 * 60_000);
      node.clock.advance(60 * 60_000);
      expectOk(signInOn(lane.laneId));
      expect(lockedFor()).toBe(15 * 60_000);
      const audited = expectOk(
        node.engine.execute('audit-log-list', { action: 'staff-locked-out' }, manager()),
      ).entries;
      expect(audited.map((entry) => entry.details.lockoutInARow)).toEqual([1, 3, 2, 1]);
    });

    it('is cleared by a manager on one lane, or on every lane at once', () => {
      node = createTestNode();
      const lane2 = pairLane('lane-2', 'Lane 2');
      const lane3 = pairLane('lane-3', 'Lane 3');
      wrongPins(lane2.laneId, 5, 'C2');
      wrongPins(lane3.laneId, 5, 'C2');
      const listed = () =>
        expectOk(node.engine.execute('staff-list', {}, manager())).staff.find(
          (staff) => staff.staffCode === 'C2',
        )!;
      expect(listed().lockouts?.map((lockout) => lockout.laneName)).toEqual(['Lane 2', 'Lane 3']);
      const cleared = expectOk(
        node.engine.execute('staff-unlock', { staffCode: 'C2', laneId: lane2.laneId }, manager()),
      );
      expect(cleared.lockouts?.map((lockout) => lockout.laneName)).toEqual(['Lane 3']);
      expectOk(signInOn(lane2.laneId, 'C2', '3333'));
      expectError(signInOn(lane3.laneId, 'C2', '3333'), 'LOCKED_OUT');
      expectOk(node.engine.execute('staff-unlock', { staffCode: 'C2' }, manager()));
      expect(listed().lockouts).toEqual([]);
      expectOk(signInOn(lane3.laneId, 'C2', '3333'));
      expectError(
        node.engine.execute('staff-unlock', { staffCode: 'C2' }, { session: node.sessions.supervisor }),
        'FORBIDDEN',
      );
    });
  });
});
