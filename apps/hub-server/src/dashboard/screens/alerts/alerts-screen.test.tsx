// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AlertDelivery, AlertRule } from '../../api/api-types';
import { failure } from '../../testing/fake-hub';
import { NOW, renderDashboard } from '../../testing/render-dashboard';

const RULE: AlertRule = {
  ruleId: 'rule-1',
  name: 'Oversells to ops',
  exceptionType: 'OVERSELL',
  minSeverity: 'critical',
  nodeId: 'store-1',
  channel: 'email',
  url: null,
  emails: ['ops@example.com'],
  enabled: true,
  version: 3,
  createdBy: 'user:hq.ana',
  createdAt: NOW,
  updatedAt: NOW,
  failedDeliveries: 1,
};

const FAILED: AlertDelivery = {
  deliveryId: 'alert-1',
  ruleId: 'rule-1',
  ruleName: 'Oversells to ops',
  exceptionId: 'exc-9',
  exceptionType: 'OVERSELL',
  channel: 'email',
  target: 'ops@example.com',
  status: 'failed',
  attempts: 12,
  nextAttemptAt: null,
  lastError: 'The mail server did not take the e-mail: connection refused',
  lastStatusCode: null,
  createdAt: NOW,
  deliveredAt: null,
};

describe('alerts-screen', () => {
  it('adds an e-mail rule for a kind and store, and lists the failed alerts with their error', async () => {
    let rules: AlertRule[] = [];
    const { hub, user } = renderDashboard({
      signedInAs: 'admin',
      at: '/alerts',
      setup: (fake) => {
        fake.handle('GET /api/alerts/rules', () => rules);
        fake.handle('GET /api/alerts/deliveries', () => [FAILED]);
        fake.handle('POST /api/alerts/rules', ({ body }) => {
          rules = [{ ...RULE, ...(body as object), ruleId: 'rule-2', version: 1, failedDeliveries: 0 }];
          return { rule: rules[0], secret: null };
        });
      },
    });
    await screen.findByText('No alert rules yet.');
    const form = screen.getByRole('form', { name: 'Add an alert rule' });
    await user.type(within(form).getByLabelText('Name'), 'Oversells at Grafton St');
    await user.selectOptions(within(form).getByLabelText('Exception kind'), 'OVERSELL');
    await user.selectOptions(within(form).getByLabelText('From severity'), 'warning');
    await user.selectOptions(within(form).getByLabelText('Store'), 'store-1');
    await user.type(
      within(form).getByLabelText('E-mail addresses (comma-separated)'),
      'ops@example.com, lead@example.com',
    );
    await user.click(within(form).getByRole('button', { name: 'Add rule' }));
    await screen.findByText('Alert rule Oversells at Grafton St added.');
    expect(hub.requests.find((request) => request.method === 'POST')?.body).toEqual({
      name: 'Oversells at Grafton St',
      exceptionType: 'OVERSELL',
      minSeverity: 'warning',
      nodeId: 'store-1',
      enabled: true,
      channel: 'email',
      emails: ['ops@example.com', 'lead@example.com'],
    });
    const table = await screen.findByRole('table', { name: 'Alert rules' });
    expect(within(table).getByRole('row', { name: /Oversells at Grafton St/ }).textContent).toContain(
      'S001 Dublin Grafton St',
    );
    const failed = screen.getByRole('table', { name: 'Failed alerts' });
    expect(within(failed).getByRole('row', { name: /Oversells to ops/ }).textContent).toContain(
      'connection refused',
    );
  });

  it('saves a change at the version shown and shows the hub sentence when someone changed it first', async () => {
    const { hub, user } = renderDashboard({
      signedInAs: 'admin',
      at: '/alerts',
      setup: (fake) => {
        fake.handle('GET /api/alerts/rules', () => [RULE]);
        fake.handle('GET /api/alerts/deliveries', () => []);
        fake.handle('PUT /api/alerts/rules/:ruleId', () =>
          failure('CONFLICT', 'Alert rule rule-1 was changed by someone else (version 4, you saw 3).'),
        );
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Edit Oversells to ops' }));
    const form = screen.getByRole('form', { name: 'Change Oversells to ops' });
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('changed by someone else');
    expect(hub.requests.find((request) => request.method === 'PUT')?.body).toMatchObject({ version: 3 });
  });

  it('lets a viewer look without changing anything', async () => {
    renderDashboard({
      signedInAs: 'viewer',
      at: '/alerts',
      setup: (fake) => {
        fake.handle('GET /api/alerts/rules', () => [RULE]);
        fake.handle('GET /api/alerts/deliveries', () => [FAILED]);
      },
    });
    await screen.findByRole('table', { name: 'Alert rules' });
    await waitFor(() => expect(screen.getByRole('table', { name: 'Failed alerts' })).toBeTruthy());
    expect(screen.queryByRole('form', { name: 'Add an alert rule' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Send again' })).toBeNull();
  });
});
