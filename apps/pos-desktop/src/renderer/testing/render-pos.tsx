import { cleanup, render, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach } from 'vitest';
import { App } from '../app/app';
import { PosProvider } from '../app/pos-context';
import { OverrideDialog } from '../components/override-dialog';
import { createPosServices, type PosServices } from '../app/pos-services';
import type { DesktopShell, PosDevices } from '../devices/devices';
import { NODE_INFO, signInAnswer, syncStatus } from './builders';
import { createFakeNode, type FakeNode } from './fake-node';
import type { StaffSummary } from '../../shared/commands';

afterEach(() => cleanup());

/** Peripherals that record what the till asked of them. */
export interface FakeDevices extends PosDevices {
  readonly printed: string[];
  /** The grants the drawer was kicked with (one per opening the node authorized). */
  readonly drawerGrants: string[];
  drawerKicks: number;
}

export function fakeDevices(kind: PosDevices['kind'] = 'desktop', shell?: DesktopShell): FakeDevices {
  const devices: FakeDevices = {
    kind,
    ...(shell === undefined ? {} : { shell }),
    printed: [],
    drawerGrants: [],
    drawerKicks: 0,
    receiptRequest: () => Promise.resolve({}),
    printReceipt(html) {
      devices.printed.push(html);
      return Promise.resolve({ ok: true });
    },
    openCashDrawer(grant) {
      devices.drawerGrants.push(grant);
      devices.drawerKicks += 1;
      return Promise.resolve({ ok: true });
    },
  };
  return devices;
}

export interface PosHarness {
  readonly node: FakeNode;
  readonly devices: FakeDevices;
  readonly services: PosServices;
  readonly user: ReturnType<typeof userEvent.setup>;
  readonly view: RenderResult;
}

export interface RenderOptions {
  /** Start signed in with this role (the sign-in flow itself has its own tests). */
  readonly signedInAs?: StaffSummary['role'];
  readonly registerId?: string;
  /** Scripts the fake node before the first render. */
  readonly setup?: (node: FakeNode) => void;
  /** A single screen instead of the whole app (the override dialog is added next to it). */
  readonly ui?: ReactElement;
  /** The desktop shell's settings bridge (printers, kiosk, backups); absent like in a browser lane. */
  readonly shell?: DesktopShell;
}

/** Renders the till against a fake store node: the real stores, API and screens, faked only at the socket. */
export function renderPos(options: RenderOptions = {}): PosHarness {
  const node = createFakeNode();
  node.handle('node-info', () => NODE_INFO);
  node.handle('sync-status', () => syncStatus());
  let openings = 0;
  node.handle('drawer-open', () => {
    openings += 1;
    return {
      openingId: `opening-${openings}`,
      openedAt: '2026-11-23T10:00:00.000Z',
      grant: `grant-${openings}`,
      expiresAt: '2026-11-23T10:00:30.000Z',
    };
  });
  node.handle('bopis-list', () => ({
    orders: [],
    queue: { waiting: 0, picking: 0, ready: 0, toPutBack: 0, toPack: 0, toShip: 0, oldestWaitingSince: null },
  }));
  options.setup?.(node);
  const devices = fakeDevices('desktop', options.shell);
  const services = createPosServices({ client: node, devices, registerId: options.registerId ?? 'main' });
  if (options.signedInAs) {
    const answer = signInAnswer(options.signedInAs);
    services.session.setState({
      phase: 'signed-in',
      node: NODE_INFO,
      staff: answer.staff,
      session: answer.session,
      expiresAt: answer.expiresAt,
    });
  }
  const user = userEvent.setup();
  // A screen rendered on its own still gets the override dialog the app shell would put next to it.
  const ui = options.ui ? (
    <>
      {options.ui}
      <OverrideDialog />
    </>
  ) : (
    <App />
  );
  const view = render(<PosProvider services={services}>{ui}</PosProvider>);
  return { node, devices, services, user, view };
}
