// @vitest-environment happy-dom
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { syncStatus } from '../testing/builders';
import { renderPos } from '../testing/render-pos';

describe('sync-status-bar', () => {
  describe('SyncStatusBar', () => {
    it('is on the sign-in screen too, with the hub state, waiting events and last update', async () => {
      renderPos({
        setup: (node) =>
          node.handle('sync-status', () =>
            syncStatus({
              agent: 'offline',
              pendingEvents: 12,
              oldestPendingAt: new Date(Date.now() - 5.5 * 60_000).toISOString(),
              lastFeedAppliedAt: '2026-11-23T09:30:00.000Z',
            }),
          ),
      });
      const bar = await screen.findByRole('status', { name: 'Sync status' });
      expect(await within(bar).findByText('Offline: sales are kept and sent later')).toBeTruthy();
      expect(within(bar).getByText('12 events waiting (oldest 5 min)')).toBeTruthy();
      expect(within(bar).getByText('Last hub update 23/11/2026, 09:30')).toBeTruthy();
      expect(within(bar).getByText('Store node connected')).toBeTruthy();
      expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
    });

    it('follows the node notifications and the connection to the node', async () => {
      const { node } = renderPos();
      const bar = await screen.findByRole('status', { name: 'Sync status' });
      await within(bar).findByText('No hub configured');
      act(() => node.notify('sync-status', syncStatus({ agent: 'live', pendingEvents: 0 })));
      expect(within(bar).getByText('Online')).toBeTruthy();
      expect(within(bar).getByText('All events sent')).toBeTruthy();
      expect(within(bar).getByText('Settings: till defaults')).toBeTruthy();
      act(() =>
        node.notify(
          'sync-status',
          syncStatus({
            agent: 'live',
            settingsVersion: { version: 7, publishedAt: '2026-11-23T09:30:00.000Z' },
          }),
        ),
      );
      expect(within(bar).getByText('Settings v7')).toBeTruthy();
      act(() => node.setConnection('offline'));
      expect(within(bar).getByText('Store node unreachable: reconnecting')).toBeTruthy();
    });

    it('lists every event the hub refused with its reason, and lets staff ask for a sync now', async () => {
      const { user, node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          n.handle('shift-current', () => ({ shift: null }));
          n.handle('sale-current', () => ({ sale: null }));
          n.handle('sync-status', () =>
            syncStatus({
              hubUrl: 'https://hub.example.com',
              agent: 'live',
              state: 'live',
              online: true,
              lastPullAt: '2026-11-23T10:05:00.000Z',
              rejected: [
                {
                  eventId: 'e-7',
                  deviceSeq: 7,
                  reason: 'SKU X-99 is unknown at the hub.',
                  rejectedAt: '2026-11-23T10:01:00.000Z',
                },
              ],
            }),
          );
          n.handle('sync-now', () =>
            syncStatus({ hubUrl: 'https://hub.example.com', agent: 'live', state: 'live' }),
          );
        },
      });
      const bar = await screen.findByRole('status', { name: 'Sync status' });
      expect(await within(bar).findByText('Last hub update 23/11/2026, 10:05')).toBeTruthy();
      await user.click(within(bar).getByRole('button', { name: '1 event refused by the hub' }));
      const dialog = await screen.findByRole('dialog', { name: 'Events the hub refused' });
      expect(within(dialog).getByText('SKU X-99 is unknown at the hub.')).toBeTruthy();
      expect(within(dialog).getByText('Event #7 · 23/11/2026, 10:01')).toBeTruthy();
      await user.click(within(dialog).getByRole('button', { name: 'Close' }));
      await user.click(within(bar).getByRole('button', { name: 'Sync now' }));
      expect(node.inputs('sync-now')).toEqual([{}]);
      expect(node.sent.find((entry) => entry.name === 'sync-now')?.session).toBe('session-cashier');
    });

    it('asks the node to try the hub at once when the operating system says the network is back', async () => {
      const { node } = renderPos({
        signedInAs: 'cashier',
        setup: (n) => {
          n.handle('shift-current', () => ({ shift: null }));
          n.handle('sale-current', () => ({ sale: null }));
          n.handle('sync-status', () =>
            syncStatus({ hubUrl: 'https://hub.example.com', agent: 'offline', state: 'offline' }),
          );
          n.handle('sync-now', () =>
            syncStatus({ hubUrl: 'https://hub.example.com', agent: 'live', state: 'live' }),
          );
        },
      });
      const bar = await screen.findByRole('status', { name: 'Sync status' });
      await within(bar).findByText('Offline: sales are kept and sent later');
      act(() => {
        window.dispatchEvent(new Event('online'));
      });
      await within(bar).findByText('Online');
      expect(node.inputs('sync-now')).toEqual([{}]);
    });

    it('says when sync stopped on an error only a person can fix', async () => {
      renderPos({
        setup: (n) =>
          n.handle('sync-status', () =>
            syncStatus({
              hubUrl: 'https://hub.example.com',
              agent: 'offline',
              state: 'error',
              error: {
                code: 'UNAUTHORIZED',
                message: 'The hub no longer accepts this device; enroll it again.',
              },
            }),
          ),
      });
      const bar = await screen.findByRole('status', { name: 'Sync status' });
      expect(
        await within(bar).findByText(
          'Hub sync stopped: The hub no longer accepts this device; enroll it again.',
        ),
      ).toBeTruthy();
    });
  });
});
