import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { StaffFeedSchema } from '@retail/sync';
import { verifyPin } from '@retail/sync/pin-hash';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { listExceptions } from '../exceptions/exception-queue';
import { readFeed } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, enrollTestDevice, saleOf, seedWorld } from '../test-support/fixtures';

describe.each(backendKinds())('staff/hq-staff on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
    const password = 'correct horse battery';
    await createUser(hub, { username: 'admin-user', password, role: 'admin' });
    await createUser(hub, { username: 'viewer-user', password, role: 'viewer' });
    admin = (await login(hub, { username: 'admin-user', password })).token;
    viewer = (await login(hub, { username: 'viewer-user', password })).token;
    ({ app } = await buildApp({ hub, sync: { socket: false } }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, token: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const body = (response: { json(): unknown }) =>
    response.json() as {
      ok: boolean;
      value: Record<string, unknown>;
      error: { code: string; message: string };
    };

  async function staffFeedRow(staffId: string) {
    const page = await readFeed(storage.db, 's1', 0, 10_000);
    const rows = page.changes.filter((change) => change.entity === 'staff' && change.key === staffId);
    expect(rows).toHaveLength(1);
    return StaffFeedSchema.parse(rows[0]!.data);
  }

  async function auditOf(subject: string) {
    const response = await send('GET', `/api/audit?subject=${encodeURIComponent(subject)}`, viewer);
    expect(response.statusCode).toBe(200);
    return (
      response.json() as { value: { action: string; actor: string; before: unknown; after: unknown }[] }
    ).value;
  }

  describe('createStaff', () => {
    it('hashes the PIN, never shows it, publishes the staff member to the tills and audits it', async () => {
      const created = await send('POST', '/api/staff', admin, {
        staffCode: 'C100',
        name: 'Casey Cashier',
        role: 'cashier',
        pin: '482913',
        stores: ['s1'],
      });
      expect(created.statusCode).toBe(201);
      const staff = body(created).value;
      expect(staff).toMatchObject({
        staffCode: 'C100',
        role: 'cashier',
        active: true,
        stores: ['s1'],
        version: 1,
      });
      expect(JSON.stringify(staff)).not.toMatch(/482913|pin/i);

      const row = await staffFeedRow(staff.staffId as string);
      expect(row).toMatchObject({ staffCode: 'C100', active: true, stores: ['s1'] });
      expect(verifyPin('482913', row.pinHash)).toBe(true);
      expect(verifyPin('000000', row.pinHash)).toBe(false);
      const stored = await storage.db.selectFrom('hq_staff').select('pin_hash').executeTakeFirstOrThrow();
      expect(stored.pin_hash).not.toContain('482913');

      const audit = await auditOf(`staff:${staff.staffId as string}`);
      expect(audit).toEqual([
        expect.objectContaining({ action: 'staff.create', actor: 'user:admin-user', before: null }),
      ]);
      expect(JSON.stringify(audit)).not.toMatch(/482913|scrypt/);
      const listed = body(await send('GET', '/api/staff', viewer)).value as unknown as {
        staffCode: string;
      }[];
      expect(listed.map((entry) => entry.staffCode)).toContain('C100');
    });

    it('refuses a taken code in any case, an unknown store and a viewer, writing nothing', async () => {
      const before = (await readFeed(storage.db, 's1', 0, 10_000)).cursor;
      const taken = await send('POST', '/api/staff', admin, {
        staffCode: 'c100',
        name: 'Other',
        role: 'cashier',
        pin: '1234',
      });
      expect(taken.statusCode).toBe(409);
      expect(body(taken).error.message).toContain('already taken by Casey Cashier');
      const unknown = await send('POST', '/api/staff', admin, {
        staffCode: 'X1',
        name: 'X',
        role: 'manager',
        pin: '1234',
        stores: ['nowhere'],
      });
      expect(unknown.statusCode).toBe(400);
      expect(body(unknown).error.message).toContain('nowhere');
      const forbidden = await send('POST', '/api/staff', viewer, {
        staffCode: 'X2',
        name: 'X',
        role: 'manager',
        pin: '1234',
      });
      expect(forbidden.statusCode).toBe(403);
      const badPin = await send('POST', '/api/staff', admin, {
        staffCode: 'X3',
        name: 'X',
        role: 'manager',
        pin: '12',
      });
      expect(badPin.statusCode).toBe(400);
      expect((await readFeed(storage.db, 's1', 0, 10_000)).cursor).toBe(before);
    });
  });

  describe('updateStaff', () => {
    it('refuses a stale version and deactivates at the version the operator saw, with before and after', async () => {
      const created = body(
        await send('POST', '/api/staff', admin, {
          staffCode: 'M200',
          name: 'Max Manager',
          role: 'manager',
          pin: '9911',
        }),
      ).value;
      const staffId = created.staffId as string;
      const renamed = await send('PATCH', `/api/staff/${staffId}`, admin, {
        expectedVersion: 1,
        name: 'Max Manager-Smith',
        pin: '7777',
      });
      expect(renamed.statusCode).toBe(200);
      expect(verifyPin('7777', (await staffFeedRow(staffId)).pinHash)).toBe(true);

      const stale = await send('PATCH', `/api/staff/${staffId}`, admin, {
        expectedVersion: 1,
        active: false,
      });
      expect(stale.statusCode).toBe(409);
      expect(body(stale).error.message).toContain('version 2');
      expect((await staffFeedRow(staffId)).active).toBe(true);

      const deactivated = await send('PATCH', `/api/staff/${staffId}`, admin, {
        expectedVersion: 2,
        active: false,
      });
      expect(body(deactivated).value).toMatchObject({ active: false, version: 3 });
      expect((await staffFeedRow(staffId)).active).toBe(false);

      const audit = await auditOf(`staff:${staffId}`);
      expect(audit.map((entry) => entry.action)).toEqual([
        'staff.deactivate',
        'staff.update',
        'staff.create',
      ]);
      expect(audit[0]).toMatchObject({
        before: { active: true, version: 2 },
        after: { active: false, version: 3 },
      });
      expect(audit[1]).toMatchObject({
        before: { name: 'Max Manager' },
        after: { name: 'Max Manager-Smith', pinChanged: true },
      });
      expect((await auditOf('staff:')).length).toBeGreaterThanOrEqual(4);
    });
  });

  describe('ingest of events naming HQ staff', () => {
    it('accepts them at the stores HQ listed, refuses them elsewhere, and flags work after a deactivation', async () => {
      const created = body(
        await send('POST', '/api/staff', admin, {
          staffCode: 'S300',
          name: 'Sam',
          role: 'cashier',
          pin: '1357',
          stores: ['s1'],
        }),
      ).value;
      const staffId = created.staffId as string;
      const device = async (nodeId: string) => {
        const enrolled = await enrollTestDevice(hub, nodeId);
        const principal = { deviceId: enrolled.deviceId, storeId: enrolled.storeId };
        return { events: new EventFactory(principal), principal };
      };
      const sale = (nodeId: string) => ({
        ...saleOf([{ sku: 'A', qty: 1 }], { staffId }),
        shiftId: `shift-${nodeId}-${randomUUID()}`,
      });
      const s1 = await device('s1');
      const atS1 = s1.events.next('sale.completed', sale('s1'));
      const first = await pushEvents(hub, s1.principal, { ...s1.principal, events: [atS1] });
      expect(first.results[0]!.status).toBe('accepted');
      const owner = await storage.db
        .selectFrom('store_staff')
        .selectAll()
        .where('staff_id', '=', staffId)
        .execute();
      expect(owner).toEqual([]);

      const s2 = await device('s2');
      const atS2 = s2.events.next('sale.completed', sale('s2'));
      const refused = await pushEvents(hub, s2.principal, { ...s2.principal, events: [atS2] });
      expect(refused.results[0]!.status).toBe('rejected');
      expect(refused.results[0]).toMatchObject({ reason: expect.stringContaining('may work only at s1') });

      // Everywhere once HQ lists no store.
      await send('PATCH', `/api/staff/${staffId}`, admin, { expectedVersion: 1, stores: [] });
      const later = s2.events.next('sale.completed', sale('s2'));
      expect(
        (await pushEvents(hub, s2.principal, { ...s2.principal, events: [later] })).results[0]!.status,
      ).toBe('accepted');

      await send('PATCH', `/api/staff/${staffId}`, admin, { expectedVersion: 2, active: false });
      const afterDeactivation = {
        ...s1.events.next('sale.completed', sale('s1')),
        occurredAt: new Date(hub.now() + 60_000).toISOString(),
      };
      const offline = await pushEvents(hub, s1.principal, { ...s1.principal, events: [afterDeactivation] });
      expect(offline.results[0]!.status).toBe('accepted');
      const flagged = await listExceptions(storage.db, { type: 'STAFF_DEACTIVATED', limit: 10 });
      expect(flagged).toEqual([
        expect.objectContaining({
          nodeId: 's1',
          causeEventIds: [afterDeactivation.eventId],
          details: expect.objectContaining({ staffId }),
        }),
      ]);
    });
  });

  describe('hq audit', () => {
    it('records settings changes with the value before and after, and refuses rewriting the log', async () => {
      const key = 'pos.returns.noReceiptWindowDays';
      const chain = { kind: 'chain' };
      await send('PUT', `/api/settings/${key}`, admin, { scope: chain, value: 30, expectedVersion: 0 });
      await send('PUT', `/api/settings/${key}`, admin, { scope: chain, value: 14, expectedVersion: 1 });
      const audit = await auditOf(`setting:${key}@chain`);
      expect(audit).toEqual([
        expect.objectContaining({
          action: 'settings.set',
          before: { value: 30, version: 1 },
          after: expect.objectContaining({ value: 14, version: 2 }),
        }),
        expect.objectContaining({
          action: 'settings.set',
          before: null,
          after: expect.objectContaining({ value: 30, version: 1 }),
        }),
      ]);
      await expect(
        storage.db.updateTable('hq_audit').set({ actor: 'someone else' }).execute(),
      ).rejects.toThrow();
      await expect(storage.db.deleteFrom('hq_audit').execute()).rejects.toThrow();
    });
  });
});
