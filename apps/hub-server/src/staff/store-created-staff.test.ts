import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope, EventPayloads } from '@retail/sync';
import { listExceptions, type HubException } from '../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { putSetting } from '../settings/hq-settings';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, ISO, discountedSaleOf, enrollTestDevice, seedWorld } from '../test-support/fixtures';
import { createStaff } from './hq-staff';
import { buildApp } from '../api/app';
import { createUser, login } from '../auth/users';
import { inHubTransaction, type HubTx } from '../hub-tx';
import {
  applyStaffCreated,
  believedRole,
  judgeCreation,
  recordRoleDoubts,
  listStoreCreatedStaff,
  type StoreCreatedStaff,
} from './store-created-staff';

type Role = 'cashier' | 'supervisor' | 'manager';

describe('staff/store-created-staff', () => {
  describe('judgeCreation', () => {
    const creation = (role: Role, createdBy = 'boss') => ({ staffId: 'new', role, createdBy });
    it('believes a manager creating anyone up to a manager', () => {
      for (const role of ['cashier', 'supervisor', 'manager'] as const) {
        expect(judgeCreation(creation(role), { role: 'manager', standing: 'verified' }, 's1')).toEqual({
          status: 'verified',
          role,
          reason: undefined,
        });
      }
    });
    it('rejects a creator below a manager, and one whose own creation was not believed', () => {
      const bySupervisor = judgeCreation(
        creation('cashier'),
        { role: 'supervisor', standing: 'verified' },
        's1',
      );
      expect(bySupervisor).toMatchObject({ status: 'rejected', role: 'cashier' });
      expect(bySupervisor.reason).toContain('only a manager may create staff');
      expect(
        judgeCreation(creation('manager'), { role: 'cashier', standing: 'rejected' }, 's1'),
      ).toMatchObject({ status: 'rejected', role: 'cashier' });
    });
    it('waits for a creator the hub does not know yet and rejects another store’s or oneself', () => {
      expect(judgeCreation(creation('manager'), believedRole(undefined, 's1'), 's1')).toMatchObject({
        status: 'unverified',
        role: 'cashier',
      });
      const foreign = believedRole(
        { kind: 'store', nodeId: 's2', role: 'manager', status: 'verified', eventId: 'e' },
        's1',
      );
      expect(foreign).toEqual({ role: 'cashier', standing: 'foreign' });
      expect(judgeCreation(creation('cashier'), foreign, 's1').status).toBe('rejected');
      expect(
        judgeCreation(creation('manager', 'new'), { role: 'manager', standing: 'verified' }, 's1').status,
      ).toBe('rejected');
      expect(believedRole({ kind: 'hq', role: 'manager', stores: ['s2'] }, 's1').standing).toBe('foreign');
      expect(believedRole({ kind: 'hq', role: 'manager', stores: [] }, 's1')).toEqual({
        role: 'manager',
        standing: 'verified',
      });
    });
  });
});

describe.each(backendKinds())('store-created staff at the hub on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let hqManager: string;
  let tillA: EventFactory;
  let tillB: EventFactory;
  let otherStore: EventFactory;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A'] });
    const chain = { kind: 'chain' } as const;
    for (const [key, value] of [
      ['pos.discount.maxPercent.cashier', 10],
      ['pos.discount.maxPercent.supervisor', 30],
      ['pos.discount.maxPercent.manager', 100],
    ] as const) {
      await putSetting(hub, key, { scope: chain, value, expectedVersion: 0 }, 'user:test');
    }
    hqManager = (
      await createStaff(
        hub,
        { staffCode: 'HM1', name: 'Hana Manager', role: 'manager', pin: '4821', stores: ['s1'] },
        'user:test',
      )
    ).staffId;
    const device = async (nodeId: string) =>
      new EventFactory({ deviceId: (await enrollTestDevice(hub, nodeId)).deviceId, storeId: nodeId });
    tillA = await device('s1');
    tillB = await device('s1');
    otherStore = await device('s2');
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  const push = async (till: EventFactory, events: EventEnvelope[]) => {
    const ack = await pushEvents(hub, till.device, { ...till.device, events });
    return ack.results.map((result) => result.status);
  };
  const created = (
    till: EventFactory,
    staffId: string,
    role: Role,
    createdBy: string,
    staffCode = staffId.toUpperCase(),
  ) =>
    till.next('staff.created', {
      staffId,
      staffCode,
      name: `Person ${staffId}`,
      role,
      createdBy,
      createdAt: ISO,
    });
  /** A 1,000 sale by `staffId` with a discount `discount` given by `givenBy`, claiming `roles`. */
  const discounted = (
    till: EventFactory,
    discount: number,
    givenBy: string,
    roles: Record<string, Role>,
    staffId = givenBy,
  ): EventEnvelope =>
    till.next(
      'sale.completed',
      discountedSaleOf({
        saleId: `sale-${till.device.deviceId}-${till.lastSeq + 1}`,
        shiftId: `shift-${till.device.storeId}`,
        staffId,
        discount,
        reason: 'Friend',
        givenBy,
        staffRoles: roles,
        completedAt: ISO,
      }),
    );
  /** The exceptions about staff and limits an event caused (the test sales' stock and prices are not tested). */
  const exceptionsFor = async (eventId: string): Promise<HubException[]> =>
    (await listExceptions(storage.db, { limit: 500 })).filter(
      (exception) =>
        exception.causeEventIds.includes(eventId) &&
        ['STAFF_CLAIM_REJECTED', 'STAFF_ROLE_UNVERIFIED', 'LIMIT_EXCEEDED'].includes(exception.type),
    );
  const record = async (staffId: string) =>
    (await listStoreCreatedStaff(storage.db)).find((staff) => staff.staffId === staffId);
  const saleApplied = async (event: EventEnvelope) =>
    (await storage.db.selectFrom('sales').select('sale_id').where('event_id', '=', event.eventId).execute())
      .length === 1;

  it('believes a store creation by a manager HQ manages, and the role in later sales', async () => {
    const hire = created(tillA, 'sup-1', 'supervisor', hqManager);
    const sale = discounted(tillA, 250, 'sup-1', { 'sup-1': 'supervisor' });
    expect(await push(tillA, [hire, sale])).toEqual(['accepted', 'accepted']);
    expect(await record('sup-1')).toMatchObject({
      storeId: 's1',
      claimedRole: 'supervisor',
      role: 'supervisor',
      status: 'verified',
      verified: true,
      createdBy: hqManager,
      createdByName: 'Hana Manager',
      deviceId: tillA.device.deviceId,
      eventId: hire.eventId,
      exceptionId: null,
    });
    expect(await exceptionsFor(hire.eventId)).toEqual([]);
    // 25 % is within a supervisor's 30 %: nothing to look at.
    expect(await exceptionsFor(sale.eventId)).toEqual([]);
  });

  it('treats a person created with a role above what the creator may give as a cashier, with an exception', async () => {
    // sup-1 is a supervisor by the hub's records: a supervisor cannot create a manager.
    const hire = created(tillA, 'mgr-fake', 'manager', 'sup-1');
    const byFake = created(tillA, 'cash-2', 'cashier', 'mgr-fake');
    const sale = discounted(tillA, 500, 'mgr-fake', { 'mgr-fake': 'manager' });
    expect(await push(tillA, [hire, byFake, sale])).toEqual(['accepted', 'accepted', 'accepted']);
    expect(await record('mgr-fake')).toMatchObject({
      claimedRole: 'manager',
      role: 'cashier',
      status: 'rejected',
      verified: false,
    });
    const [rejected] = await exceptionsFor(hire.eventId);
    expect(rejected).toMatchObject({
      type: 'STAFF_CLAIM_REJECTED',
      nodeId: 's1',
      status: 'open',
      details: { staffId: 'mgr-fake', claimedRole: 'manager', treatedAs: 'cashier', createdBy: 'sup-1' },
    });
    expect(String(rejected!.details.cause)).toContain('only a manager may create staff');
    expect(String(rejected!.details.message)).toContain('treats them as a cashier');
    // Whoever the rejected "manager" creates is not believed either.
    expect(await record('cash-2')).toMatchObject({ status: 'rejected', role: 'cashier' });
    // The sale stands; its 50 % discount is judged by a cashier's 10 %.
    expect(await saleApplied(sale)).toBe(true);
    const [limit] = await exceptionsFor(sale.eventId);
    expect(limit).toMatchObject({
      type: 'LIMIT_EXCEEDED',
      details: {
        staffId: 'mgr-fake',
        role: 'cashier',
        limitPercent: 10,
        unbelievedClaims: [
          { staffId: 'mgr-fake', claimedRole: 'manager', role: 'cashier', standing: 'rejected' },
        ],
      },
    });
  });

  it('applies a sale claiming a manager the hub does not know yet, checks it as a cashier, and settles it when the creation arrives', async () => {
    // Till B sells with a manager till A created; till A's event has not arrived.
    const sale = discounted(tillB, 500, 'mgr-2', { 'mgr-2': 'manager' });
    expect(await push(tillB, [sale])).toEqual(['accepted']);
    expect(await saleApplied(sale)).toBe(true);
    const [doubt] = await exceptionsFor(sale.eventId);
    expect(doubt).toMatchObject({
      type: 'STAFF_ROLE_UNVERIFIED',
      status: 'open',
      details: { staffId: 'mgr-2', role: 'cashier', limitPercent: 10, unverified: { 'mgr-2': 'manager' } },
    });
    expect(String(doubt!.details.message)).toContain('cannot vouch for yet');
    expect(await listExceptions(storage.db, { type: 'LIMIT_EXCEEDED', limit: 100 })).not.toContainEqual(
      expect.objectContaining({ causeEventIds: [sale.eventId] }),
    );

    expect(await push(tillA, [created(tillA, 'mgr-2', 'manager', hqManager)])).toEqual(['accepted']);
    const [settled] = await exceptionsFor(sale.eventId);
    expect(settled).toMatchObject({ status: 'resolved', resolvedBy: 'hub' });
    expect(settled!.resolutionNote).toContain('Verified: mgr-2 is a manager');
    expect(await storage.db.selectFrom('staff_role_doubts').selectAll().execute()).toEqual([]);
  });

  it('annotates, and keeps open, a doubt the creation that arrives does not bear out', async () => {
    const sale = discounted(tillB, 500, 'sup-2', { 'sup-2': 'manager' });
    expect(await push(tillB, [sale])).toEqual(['accepted']);
    expect(await push(tillA, [created(tillA, 'sup-2', 'supervisor', hqManager)])).toEqual(['accepted']);
    const [doubt] = await exceptionsFor(sale.eventId);
    expect(doubt).toMatchObject({ type: 'STAFF_ROLE_UNVERIFIED', status: 'open' });
    expect(JSON.stringify(doubt!.details.notes)).toContain('not the manager the till claimed');
  });

  it('waits for a creator from another till, then verifies the chain of creations when it arrives', async () => {
    const early = created(tillB, 'cash-3', 'cashier', 'mgr-3');
    expect(await push(tillB, [early])).toEqual(['accepted']);
    expect(await record('cash-3')).toMatchObject({ status: 'unverified', role: 'cashier' });
    const [waiting] = await exceptionsFor(early.eventId);
    expect(waiting).toMatchObject({ type: 'STAFF_ROLE_UNVERIFIED', status: 'open' });

    expect(await push(tillA, [created(tillA, 'mgr-3', 'manager', hqManager)])).toEqual(['accepted']);
    expect(await record('cash-3')).toMatchObject({ status: 'verified', role: 'cashier', exceptionId: null });
    const [closed] = await exceptionsFor(early.eventId);
    expect(closed).toMatchObject({ status: 'resolved' });
    expect(closed!.resolutionNote).toContain('Verified: mgr-3');
  });

  it('never believes another store’s staff at this store', async () => {
    // s2 names s1's verified manager as the creator, or creates s1's staff again: rejected alone.
    const byForeign = created(otherStore, 'x-1', 'manager', 'mgr-2');
    const again = created(otherStore, 'sup-1', 'manager', hqManager);
    // HQ's manager works only at s1: s2 cannot name them as a creator either.
    const byHq = created(otherStore, 'x-2', 'manager', hqManager);
    // s1's manager gives a discount at s2: they count as a cashier there.
    const sale = discounted(otherStore, 500, 'mgr-2', { 'mgr-2': 'manager' }, 's2-cashier');
    expect(await push(otherStore, [byForeign, again, byHq, sale])).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'accepted',
    ]);
    expect(await record('x-1')).toBeUndefined();
    expect(await record('x-2')).toBeUndefined();
    expect(await record('sup-1')).toMatchObject({ storeId: 's1', role: 'supervisor' });
    const reasons = await storage.db
      .selectFrom('ingested_events')
      .select('event_id')
      .where('event_id', 'in', [byForeign.eventId, again.eventId, byHq.eventId])
      .where('status', '=', 'rejected')
      .execute();
    expect(reasons).toHaveLength(3);
    expect(await saleApplied(sale)).toBe(true);
    expect((await exceptionsFor(sale.eventId))[0]).toMatchObject({
      type: 'LIMIT_EXCEEDED',
      details: { role: 'cashier', unbelievedClaims: [expect.objectContaining({ standing: 'foreign' })] },
    });
  });
  /**
   * Two hub transactions at the same moment, as two tills' pushes on two hub connections: each does its
   * work, then waits until both have done theirs, so neither sees the other's rows; `second` commits
   * first. What each runs after its commit (HubTx.recheckAfterCommit) is what can settle them.
   */
  const concurrently = async (first: (tx: HubTx) => Promise<void>, second: (tx: HubTx) => Promise<void>) => {
    let bothWorked!: () => void;
    const worked = new Promise<void>((resolve) => {
      bothWorked = resolve;
    });
    let done = 0;
    const step = async (tx: HubTx, work: (tx: HubTx) => Promise<void>) => {
      await work(tx);
      done += 1;
      if (done === 2) bothWorked();
      await worked;
    };
    let secondCommitted!: () => void;
    const afterSecond = new Promise<void>((resolve) => {
      secondCommitted = resolve;
    });
    await Promise.all([
      inHubTransaction(hub, async (tx) => {
        await step(tx, first);
        await afterSecond;
      }),
      inHubTransaction(hub, (tx) => step(tx, second)).then(secondCommitted),
    ]);
  };
  /** Events applied in hand-made transactions, numbered apart from what the tills push. */
  const offTheWire = (till: EventFactory) =>
    new EventFactory({ deviceId: till.device.deviceId, storeId: till.device.storeId });
  const creation = (till: EventFactory, staffId: string, role: Role, createdBy: string) => {
    const event = created(offTheWire(till), staffId, role, createdBy);
    return (tx: HubTx) =>
      applyStaffCreated(tx, event, event.payload as EventPayloads['staff.created'], {
        nodeId: 's1',
        deviceId: till.device.deviceId,
      }).then((outcome) => expect(outcome).toEqual({ status: 'applied' }));
  };

  it.runIf(kind === 'postgres')(
    'verifies a creation whose creator another till created at the same moment',
    async () => {
      await concurrently(
        // Reads mgr-race's record before the other transaction commits: unknown, so unverified.
        creation(tillB, 'cash-race', 'cashier', 'mgr-race'),
        // Settles what waits for mgr-race before cash-race's creation is committed: nothing, yet.
        creation(tillA, 'mgr-race', 'manager', hqManager),
      );
      expect(await record('mgr-race')).toMatchObject({ status: 'verified' });
      expect(await record('cash-race')).toMatchObject({
        status: 'verified',
        role: 'cashier',
        exceptionId: null,
      });
    },
  );

  it.runIf(kind === 'postgres')(
    'settles a sale’s doubt about someone another till created at the same moment',
    async () => {
      let exceptionId = '';
      const saleEvent = discounted(offTheWire(tillB), 500, 'mgr-race-2', { 'mgr-race-2': 'manager' });
      await concurrently(
        // A sale's check found a claimed manager the hub does not know: it doubts the claim.
        async (tx) => {
          exceptionId = tx.hub.newId();
          tx.raise({
            type: 'STAFF_ROLE_UNVERIFIED',
            severity: 'warning',
            nodeId: 's1',
            causeEventIds: [saleEvent.eventId],
            exceptionId,
            details: { staffId: 'mgr-race-2', unverified: { 'mgr-race-2': 'manager' } },
          });
          await recordRoleDoubts(tx, exceptionId, 's1', new Map([['mgr-race-2', 'manager']]));
        },
        creation(tillA, 'mgr-race-2', 'manager', hqManager),
      );
      const [doubt] = await exceptionsFor(saleEvent.eventId);
      expect(doubt).toMatchObject({ exceptionId, status: 'resolved', resolvedBy: 'hub' });
      expect(doubt!.resolutionNote).toContain('Verified: mgr-race-2 is a manager');
      const left = await storage.db
        .selectFrom('staff_role_doubts')
        .selectAll()
        .where('staff_id', '=', 'mgr-race-2')
        .execute();
      expect(left).toEqual([]);
    },
  );

  it('shows HQ each store’s own staff through the staff API: creator, store, when, verified or not', async () => {
    const { app } = await buildApp({ hub, sync: { socket: false } });
    try {
      const password = 'correct horse battery';
      await createUser(hub, { username: 'staff-viewer', password, role: 'viewer' });
      const token = (await login(hub, { username: 'staff-viewer', password })).token;
      const get = (url: string, auth = `Bearer ${token}`) =>
        app.inject({ method: 'GET', url, headers: { authorization: auth } });
      const response = await get('/api/staff/store-created?storeId=s1');
      expect(response.statusCode).toBe(200);
      const listed = (response.json() as { value: StoreCreatedStaff[] }).value;
      expect(listed.every((staff) => staff.storeId === 's1')).toBe(true);
      expect(listed.find((staff) => staff.staffId === 'sup-1')).toMatchObject({
        createdBy: hqManager,
        createdByName: 'Hana Manager',
        role: 'supervisor',
        verified: true,
        createdAt: Date.parse(ISO),
      });
      expect(listed.find((staff) => staff.staffId === 'mgr-fake')).toMatchObject({
        claimedRole: 'manager',
        role: 'cashier',
        verified: false,
        createdByName: 'Person sup-1',
        exceptionId: expect.any(String),
      });
      expect(JSON.stringify(listed)).not.toMatch(/pin/i);
      expect((await get('/api/staff/store-created', 'Bearer nope')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('lets an HQ admin vouch for store staff the hub does not believe, and judges again what waited for them', async () => {
    // Created by a manager the hub never heard of (the one a node was set up with): unverified for good.
    const bySetup = created(tillA, 'sup-setup', 'supervisor', 'setup-manager');
    const saleBySetupStaff = discounted(tillA, 250, 'sup-setup', { 'sup-setup': 'supervisor' });
    expect(await push(tillA, [bySetup, saleBySetupStaff])).toEqual(['accepted', 'accepted']);
    expect(await record('sup-setup')).toMatchObject({ status: 'unverified', role: 'cashier' });
    const [waiting] = await exceptionsFor(saleBySetupStaff.eventId);
    expect(waiting).toMatchObject({ type: 'STAFF_ROLE_UNVERIFIED', status: 'open' });

    const { app } = await buildApp({ hub, sync: { socket: false } });
    try {
      const password = 'correct horse battery';
      await createUser(hub, { username: 'staff-admin', password, role: 'admin' });
      await createUser(hub, { username: 'staff-viewer-2', password, role: 'viewer' });
      const admin = (await login(hub, { username: 'staff-admin', password })).token;
      const viewer = (await login(hub, { username: 'staff-viewer-2', password })).token;
      const vouch = (staffId: string, role: Role, token = admin) =>
        app.inject({
          method: 'POST',
          url: `/api/staff/store-created/${staffId}/vouch`,
          headers: { authorization: `Bearer ${token}` },
          payload: { role },
        });

      expect((await vouch('sup-setup', 'supervisor', viewer)).statusCode).toBe(403);
      const unknown = await vouch('nobody', 'cashier');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toMatchObject({
        error: { code: 'NOT_FOUND', key: 'hub.staff.storeCreatedNotFound' },
      });
      const above = await vouch('sup-setup', 'manager');
      expect(above.statusCode).toBe(400);
      expect(above.json()).toMatchObject({
        error: { code: 'INVALID_INPUT', key: 'hub.staff.vouchAboveClaim' },
      });
      expect(await record('sup-setup')).toMatchObject({ status: 'unverified' });

      const vouched = await vouch('sup-setup', 'supervisor');
      expect(vouched.statusCode).toBe(200);
      expect(vouched.json()).toMatchObject({
        value: {
          staffId: 'sup-setup',
          role: 'supervisor',
          status: 'verified',
          verified: true,
          exceptionId: null,
        },
      });
      const [own] = await exceptionsFor(bySetup.eventId);
      expect(own).toMatchObject({ status: 'resolved', resolvedBy: 'user:staff-admin' });
      expect(own!.resolutionNote).toContain('vouched for');
      // The sale that relied on the supervisor's role is settled: 25 % is within a supervisor's 30 %.
      const [settled] = await exceptionsFor(saleBySetupStaff.eventId);
      expect(settled).toMatchObject({ status: 'resolved', resolvedBy: 'hub' });

      // mgr-fake was not believed (a supervisor made them a manager), and so neither was cash-2, whom they
      // created: vouching for mgr-fake verifies cash-2 too.
      expect(await record('cash-2')).toMatchObject({ status: 'rejected' });
      expect((await vouch('mgr-fake', 'manager')).statusCode).toBe(200);
      expect(await record('mgr-fake')).toMatchObject({ status: 'verified', role: 'manager' });
      expect(await record('cash-2')).toMatchObject({
        status: 'verified',
        role: 'cashier',
        exceptionId: null,
      });

      const audit = await storage.db
        .selectFrom('hq_audit')
        .select(['actor', 'subject'])
        .where('action', '=', 'staff.vouch')
        .orderBy('at')
        .execute();
      expect(audit).toEqual([
        { actor: 'user:staff-admin', subject: 'staff:sup-setup' },
        { actor: 'user:staff-admin', subject: 'staff:mgr-fake' },
      ]);
      // Vouching again for what is already verified changes nothing; it cannot lower a verified role.
      expect((await vouch('mgr-fake', 'manager')).statusCode).toBe(200);
      const lower = await vouch('mgr-fake', 'cashier');
      expect(lower.statusCode).toBe(409);
      expect(lower.json()).toMatchObject({
        error: { code: 'NOT_ALLOWED', key: 'hub.staff.vouchBelowVerified' },
      });
      expect(await record('mgr-fake')).toMatchObject({ status: 'verified', role: 'manager' });
      expect(await record('cash-2')).toMatchObject({ status: 'verified', role: 'cashier' });
      expect(
        await storage.db
          .selectFrom('hq_audit')
          .select('audit_id')
          .where('action', '=', 'staff.vouch')
          .execute(),
      ).toHaveLength(2);
    } finally {
      await app.close();
    }
  });
});
