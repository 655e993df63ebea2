// @vitest-environment happy-dom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerDisplayState } from '../../shared/customer-display';
import { DISPLAY_STORAGE_KEY, DisplayRoot, type DisplayAuth, type DisplayConnector } from './display-root';
import { memoryStorage } from '../testing/memory-storage';

afterEach(() => cleanup());

function fakeConnector() {
  const connections: {
    url: string;
    auth: DisplayAuth;
    on: Parameters<DisplayConnector>[2];
    closed: boolean;
  }[] = [];
  const connect: DisplayConnector = (url, auth, on) => {
    const connection = { url, auth, on, closed: false };
    connections.push(connection);
    return () => {
      connection.closed = true;
    };
  };
  return { connect, connections };
}

const BASE: CustomerDisplayState = {
  registerId: 'lane-2',
  currency: 'EUR',
  locale: 'en-GB',
  storeName: 'Paris Bastille',
  status: 'idle',
  lines: [],
  total: 0,
  paid: 0,
  remaining: 0,
  change: 0,
  discount: 0,
};

describe('display-root', () => {
  describe('DisplayRoot', () => {
    it('pairs with a display code, then shows the sale live: lines, savings, total, change', async () => {
      const user = userEvent.setup();
      const storage = memoryStorage();
      const sockets = fakeConnector();
      render(
        <DisplayRoot
          url="https://10.0.0.5:7443"
          desktop={null}
          storage={storage}
          pair={(code) =>
            Promise.resolve({
              ok: true,
              value: {
                laneId: 'd1',
                kind: 'display',
                name: 'Customer display',
                registerId: 'lane-2',
                credential: code === '7KQ4M2XD' ? 'd'.repeat(43) : '',
                certificateFingerprint: null,
              },
            })
          }
          connect={sockets.connect}
        />,
      );
      expect(
        screen.getByRole('heading', { name: 'Pair this customer display with the store node' }),
      ).toBeTruthy();
      await user.type(screen.getByLabelText('Pairing code'), '7KQ4-M2XD{Enter}');
      expect(sockets.connections.map(({ url, auth }) => ({ url, auth }))).toEqual([
        { url: 'https://10.0.0.5:7443', auth: { lane: 'd'.repeat(43) } },
      ]);
      expect(storage.data.get(DISPLAY_STORAGE_KEY)).toBe('d'.repeat(43));
      const on = sockets.connections[0]!.on;
      act(() => on.state(BASE));
      expect(screen.getByRole('heading', { name: 'Welcome to Paris Bastille' })).toBeTruthy();
      act(() =>
        on.state({
          ...BASE,
          status: 'open',
          lines: [
            {
              lineId: 'l1',
              name: 'Apples',
              unit: 'each',
              qty: 3,
              amount: 122,
              savings: [{ label: 'Apples 10% off', amount: 13 }],
            },
            { lineId: 'l2', name: 'Comté', unit: 'kg', qty: 1250, amount: 3113, savings: [] },
          ],
          total: 3235,
          discount: 13,
        }),
      );
      const apples = screen.getByRole('listitem', { name: 'Apples' });
      expect(apples.textContent).toContain('€1.22');
      expect(apples.textContent).toContain('Apples 10% off -€0.13');
      expect(screen.getByRole('listitem', { name: 'Comté' }).textContent).toContain('1.250');
      expect(screen.getByLabelText('Total').textContent).toBe('€32.35');
      expect(screen.getByLabelText('You save').textContent).toBe('€0.13');
      act(() => on.state({ ...BASE, status: 'completed', lines: [], total: 3235, paid: 4000, change: 765 }));
      expect(screen.getByLabelText('Your change').textContent).toBe('€7.65');
      expect(screen.getByText('Thank you!')).toBeTruthy();
    });

    it('goes back to pairing when the node refuses its credential (revoked)', () => {
      const storage = memoryStorage();
      storage.setItem(DISPLAY_STORAGE_KEY, 'd'.repeat(43));
      const sockets = fakeConnector();
      render(
        <DisplayRoot
          url="https://10.0.0.5:7443"
          desktop={null}
          storage={storage}
          pair={() => Promise.reject(new Error('not used'))}
          connect={sockets.connect}
        />,
      );
      act(() => sockets.connections[0]!.on.refused());
      expect(screen.getByText(/no longer accepts this device/)).toBeTruthy();
      expect(storage.data.has(DISPLAY_STORAGE_KEY)).toBe(false);
    });

    it('in the desktop shell, shows the register it is given with the launch token, without pairing', () => {
      const sockets = fakeConnector();
      render(
        <DisplayRoot
          url="http://127.0.0.1:7420"
          desktop={{ token: 't'.repeat(43), registerId: 'main' }}
          storage={memoryStorage()}
          pair={() => Promise.reject(new Error('not used'))}
          connect={sockets.connect}
        />,
      );
      expect(sockets.connections[0]!.auth).toEqual({ token: 't'.repeat(43), display: 'main' });
      act(() => sockets.connections[0]!.on.offline());
      expect(within(document.body).getByText('Reconnecting to the till…')).toBeTruthy();
    });
  });
});
