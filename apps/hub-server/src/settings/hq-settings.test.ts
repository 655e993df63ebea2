import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { FeedChange } from '@retail/sync';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { readFeed, readSnapshot } from '../feed/feed-store';
import { createHubContext, type HubContext } from '../hub-context';
import { createNode, getNode, updateNode } from '../nodes/nodes';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  EventFactory,
  discountedSaleOf,
  enrollTestDevice,
  nodeInput,
  seedWorld,
} from '../test-support/fixtures';
import { listExceptions } from '../exceptions/exception-queue';
import { pushEvents } from '../ingest/hub-ingest';
import { createStaff } from '../staff/hq-staff';
import type { EventPayloads } from '@retail/sync';

const WRITE_OFF = 'pos.stock.countWriteOffApprovalLimit';
const WINDOW = 'pos.returns.noReceiptWindowDays';
const VERSION_KEY = 'pos.settings.version';

/** The config rows a store's feed holds after `from`, as key → value (null for a delete), last one winning. */
function configOf(changes: readonly FeedChange[]): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const change of changes) {
    if (change.entity !== 'config') continue;
    values.set(
      change.key,
      change.op === 'delete' ? null : (change.data as { value: unknown } | undefined)?.value,
    );
  }
  return values;
}

describe.each(backendKinds())('HQ store settings on %s', (kind) => {
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
    await seedWorld(hub, { nodes: [], skus: ['A'] });
    await createNode(hub, nodeInput('n1', { region: 'north' }));
    await createNode(hub, nodeInput('n2', { region: 'north' }));
    await createNode(hub, nodeInput('s1', { region: 'south' }));
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

  const send = (method: 'GET' | 'PUT', url: string, token: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const body = <T>(response: { json(): unknown }) => (response.json() as { value: T }).value;
  const error = (response: { json(): unknown }) =>
    (response.json() as { error: { code: string; message: string } }).error;
  const put = (key: string, scope: object, value: unknown, expectedVersion: number, token = admin) =>
    send('PUT', `/api/settings/${key}`, token, { scope, value, expectedVersion });
  const feedOf = async (nodeId: string, after = 0) =>
    configOf((await readFeed(storage.db, nodeId, after, 10_000)).changes);
  const effective = async (storeId: string) =>
    body<{ version: number; settings: { key: string; value: unknown; source: unknown }[] }>(
      await send('GET', `/api/settings/stores/${storeId}`, viewer),
    );

  it('resolves store over region over chain, and publishes each store its own value and version', async () => {
    expect((await put(WRITE_OFF, { kind: 'chain' }, 5_000, 0)).statusCode).toBe(200);
    expect((await put(WRITE_OFF, { kind: 'region', regionId: 'north' }, 3_000, 0)).statusCode).toBe(200);
    const own = await put(WRITE_OFF, { kind: 'store', storeId: 'n2' }, 1_000, 0);
    expect(own.statusCode).toBe(200);
    expect(body(own)).toMatchObject({ key: WRITE_OFF, value: 1_000, version: 1, revision: 3 });

    expect((await feedOf('n1')).get(WRITE_OFF)).toBe(3_000);
    expect((await feedOf('n2')).get(WRITE_OFF)).toBe(1_000);
    expect((await feedOf('s1')).get(WRITE_OFF)).toBe(5_000);
    // A store's version is the newest change that reaches it: s1 saw only the chain's.
    expect((await feedOf('n1')).get(VERSION_KEY)).toMatchObject({ version: 2 });
    expect((await feedOf('n2')).get(VERSION_KEY)).toMatchObject({ version: 3 });
    expect((await feedOf('s1')).get(VERSION_KEY)).toMatchObject({ version: 1 });

    const n2 = await effective('n2');
    expect(n2.version).toBe(3);
    expect(n2.settings.find((entry) => entry.key === WRITE_OFF)).toEqual({
      key: WRITE_OFF,
      value: 1_000,
      source: { kind: 'store', storeId: 'n2' },
    });
    expect((await effective('n1')).settings.find((entry) => entry.key === WRITE_OFF)?.source).toEqual({
      kind: 'region',
      regionId: 'north',
    });
    expect((await effective('s1')).settings.find((entry) => entry.key === WINDOW)).toEqual({
      key: WINDOW,
      value: null,
      source: null,
    });

    // Another store's own rows never reach a store (feed scope), and a snapshot carries the store's values.
    const upTo = (await readFeed(storage.db, 's1', 0, 10_000)).cursor;
    const snapshot = await readSnapshot(storage.db, 's1', upTo, 0, 1_000);
    expect(configOf(snapshot.changes).get(WRITE_OFF)).toBe(5_000);

    // Clearing the store's own value brings back the region's; the row keeps its version.
    const cleared = await put(WRITE_OFF, { kind: 'store', storeId: 'n2' }, null, 1);
    expect(body(cleared)).toMatchObject({ value: null, version: 2 });
    expect((await feedOf('n2')).get(WRITE_OFF)).toBe(3_000);
    expect((await effective('n2')).version).toBe(4);

    const listed = body<{ revision: number; keys: string[]; settings: unknown[] }>(
      await send('GET', '/api/settings', viewer),
    );
    expect(listed.revision).toBe(4);
    expect(listed.keys).toContain(WRITE_OFF);
    expect(listed.keys).not.toContain(VERSION_KEY);
    // The offline points allowance is a setting HQ edits like the others (and the dashboard lists).
    expect(listed.keys).toEqual(
      expect.arrayContaining([
        'loyalty.offline.pointsPerSale',
        'loyalty.offline.pointsPerDeviceDay',
        'loyalty.offline.snapshotMaxAgeHours',
      ]),
    );
    expect(listed.settings).toHaveLength(3);
  });

  it('refuses a stale edit with 409, and invalid values, unknown keys and scopes and non-admins', async () => {
    const head = (await readFeed(storage.db, 'n1', 0, 10_000)).cursor;
    expect((await put(WINDOW, { kind: 'chain' }, 30, 0)).statusCode).toBe(200);
    const afterFirst = (await readFeed(storage.db, 'n1', 0, 10_000)).cursor;
    expect(afterFirst).toBeGreaterThan(head);
    // Someone else saw version 0 too.
    const stale = await put(WINDOW, { kind: 'chain' }, 60, 0);
    expect(stale.statusCode).toBe(409);
    expect(error(stale).code).toBe('CONFLICT');
    expect(error(stale).message).toContain('was changed by someone else (now version 1)');

    const negative = await put(WRITE_OFF, { kind: 'chain' }, -1, 1);
    expect(negative.statusCode).toBe(400);
    expect(error(negative).message).toContain(`The value for ${WRITE_OFF} is not valid`);
    expect((await put('pos.nothing.here', { kind: 'chain' }, 1, 0)).statusCode).toBe(400);
    expect((await put('loyalty.offline.pointsPerSale', { kind: 'chain' }, 1.5, 0)).statusCode).toBe(400);
    expect((await put('loyalty.offline.snapshotMaxAgeHours', { kind: 'chain' }, 0, 0)).statusCode).toBe(400);
    expect((await put(WINDOW, { kind: 'store', storeId: 'nowhere' }, 1, 0)).statusCode).toBe(404);
    expect((await put(WINDOW, { kind: 'region', regionId: 'east' }, 1, 0)).statusCode).toBe(404);
    expect((await put(VERSION_KEY, { kind: 'chain' }, { version: 9, publishedAt: 1 }, 0)).statusCode).toBe(
      400,
    );
    expect((await put(WINDOW, { kind: 'chain' }, 7, 1, viewer)).statusCode).toBe(403);
    expect((await readFeed(storage.db, 'n1', afterFirst, 10_000)).changes).toEqual([]);

    const audit = body<{ action: string; subject: string; before: unknown; after: unknown }[]>(
      await send('GET', `/api/audit?subject=${encodeURIComponent(`setting:${WINDOW}@chain`)}`, viewer),
    );
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'settings.set',
        before: null,
        after: expect.objectContaining({ value: 30, version: 1 }),
      }),
    ]);
  });

  it('gives a new store the values of its scopes, and a store that moves region its new region’s', async () => {
    await createNode(hub, nodeInput('n3', { region: 'north' }));
    const n3 = await feedOf('n3');
    expect(n3.get(WRITE_OFF)).toBe(3_000);
    expect(n3.get(WINDOW)).toBe(30);

    const cursor = (await readFeed(storage.db, 'n3', 0, 10_000)).cursor;
    const node = await getNode(storage.db, 'n3');
    await updateNode(hub, 'n3', { expectedVersion: node.version, region: 'south' });
    const moved = await feedOf('n3', cursor);
    expect(moved.get(WRITE_OFF)).toBe(5_000);
    const southOnly = await put(WINDOW, { kind: 'region', regionId: 'south' }, 90, 0);
    expect(southOnly.statusCode).toBe(200);
    expect((await feedOf('n3')).get(WINDOW)).toBe(90);
    expect((await feedOf('n1')).get(WINDOW)).toBe(30);
  });

  it('raises LIMIT_EXCEEDED for a pay-out past the store’s limit without approval, and applies it', async () => {
    const LIMIT = 'pos.shift.cashOutOverrideLimit';
    expect((await put(LIMIT, { kind: 'region', regionId: 'south' }, 5_000, 0)).statusCode).toBe(200);
    const device = await enrollTestDevice(hub, 's1');
    const till = new EventFactory({ deviceId: device.deviceId, storeId: 's1' });
    const payOut = (amount: number, direction: 'in' | 'out', approved = false) =>
      till.next('shift.cash_moved', {
        shiftId: 'shift-1',
        movementId: `mv-${till.lastSeq + 1}`,
        direction,
        amount,
        reason: 'Window cleaner',
        staffId: 'staff-1',
        ...(approved ? { override: { managerId: 'mgr-1', reason: 'ok', at: new Date().toISOString() } } : {}),
        movedAt: new Date().toISOString(),
      });
    const atLimit = payOut(5_000, 'out');
    const beyond = payOut(6_000, 'out');
    const events = [atLimit, beyond, payOut(6_000, 'out', true), payOut(9_000, 'in')];
    const ack = await pushEvents(hub, till.device, { ...till.device, events });
    expect(ack.results.map((result) => result.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'accepted',
    ]);
    const raised = await listExceptions(storage.db, { type: 'LIMIT_EXCEEDED', limit: 10 });
    expect(raised).toEqual([
      expect.objectContaining({
        nodeId: 's1',
        causeEventIds: [beyond.eventId],
        details: expect.objectContaining({ setting: LIMIT, limit: 5_000, amount: 6_000 }),
      }),
    ]);
    expect(String(raised[0]!.details.message)).toContain('above the 50.00 USD HQ allows');
  });
  it('judges a synced sale’s discounts by its giver’s or approver’s role, at the settings version the till ran', async () => {
    await createNode(hub, nodeInput('d1', { region: 'east' }));
    const store = { kind: 'store', storeId: 'd1' };
    expect((await put('pos.discount.maxPercent.cashier', store, 10, 0)).statusCode).toBe(200);
    const supervisor = await put('pos.discount.maxPercent.supervisor', store, 30, 0);
    const ranBefore = body<{ revision: number }>(supervisor).revision;
    const raised = await put('pos.discount.maxPercent.cashier', store, 25, 1);
    const ranAfter = body<{ revision: number }>(raised).revision;
    const central = await createStaff(
      hub,
      { staffCode: 'DC1', name: 'Dee Cashier', role: 'cashier', pin: '4821', stores: ['d1'] },
      'user:test',
    );
    const device = await enrollTestDevice(hub, 'd1');
    const till = new EventFactory({ deviceId: device.deviceId, storeId: 'd1' });
    const at = new Date().toISOString();
    const sale = (
      discount: number,
      options: {
        version?: number;
        approver?: string;
        staffId?: string;
        roles?: Record<string, 'cashier' | 'supervisor' | 'manager'>;
        kind?: 'manual_line' | 'manual_order';
      } = {},
    ): EventPayloads['sale.completed'] =>
      discountedSaleOf({
        saleId: `sale-${till.lastSeq + 1}`,
        shiftId: 'd-shift',
        staffId: options.staffId ?? 'd-cash',
        discount,
        reason: 'Loyal customer',
        kind: options.kind,
        approver: options.approver === undefined ? undefined : { managerId: options.approver, at },
        settingsVersion: options.version,
        staffRoles: options.roles ?? { 'd-cash': 'cashier', 'd-super': 'supervisor' },
        completedAt: at,
      });
    // The store created its supervisor itself, as a manager HQ manages: the hub believes the role.
    const storeManager = await createStaff(
      hub,
      { staffCode: 'DM1', name: 'Dana Manager', role: 'manager', pin: '4822', stores: ['d1'] },
      'user:test',
    );
    const hired = till.next('staff.created', {
      staffId: 'd-super',
      staffCode: 'DS1',
      name: 'Sam Super',
      role: 'supervisor',
      createdBy: storeManager.staffId,
      createdAt: at,
    });
    const within = till.next('sale.completed', sale(200, { version: ranAfter }));
    const unapproved = till.next('sale.completed', sale(300, { version: ranAfter }));
    const approved = till.next('sale.completed', sale(300, { version: ranAfter, approver: 'd-super' }));
    const pastApprover = till.next('sale.completed', sale(400, { version: ranAfter, approver: 'd-super' }));
    const oldVersion = till.next('sale.completed', sale(200, { version: ranBefore }));
    const orderDiscount = till.next('sale.completed', sale(300, { kind: 'manual_order', version: ranAfter }));
    // HQ made this person a cashier: the till's claim that they are a manager is not believed.
    const promoted = till.next(
      'sale.completed',
      sale(900, { staffId: central.staffId, roles: { [central.staffId]: 'manager' }, version: ranAfter }),
    );
    const events = [within, unapproved, approved, pastApprover, oldVersion, orderDiscount, promoted];
    const ack = await pushEvents(hub, till.device, { ...till.device, events: [hired, ...events] });
    expect(ack.results.map((result) => result.status)).toEqual([hired, ...events].map(() => 'accepted'));
    const sales = await storage.db
      .selectFrom('sales')
      .select('sale_id')
      .where('node_id', '=', 'd1')
      .execute();
    expect(sales).toHaveLength(events.length);

    const limits = (
      await listExceptions(storage.db, { type: 'LIMIT_EXCEEDED', nodeId: 'd1', limit: 20 })
    ).filter((exception) => exception.details.saleId !== undefined);
    const saleIdOf = (event: typeof within) => (event.payload as { saleId: string }).saleId;
    const flagged = [unapproved, pastApprover, oldVersion, orderDiscount, promoted];
    expect(limits.map((exception) => exception.causeEventIds[0]).sort()).toEqual(
      flagged.map((event) => event.eventId).sort(),
    );
    const bySale = new Map(limits.map((exception) => [exception.details.saleId, exception.details]));
    expect(bySale.get(saleIdOf(unapproved))).toMatchObject({
      limitPercent: 25,
      discount: 300,
      allowed: 250,
      staffId: 'd-cash',
      role: 'cashier',
      approvers: [],
      settingsVersion: ranAfter,
    });
    expect(bySale.get(saleIdOf(pastApprover))).toMatchObject({ limitPercent: 30, approvers: ['d-super'] });
    expect(bySale.get(saleIdOf(oldVersion))).toMatchObject({ limitPercent: 10, settingsVersion: ranBefore });
    expect(bySale.get(saleIdOf(orderDiscount))).toMatchObject({ scope: 'sale', limitPercent: 25 });
    expect(bySale.get(saleIdOf(promoted))).toMatchObject({ role: 'cashier', limitPercent: 25 });
    const message = String(bySale.get(saleIdOf(unapproved))!.message);
    expect(message).toContain('without a supervisor');
    expect(message).toContain(`settings version ${ranAfter}`);
    expect(bySale.get(saleIdOf(unapproved))!.resolution).toMatchObject({
      message: expect.stringContaining('recorded as the till sent it'),
    });
  });
});
