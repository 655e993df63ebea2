import { cleanup, render, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach } from 'vitest';
import type { HqRole, StoreNode } from '../api/api-types';
import { App } from '../app/app';
import { createDashboardServices, DashboardProvider, type DashboardServices } from '../app/dashboard-context';
import { memoryNavigation } from '../app/router';
import { SESSION_KEY } from '../app/session-store';
import { createDashboardFormat } from '../format/format';
import { createFakeHub, type FakeHub } from './fake-hub';
import { memoryStorage } from './memory-storage';

afterEach(() => cleanup());

/** 2026-11-23 12:00 UTC: every test reads the same clock. */
export const NOW = Date.UTC(2026, 10, 23, 12, 0);

export const NODES: StoreNode[] = [
  node('store-1', 'S001', 'Dublin Grafton St'),
  node('store-2', 'S002', 'Cork Patrick St'),
];

export function node(
  nodeId: string,
  code: string,
  name: string,
  overrides: Partial<StoreNode> = {},
): StoreNode {
  return {
    nodeId,
    code,
    name,
    kind: 'store',
    region: 'ie-east',
    pickupEnabled: true,
    shipEnabled: false,
    shipPickCapacity: 0,
    pickCapacity: 20,
    jurisdiction: 'IE',
    currency: 'EUR',
    timezone: 'Europe/Dublin',
    active: true,
    version: 1,
    ...overrides,
  };
}

export interface DashboardHarness {
  readonly hub: FakeHub;
  readonly services: DashboardServices;
  readonly storage: Storage;
  readonly navigation: ReturnType<typeof memoryNavigation>;
  readonly user: ReturnType<typeof userEvent.setup>;
  readonly view: RenderResult;
}

/** Renders the whole dashboard against a fake hub: the real API client, stores and screens. */
export function renderDashboard(
  options: { signedInAs?: HqRole; at?: string; setup?: (hub: FakeHub) => void } = {},
): DashboardHarness {
  const hub = createFakeHub();
  hub.handle('GET /api/nodes', () => NODES);
  hub.handle('POST /api/auth/logout', () => ({ done: true }));
  options.setup?.(hub);
  const storage = memoryStorage();
  if (options.signedInAs !== undefined) {
    storage.setItem(
      SESSION_KEY,
      JSON.stringify({
        token: 'hs_test-session',
        expiresAt: NOW + 3_600_000,
        user: { userId: 'u1', username: 'hq.ana', role: options.signedInAs, active: true, createdAt: 0 },
      }),
    );
  }
  const navigation = memoryNavigation(options.at ?? '/');
  const services = createDashboardServices({
    fetch: hub.fetch,
    storage,
    navigation,
    format: createDashboardFormat('en-IE', 'UTC'),
    now: () => NOW,
  });
  const user = userEvent.setup();
  const view = render(
    <DashboardProvider services={services}>
      <App />
    </DashboardProvider>,
  );
  return { hub, services, storage, navigation, user, view };
}
