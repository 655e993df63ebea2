import { afterEach, describe, expect, it } from 'vitest';
import {
  TEST_STAFF,
  checkedOutbox,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

function auditActions(limit = 20): string[] {
  const entries = expectOk(
    node.engine.execute('audit-log-list', { limit }, { session: node.sessions.manager }),
  ).entries;
  return entries.map((entry) => entry.action);
}

describe('staff commands', () => {
  describe('staff-sign-in', () => {
    it('returns a session that identifies the staff member when the PIN is right', () => {
      node = createTestNode();
      const signedIn = expectOk(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' }));
      expect(signedIn.staff).toMatchObject({
        staffCode: 'C1',
        role: 'cashier',
        active: true,
        lockedUntil: null,
      });
      expect(signedIn.expiresAt).toBe(new Date(node.clock.now() + 12 * 3_600_000).toISOString());
      const who = expectOk(node.engine.execute('staff-session', {}, { session: signedIn.session }));
      expect(who.staff.staffCode).toBe('C1');
    });

    it('accepts the staff code in any letter case', () => {
      node = createTestNode();
      expectOk(node.engine.execute('staff-sign-in', { staffCode: 'c1', pin: '1111' }));
    });

    it('refuses a wrong PIN, counts it and audits it', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '9999' }),
        'UNAUTHORIZED',
      );
      expect(error.message).toBe(
        'Staff code or PIN is wrong. 4 more wrong tries lock the account on this lane.',
      );
      expect(auditActions(1)).toEqual(['staff-sign-in-failed']);
    });

    it('refuses an unknown staff code with the same message as a wrong PIN', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute('staff-sign-in', { staffCode: 'NOBODY', pin: '1111' }),
        'UNAUTHORIZED',
      );
      expect(error.message).toBe('Staff code or PIN is wrong.');
    });

    it('locks the account after 5 wrong PINs, even for the right PIN, until the period ends', () => {
      node = createTestNode();
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        expectError(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '0000' }), 'UNAUTHORIZED');
      }
      const locked = expectError(
        node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '0000' }),
        'LOCKED_OUT',
      );
      expect(locked.message).toMatch(
        /Chris Cashier is locked out of Main till until 10:15\. A manager can unlock sooner\./,
      );
      expectError(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' }), 'LOCKED_OUT');
      node.clock.advance(15 * 60_000);
      expectOk(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' }));
      expect(auditActions(10)).toContain('staff-locked-out');
    });

    it('resets the failure count after a successful sign-in', () => {
      node = createTestNode();
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        expectError(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '0000' }), 'UNAUTHORIZED');
      }
      expectOk(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '1111' }));
      const error = expectError(
        node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '0000' }),
        'UNAUTHORIZED',
      );
      expect(error.details).toEqual({ attemptsLeft: 4 });
    });

    it('honours a lockout threshold HQ configured', () => {
      node = createTestNode();
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          {
            hubSeq: 1000,
            entity: 'config',
            key: 'pos.staff.lockoutAttempts',
            op: 'upsert',
            data: { key: 'pos.staff.lockoutAttempts', value: 2 },
          },
        ],
      });
      expectError(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '0000' }), 'UNAUTHORIZED');
      expectError(node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '0000' }), 'LOCKED_OUT');
    });

    it('refuses a malformed PIN before looking at anything', () => {
      node = createTestNode();
      const before = databaseSnapshot(node.engine);
      const error = expectError(
        node.engine.execute('staff-sign-in', { staffCode: 'C1', pin: '12' }),
        'INVALID_INPUT',
      );
      expect(error.message).toBe('The staff-sign-in request is not valid. pin: A PIN is 4 to 12 digits.');
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });
  });

  describe('staff-sign-out', () => {
    it('ends the session so it can no longer run commands', () => {
      node = createTestNode();
      expectOk(node.engine.execute('staff-sign-out', {}, { session: node.sessions.cashier }));
      const error = expectError(
        node.engine.execute('shift-current', { registerId: 'main' }, { session: node.sessions.cashier }),
        'UNAUTHORIZED',
      );
      expect(error.message).toBe('You are signed out. Sign in with your staff code and PIN.');
    });

    it('lets sessions expire after the configured time', () => {
      node = createTestNode();
      node.clock.advance(12 * 3_600_000);
      const error = expectError(
        node.engine.execute('staff-session', {}, { session: node.sessions.cashier }),
        'UNAUTHORIZED',
      );
      expect(error.message).toMatch(/expired/);
    });

    it('refuses staff commands without a session', () => {
      node = createTestNode();
      expectError(node.engine.execute('staff-session', {}), 'UNAUTHORIZED');
      expectError(node.engine.execute('staff-session', {}, { session: 'forged' }), 'UNAUTHORIZED');
    });
  });

  describe('staff-override', () => {
    it('records which manager authorized what and why, and hands back a single-use override', () => {
      node = createTestNode();
      const override = expectOk(
        node.engine.execute(
          'staff-override',
          {
            managerCode: 'M1',
            managerPin: '1234',
            action: 'cash-out-over-limit',
            reason: 'pay the window cleaner',
          },
          { session: node.sessions.cashier },
        ),
      );
      expect(override).toMatchObject({ action: 'cash-out-over-limit', managerName: TEST_STAFF.manager.name });
      const [entry] = expectOk(
        node.engine.execute(
          'audit-log-list',
          { limit: 1, action: 'staff-override' },
          { session: node.sessions.manager },
        ),
      ).entries;
      expect(entry).toMatchObject({
        action: 'staff-override',
        overrideId: override.overrideId,
        subject: 'cash-out-over-limit',
        details: { managerId: override.managerId, reason: 'pay the window cleaner' },
      });
    });

    it('refuses a wrong manager PIN and counts it towards the manager lockout', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute(
          'staff-override',
          { managerCode: 'M1', managerPin: '0000', action: 'sale-void', reason: 'customer left' },
          { session: node.sessions.cashier },
        ),
        'UNAUTHORIZED',
      );
      expect(error.details).toEqual({ attemptsLeft: 4 });
      expect(auditActions(1)).toEqual(['staff-override-failed']);
    });

    it('refuses an override from someone who is not a manager', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute(
          'staff-override',
          { managerCode: 'S1', managerPin: '2222', action: 'sale-void', reason: 'customer left' },
          { session: node.sessions.cashier },
        ),
        'FORBIDDEN',
      );
      expect(error.message).toBe('Sam Supervisor is not a manager; a manager must authorize this.');
    });

    it('refuses an override for an unknown manager code', () => {
      node = createTestNode();
      expectError(
        node.engine.execute(
          'staff-override',
          { managerCode: 'X9', managerPin: '1234', action: 'sale-void', reason: 'customer left' },
          { session: node.sessions.cashier },
        ),
        'UNAUTHORIZED',
      );
    });
  });

  describe('staff-create', () => {
    it('adds a staff member who can then sign in', () => {
      node = createTestNode();
      const created = expectOk(
        node.engine.execute(
          'staff-create',
          { staffCode: 'C9', name: 'New Cashier', role: 'cashier', pin: '424242' },
          { session: node.sessions.manager },
        ),
      );
      expect(created).toMatchObject({ staffCode: 'C9', role: 'cashier', active: true });
      expectOk(node.engine.execute('staff-sign-in', { staffCode: 'C9', pin: '424242' }));
    });

    it('tells the hub who created whom with which role, in the same transaction, without the PIN', () => {
      node = createTestNode();
      const manager = expectOk(
        node.engine.execute('staff-session', {}, { session: node.sessions.manager }),
      ).staff;
      const before = checkedOutbox(node.engine).length;
      const created = expectOk(
        node.engine.execute(
          'staff-create',
          { staffCode: 'S9', name: 'New Supervisor', role: 'supervisor', pin: '424242' },
          { session: node.sessions.manager },
        ),
      );
      const events = checkedOutbox(node.engine).slice(before);
      expect(events.map((event) => event.type)).toEqual(['staff.created']);
      expect(events[0]!.payload).toEqual({
        staffId: created.staffId,
        staffCode: 'S9',
        name: 'New Supervisor',
        role: 'supervisor',
        createdBy: manager.staffId,
        createdAt: new Date(node.clock.now()).toISOString(),
      });
      expect(JSON.stringify(events[0])).not.toContain('424242');
      const pinHash = node.engine.db
        .prepare('SELECT pin_hash AS pinHash FROM staff WHERE staff_id = ?')
        .get(created.staffId) as { pinHash: string };
      expect(JSON.stringify(events[0])).not.toContain(pinHash.pinHash);
    });

    it('appends nothing when the staff member is refused', () => {
      node = createTestNode();
      const before = checkedOutbox(node.engine).length;
      expectError(
        node.engine.execute(
          'staff-create',
          { staffCode: 'c1', name: 'Copy', role: 'cashier', pin: '424242' },
          { session: node.sessions.manager },
        ),
        'CONFLICT',
      );
      expect(checkedOutbox(node.engine)).toHaveLength(before);
    });

    it('refuses a staff code that is taken', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute(
          'staff-create',
          { staffCode: 'c1', name: 'Copy', role: 'cashier', pin: '424242' },
          { session: node.sessions.manager },
        ),
        'CONFLICT',
      );
      expect(error.message).toBe('Staff code c1 is already taken by Chris Cashier.');
    });

    it('is for managers only', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute(
          'staff-create',
          { staffCode: 'C9', name: 'New Cashier', role: 'manager', pin: '424242' },
          { session: node.sessions.supervisor },
        ),
        'FORBIDDEN',
      );
      expect(error.message).toBe('Only a manager can do this; you are signed in as a supervisor.');
    });
  });

  describe('staff-unlock', () => {
    it('lifts a lockout at once', () => {
      node = createTestNode();
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        node.engine.execute('staff-sign-in', { staffCode: 'C2', pin: '0000' });
      }
      const listed = expectOk(
        node.engine.execute('staff-list', {}, { session: node.sessions.supervisor }),
      ).staff;
      expect(listed.find((staff) => staff.staffCode === 'C2')?.lockedUntil).not.toBeNull();
      const unlocked = expectOk(
        node.engine.execute('staff-unlock', { staffCode: 'C2' }, { session: node.sessions.manager }),
      );
      expect(unlocked.lockedUntil).toBeNull();
      expectOk(node.engine.execute('staff-sign-in', { staffCode: 'C2', pin: '3333' }));
    });

    it('says so when the staff code is unknown', () => {
      node = createTestNode();
      expectError(
        node.engine.execute('staff-unlock', { staffCode: 'ZZ' }, { session: node.sessions.manager }),
        'NOT_FOUND',
      );
    });
  });

  describe('staff-list', () => {
    it('lists everyone with roles, for supervisors and managers only', () => {
      node = createTestNode();
      const listed = expectOk(
        node.engine.execute('staff-list', {}, { session: node.sessions.supervisor }),
      ).staff;
      expect(listed.map((staff) => [staff.staffCode, staff.role])).toEqual([
        ['C2', 'cashier'],
        ['C1', 'cashier'],
        ['M1', 'manager'],
        ['S1', 'supervisor'],
      ]);
      expectError(node.engine.execute('staff-list', {}, { session: node.sessions.cashier }), 'FORBIDDEN');
    });
  });
});
