// @vitest-environment happy-dom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AuditEntry, HqStaff, StoreCreatedStaff } from '../../api/api-types';
import { failure, type FakeHub } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

function member(overrides: Partial<HqStaff> = {}): HqStaff {
  return {
    staffId: 'st-1',
    staffCode: 'C100',
    name: 'Casey Cashier',
    role: 'cashier',
    active: true,
    stores: ['store-1'],
    version: 3,
    deactivatedAt: null,
    updatedAt: NOW,
    updatedBy: 'user:hq.ana',
    ...overrides,
  };
}

function scriptStaff(hub: FakeHub): void {
  hub.handle('GET /api/staff', () => [
    member(),
    member({ staffId: 'st-2', staffCode: 'M1', name: 'Max', role: 'manager', stores: [] }),
  ]);
  hub.handle('POST /api/staff', ({ body }) => ({
    ...member(),
    ...(body as object),
    staffId: 'st-9',
    version: 1,
  }));
  hub.handle('PATCH /api/staff/:staffId', ({ params }) =>
    params.staffId === 'st-2'
      ? failure('CONFLICT', 'Max was changed by user:hq.bo since you opened it (version 4, you saw 3).')
      : { ...member(), active: false, version: 4 },
  );
}

function storeCreated(overrides: Partial<StoreCreatedStaff> = {}): StoreCreatedStaff {
  return {
    staffId: 'sc-1',
    storeId: 'store-1',
    staffCode: 'S7',
    name: 'Sid Supervisor',
    claimedRole: 'supervisor',
    role: 'supervisor',
    status: 'verified',
    verified: true,
    reason: null,
    createdBy: 'st-2',
    createdByName: 'Max',
    deviceId: 'dev-1',
    eventId: 'ev-1',
    createdAt: NOW,
    recordedAt: NOW,
    exceptionId: null,
    ...overrides,
  };
}

describe('staff-screen', () => {
  describe('StaffScreen', () => {
    it('shows the staff stores created themselves, who created them and whether the hub believes the role', async () => {
      renderDashboard({
        signedInAs: 'viewer',
        at: '/staff',
        setup: (hub) => {
          scriptStaff(hub);
          hub.handle('GET /api/staff/store-created', () => [
            storeCreated(),
            storeCreated({
              staffId: 'sc-2',
              staffCode: 'M9',
              name: 'Mo Fake',
              claimedRole: 'manager',
              role: 'cashier',
              status: 'rejected',
              verified: false,
              reason: 'sc-1 is a supervisor by the hub’s records; only a manager may create staff.',
              createdBy: 'sc-1',
              createdByName: 'Sid Supervisor',
            }),
          ]);
        },
      });
      const table = await screen.findByRole('table', { name: 'Staff stores created themselves' });
      const verified = within(table).getByRole('row', { name: /S7/ });
      expect(verified.textContent).toContain('S001 Dublin Grafton St');
      expect(verified.textContent).toContain('Max');
      expect(verified.textContent).toContain('Verified');
      const rejected = within(table).getByRole('row', { name: /M9/ });
      expect(
        within(rejected)
          .getAllByRole('cell')
          .map((cell) => cell.textContent),
      ).toEqual([
        'Mo Fake',
        'S001 Dublin Grafton St',
        'Manager',
        'Cashier',
        'Sid Supervisor',
        expect.any(String),
        'Not believedsc-1 is a supervisor by the hub’s records; only a manager may create staff.',
      ]);
    });

    it('lists staff with their stores and shows a viewer no editing', async () => {
      renderDashboard({ signedInAs: 'viewer', at: '/staff', setup: scriptStaff });
      const table = await screen.findByRole('table', { name: 'Staff members' });
      expect(within(table).getByRole('row', { name: /C100/ }).textContent).toContain(
        'S001 Dublin Grafton St',
      );
      expect(within(table).getByRole('row', { name: /M1/ }).textContent).toContain('Every store');
      expect(screen.queryByRole('form', { name: 'Add a staff member' })).toBeNull();
      expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
    });

    it('lets an admin add a staff member for the stores ticked, sending the PIN once', async () => {
      const { user, hub } = renderDashboard({ signedInAs: 'admin', at: '/staff', setup: scriptStaff });
      const form = await screen.findByRole('form', { name: 'Add a staff member' });
      await user.type(within(form).getByLabelText('Staff code'), 'S200');
      await user.type(within(form).getByLabelText('Name'), 'Sasha Supervisor');
      await user.selectOptions(within(form).getByLabelText('Role'), 'supervisor');
      await user.type(within(form).getByLabelText('PIN'), '2468');
      await user.click(within(form).getByRole('checkbox', { name: /S002 Cork Patrick St/ }));
      await user.click(within(form).getByRole('button', { name: 'Create staff member' }));
      expect((await screen.findByRole('status')).textContent).toContain('Sasha Supervisor was created');
      expect(hub.sent('POST', '/api/staff')).toEqual([
        { staffCode: 'S200', name: 'Sasha Supervisor', role: 'supervisor', pin: '2468', stores: ['store-2'] },
      ]);
      expect((within(form).getByLabelText('PIN') as HTMLInputElement).value).toBe('');
    });

    it('lets an admin vouch for store staff the hub does not believe, at most in the role the store gave', async () => {
      let list = [
        storeCreated(),
        storeCreated({
          staffId: 'sc-3',
          staffCode: 'S8',
          name: 'Sam Setup',
          claimedRole: 'supervisor',
          role: 'cashier',
          status: 'unverified',
          verified: false,
          reason: 'The hub has no record of setup-1, who the till says created them.',
          createdBy: 'setup-1',
          createdByName: null,
        }),
      ];
      const { user, hub } = renderDashboard({
        signedInAs: 'admin',
        at: '/staff',
        setup: (fake) => {
          scriptStaff(fake);
          fake.handle('GET /api/staff/store-created', () => list);
          fake.handle('POST /api/staff/store-created/:staffId/vouch', ({ params, body }) => {
            const role = (body as { role: StoreCreatedStaff['role'] }).role;
            list = list.map((each) =>
              each.staffId === params.staffId
                ? { ...each, role, status: 'verified', verified: true, reason: null }
                : each,
            );
            return list.find((each) => each.staffId === params.staffId);
          });
        },
      });
      const table = await screen.findByRole('table', { name: 'Staff stores created themselves' });
      // Only someone the hub does not believe can be vouched for.
      expect(within(table).queryByRole('button', { name: 'Vouch for Sid Supervisor' })).toBeNull();
      await user.click(within(table).getByRole('button', { name: 'Vouch for Sam Setup' }));
      const form = screen.getByRole('form', { name: 'Vouch for Sam Setup at S001 Dublin Grafton St' });
      const roles = within(form).getByLabelText('Role');
      expect(
        within(roles)
          .getAllByRole('option')
          .map((option) => option.textContent),
      ).toEqual(['Cashier', 'Supervisor']);
      expect((roles as HTMLSelectElement).value).toBe('supervisor');
      await user.click(within(form).getByRole('button', { name: 'Vouch' }));
      expect((await screen.findByText('Sam Setup is verified as Supervisor.')).getAttribute('role')).toBe(
        'status',
      );
      expect(hub.sent('POST', '/api/staff/store-created/sc-3/vouch')).toEqual([{ role: 'supervisor' }]);
      const row = within(
        await screen.findByRole('table', { name: 'Staff stores created themselves' }),
      ).getByRole('row', { name: /S8/ });
      expect(row.textContent).toContain('Verified');
      expect(within(row).queryByRole('button')).toBeNull();
    });

    it('shows a viewer no vouching for store staff', async () => {
      renderDashboard({
        signedInAs: 'viewer',
        at: '/staff',
        setup: (fake) => {
          scriptStaff(fake);
          fake.handle('GET /api/staff/store-created', () => [
            storeCreated({ staffId: 'sc-3', name: 'Sam Setup', status: 'unverified', verified: false }),
          ]);
        },
      });
      await screen.findByRole('table', { name: 'Staff stores created themselves' });
      expect(screen.queryByRole('button', { name: /Vouch/ })).toBeNull();
    });

    it('deactivates at the version on screen and shows a conflicting change as the hub words it', async () => {
      const { user, hub } = renderDashboard({ signedInAs: 'admin', at: '/staff', setup: scriptStaff });
      await user.click(await screen.findByRole('button', { name: 'Edit Casey Cashier' }));
      await user.click(screen.getByRole('button', { name: 'Deactivate Casey Cashier' }));
      expect((await screen.findByRole('status')).textContent).toContain('Casey Cashier is deactivated');
      expect(hub.sent('PATCH', '/api/staff/st-1')).toEqual([{ expectedVersion: 3, active: false }]);

      await user.click(screen.getByRole('button', { name: 'Edit Max' }));
      const edit = screen.getByRole('form', { name: 'Edit Max (version 3)' });
      await user.click(within(edit).getByRole('button', { name: 'Save changes' }));
      expect((await within(edit).findByRole('alert')).textContent).toContain('changed by user:hq.bo');
    });
  });
});

describe('audit-screen', () => {
  it('shows who changed what with the state before and after, filtered by kind', async () => {
    const entries: AuditEntry[] = [
      {
        auditId: 'a2',
        at: NOW,
        actor: 'user:hq.ana',
        action: 'settings.set',
        subject: 'setting:pos.returns.noReceiptWindowDays',
        nodeId: null,
        before: 30,
        after: 14,
      },
    ];
    const { user, hub } = renderDashboard({
      signedInAs: 'viewer',
      at: '/audit',
      setup: (fake) => fake.handle('GET /api/audit', () => entries),
    });
    const table = await screen.findByRole('table', { name: 'Audit entries' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('user:hq.ana');
    expect(row.textContent).toContain('settings.set');
    expect(row.textContent).toContain('30');
    expect(row.textContent).toContain('14');
    await user.selectOptions(screen.getByLabelText('Kind'), 'Settings');
    await screen.findByRole('table', { name: 'Audit entries' });
    expect(hub.requests.filter((request) => request.path === '/api/audit').at(-1)?.query).toMatchObject({
      action: 'settings.',
    });
  });

  it("searches the stores' audit trail by store, person, kind and day", async () => {
    const { user, hub } = renderDashboard({
      signedInAs: 'viewer',
      at: '/audit',
      setup: (fake) =>
        fake.handle('GET /api/audit', () => [
          {
            auditId: 'a3',
            at: NOW,
            actor: 'staff:manager-1',
            action: 'store.void',
            subject: 'sale:s-1',
            nodeId: 's1',
            before: null,
            after: { reason: 'customer changed mind' },
          },
        ]),
    });
    const table = await screen.findByRole('table', { name: 'Audit entries' });
    expect(within(table).getAllByRole('row')[1]!.textContent).toContain('store.void');
    await user.selectOptions(screen.getByLabelText('Kind'), 'Store: voids');
    await user.selectOptions(screen.getByLabelText('Store'), 'HQ');
    await user.type(screen.getByLabelText('Who'), 'staff:manager-1');
    await user.type(screen.getByLabelText('From day'), '2026-11-23');
    await screen.findByRole('table', { name: 'Audit entries' });
    const last = hub.requests.filter((request) => request.path === '/api/audit').at(-1)?.query;
    expect(last).toMatchObject({ action: 'store.void', nodeId: 'hq', actor: 'staff:manager-1' });
    expect(Number(last?.from)).toBe(new Date(2026, 10, 23).getTime());
  });
});
