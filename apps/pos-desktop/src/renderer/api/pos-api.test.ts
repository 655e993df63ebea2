import { describe, expect, it } from 'vitest';
import { AT, shift } from '../testing/builders';
import { createFakeNode, failure } from '../testing/fake-node';
import { createPosApi, type OverrideRequest } from './pos-api';

function setup(grants: (string | null)[]) {
  const node = createFakeNode();
  const asked: OverrideRequest[] = [];
  const rejected: string[] = [];
  const api = createPosApi({
    client: node,
    session: () => 'session-1',
    onSessionRejected: (error) => rejected.push(error.message),
    requestOverride: (request) => {
      asked.push(request);
      return Promise.resolve(grants.shift() ?? null);
    },
  });
  return { node, api, asked, rejected };
}

const movement = {
  movementId: 'm',
  shiftId: 'shift-1',
  direction: 'out' as const,
  staffId: 's',
  overrideId: 'ov-2',
  movedAt: AT,
};

describe('pos-api', () => {
  describe('call', () => {
    it('sends the session and reports a refused session once', async () => {
      const { node, api, rejected } = setup([]);
      node.handle('shift-current', () =>
        failure('UNAUTHORIZED', 'You are signed out. Sign in with your staff code and PIN.'),
      );
      const result = await api.call('shift-current', {});
      expect(result.ok).toBe(false);
      expect(node.sent[0]?.session).toBe('session-1');
      expect(rejected).toEqual(['You are signed out. Sign in with your staff code and PIN.']);
    });

    it('does not sign anyone out when a manager mistypes an override PIN', async () => {
      const { node, api, rejected } = setup([]);
      node.handle('staff-override', () => failure('UNAUTHORIZED', 'Manager code or PIN is wrong.'));
      await api.call('staff-override', {
        managerCode: '1001',
        managerPin: '0000',
        action: 'sale-void',
        reason: 'x',
      });
      expect(rejected).toEqual([]);
    });
  });

  describe('callWithOverride', () => {
    it('asks for an override with the reason given and sends the command again with it', async () => {
      const { node, api, asked } = setup(['ov-1']);
      node.handle('shift-current', () => ({ shift: shift() }));
      node.handle('shift-cash-out', (input) =>
        input.overrideId === 'ov-1'
          ? { ...movement, amount: input.amount, reason: input.reason, overrideId: 'ov-1' }
          : failure('OVERRIDE_REQUIRED', 'Ask a manager.', { action: 'cash-out-over-limit' }),
      );
      const result = await api.callWithOverride('shift-cash-out', { amount: 30000, reason: 'Supplier' });
      expect(result.ok).toBe(true);
      expect(asked).toEqual([
        { action: 'cash-out-over-limit', message: 'Ask a manager.', reason: 'Supplier' },
      ]);
    });

    it('asks again once when the override expired before it was used, then gives the failure back', async () => {
      const { node, api, asked } = setup(['ov-1', 'ov-2', 'ov-3']);
      node.handle('shift-cash-out', () =>
        failure(
          'OVERRIDE_REQUIRED',
          'That manager override has expired. Ask a manager to authorize it again.',
          {
            action: 'cash-out-over-limit',
          },
        ),
      );
      const result = await api.callWithOverride('shift-cash-out', { amount: 30000, reason: 'Supplier' });
      expect(result.ok).toBe(false);
      expect(asked).toHaveLength(2);
      expect(node.inputs('shift-cash-out').map((input) => input.overrideId)).toEqual([
        undefined,
        'ov-1',
        'ov-2',
      ]);
    });

    it('gives the node sentence back when the cashier cancels the override', async () => {
      const { node, api } = setup([null]);
      node.handle('sale-void', () =>
        failure('OVERRIDE_REQUIRED', 'Voiding needs a manager.', { action: 'sale-void' }),
      );
      const result = await api.callWithOverride('sale-void', { saleId: 'sale-1', reason: 'left' });
      expect(result).toEqual({
        ok: false,
        error: {
          code: 'OVERRIDE_REQUIRED',
          message: 'Voiding needs a manager.',
          details: { action: 'sale-void' },
        },
      });
    });
  });
});
