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
      act(() => node.setConnection('offline'));
      expect(within(bar).getByText('Store node unreachable: reconnecting')).toBeTruthy();
    });
  });
});
