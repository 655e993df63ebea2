import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { EnrollResponse, EventEnvelope, PushAck, RestoredDevice } from '@retail/sync';
import { buildApp, createLogger } from '../api/app';
import { createUser } from '../auth/users';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { EventFactory, saleOf, seedWorld } from '../test-support/fixtures';

const PASSWORD = 'correct horse battery';

/** The till's view of its events, as it reports them when it asks to re-enroll. */
function reportOf(deviceId: string, ackedSeq: number, events: readonly EventEnvelope[]): RestoredDevice {
  return {
    deviceId,
    ackedSeq,
    writtenSeq: events.at(-1)?.deviceSeq ?? ackedSeq,
    events: events
      .filter((event) => event.deviceSeq > ackedSeq)
      .map((event) => ({
        deviceSeq: event.deviceSeq,
        eventId: event.eventId,
        type: event.type,
        receiptNumber: (event.payload as { receiptNumber?: string }).receiptNumber,
      })),
  };
}

/** The same event as another device would send it: its number in the successor's numbering. */
function renumbered(event: EventEnvelope, deviceId: string, deviceSeq: number): EventEnvelope {
  return { ...event, deviceId, deviceSeq };
}

describe.each(backendKinds())('sync/device-restore on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;
  let viewer = '';
  let operator = '';
  let admin = '';

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    options: { token?: string; body?: unknown } = {},
  ) => {
    const response = await app.inject({
      method,
      url,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1', 's2'], skus: ['A', 'B'] });
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      await createUser(hub, { username: `${role}-user`, password: PASSWORD, role });
    }
    ({ app } = await buildApp({ hub, logger: createLogger({ level: 'silent' }) }));
    const login = async (username: string) =>
      (await call('POST', '/api/auth/login', { body: { username, password: PASSWORD } })).body.value
        .token as string;
    viewer = await login('viewer-user');
    operator = await login('operator-user');
    admin = await login('admin-user');
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  async function enroll(nodeId: string, extra: Record<string, unknown> = {}): Promise<EnrollResponse> {
    const code = await call('POST', `/api/nodes/${nodeId}/enrollment-codes`, { token: operator, body: {} });
    const enrolled = await call('POST', '/sync/enroll', {
      body: { code: code.body.value.code, deviceName: 'Lane 1', ...extra },
    });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    return enrolled.body.value as EnrollResponse;
  }

  async function push(device: EnrollResponse, events: readonly EventEnvelope[]) {
    return call('POST', '/sync/push', {
      token: device.credential,
      body: { deviceId: device.deviceId, storeId: device.storeId, events },
    });
  }

  async function exceptionsOf(type: string) {
    const answer = await call('GET', `/api/exceptions?type=${type}&limit=500`, { token: viewer });
    expect(answer.status).toBe(200);
    return answer.body.value as {
      exceptionId: string;
      status: string;
      severity: string;
      details: Record<string, unknown>;
      causeEventIds: string[];
      resolutionNote: string | null;
    }[];
  }

  /**
   * The original till sold 6 times (all at the hub). Its backup held sales 1–3 with 1–2 acknowledged.
   * Restored, it sold twice more with the backup's counters: events 4' and 5', receipts of 4 and 5.
   */
  async function restoredTill() {
    const device = await enroll('s1');
    const factory = new EventFactory(device);
    const original = Array.from({ length: 6 }, () =>
      factory.next('sale.completed', saleOf([{ sku: 'A', qty: 1 }])),
    );
    expect((await push(device, original)).body.value.lastSeq).toBe(6);
    const afterRestore = [3, 4].map((index) => ({
      ...factory.next('sale.completed', {
        ...saleOf([{ sku: 'B', qty: 2 }]),
        receiptNumber: (original[index]!.payload as { receiptNumber: string }).receiptNumber,
      }),
      deviceSeq: index + 1,
    }));
    const tillEvents = [...original.slice(0, 3), ...afterRestore];
    return { device, original, afterRestore, tillEvents };
  }

  it('refuses a reused number with the event the hub holds, records its contents, and applies nothing after it', async () => {
    const { device, original, tillEvents } = await restoredTill();
    const answer = await push(device, tillEvents.slice(2));
    expect(answer.status).toBe(200);
    const ack = answer.body.value as PushAck;
    expect(ack.results.map((result) => [result.status, result.conflictsWith])).toEqual([
      ['duplicate', undefined],
      ['rejected', original[3]!.eventId],
      ['rejected', original[4]!.eventId],
    ]);
    expect(ack.lastSeq).toBe(6);
    const conflicts = (await exceptionsOf('SEQUENCE_CONFLICT')).filter(
      (exception) => exception.details['deviceId'] === device.deviceId,
    );
    expect(conflicts).toHaveLength(2);
    // HQ can read what the refused event said: it never enters the log, so it is in the exception.
    const refused = conflicts.find((exception) => exception.causeEventIds[0] === tillEvents[3]!.eventId);
    expect(refused?.details['envelope']).toEqual(JSON.parse(JSON.stringify(tillEvents[3])));
  });

  it('re-enrolls a restored till as a new device, revokes the old one and tells HQ once what happened', async () => {
    const { device, original, afterRestore, tillEvents } = await restoredTill();
    await push(device, tillEvents.slice(2));

    const answer = await call('POST', '/sync/re-enroll', {
      token: device.credential,
      body: { restored: reportOf(device.deviceId, 2, tillEvents) },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const successor = answer.body.value as EnrollResponse;
    expect(successor).toMatchObject({ storeId: 's1', storeCode: device.storeCode });
    expect(successor.deviceId).not.toBe(device.deviceId);
    expect(successor.deviceNo).toBeGreaterThan(device.deviceNo);
    expect(successor.replaced).toMatchObject({
      deviceId: device.deviceId,
      deviceNo: device.deviceNo,
      hubLastSeq: 6,
      keptUpTo: 3,
    });

    // The old identity is gone: neither the till nor a copy of its folder can push under it.
    expect((await push(device, tillEvents.slice(3))).status).toBe(401);

    // The sales the hub lacked arrive under the successor's numbers, with their own ids.
    const resent = afterRestore.map((event, index) => renumbered(event, successor.deviceId, index + 1));
    const ack = (await push(successor, resent)).body.value as PushAck;
    expect(ack.results.map((result) => result.status)).toEqual(['accepted', 'accepted']);
    const sales = await storage.db
      .selectFrom('sales')
      .select(['sale_id', 'device_id'])
      .where(
        'sale_id',
        'in',
        [...original, ...afterRestore].map((e) => (e.payload as { saleId: string }).saleId),
      )
      .execute();
    expect(sales).toHaveLength(8);

    const restored = (await exceptionsOf('DEVICE_RESTORED')).filter(
      (exception) => exception.details['deviceId'] === device.deviceId,
    );
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({
      exceptionId: successor.replaced!.exceptionId,
      severity: 'critical',
      causeEventIds: afterRestore.map((event) => event.eventId),
    });
    expect(restored[0]!.details).toMatchObject({
      oldDevice: { deviceId: device.deviceId, deviceNo: device.deviceNo },
      newDevice: { deviceId: successor.deviceId, deviceNo: successor.deviceNo },
      hubLastSeq: 6,
      tillAckedSeq: 2,
      tillWrittenSeq: 5,
      keptUpTo: 3,
      heldOnlyByHub: { fromSeq: 4, toSeq: 6 },
      resent: { count: 2, oldFromSeq: 4, oldToSeq: 5, newFromSeq: 1, newToSeq: 2 },
      receiptsIssuedTwice: [3, 4].map(
        (i) => (original[i]!.payload as { receiptNumber: string }).receiptNumber,
      ),
      resolvedSequenceConflicts: 2,
    });
    expect(String(restored[0]!.details['message'])).toMatch(/restored from a backup/);

    // The conflicts those pushes raised are settled by the re-enrollment, with a note saying how.
    const conflicts = (await exceptionsOf('SEQUENCE_CONFLICT')).filter(
      (exception) => exception.details['deviceId'] === device.deviceId,
    );
    expect(conflicts.map((exception) => exception.status)).toEqual(['resolved', 'resolved']);
    expect(conflicts[0]!.resolutionNote).toMatch(/sends this event again/);

    // HQ reads the contents of what the restored till lost (old device) and of what it sent again.
    const lost = await call('GET', `/api/devices/${device.deviceId}/events?afterSeq=3`, { token: viewer });
    expect(lost.status).toBe(200);
    expect(lost.body.value.map((event: { eventId: string }) => event.eventId)).toEqual(
      original.slice(3).map((event) => event.eventId),
    );
    const again = await call('GET', `/api/events/${afterRestore[0]!.eventId}`, { token: viewer });
    expect(again.body.value).toMatchObject({
      deviceId: successor.deviceId,
      deviceSeq: 1,
      status: 'applied',
      envelope: { payload: afterRestore[0]!.payload },
    });
  });

  it('refuses a self re-enrollment when the hub holds nothing the till lacks, writing nothing', async () => {
    const device = await enroll('s1');
    const factory = new EventFactory(device);
    const events = [1, 2, 3].map(() => factory.next('sale.completed', saleOf([{ sku: 'A', qty: 1 }])));
    await push(device, events);
    const devicesBefore = await storage.db.selectFrom('devices').select('device_id').execute();
    const answer = await call('POST', '/sync/re-enroll', {
      token: device.credential,
      body: { restored: reportOf(device.deviceId, 1, events) },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toMatch(/holds nothing of this till beyond/);
    expect(await storage.db.selectFrom('devices').select('device_id').execute()).toHaveLength(
      devicesBefore.length,
    );
    expect((await push(device, [])).status).toBe(200);
  });

  it('refuses to re-enroll when the hub holds fewer events than the till had acknowledged (a restored hub)', async () => {
    const device = await enroll('s1');
    const factory = new EventFactory(device);
    const events = [1, 2].map(() => factory.next('sale.completed', saleOf([{ sku: 'A', qty: 1 }])));
    await push(device, events.slice(0, 1));
    const answer = await call('POST', '/sync/re-enroll', {
      token: device.credential,
      body: { restored: reportOf(device.deviceId, 2, events) },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error.message).toMatch(/the hub was restored from a backup, not the till/);
  });

  it('lets a device re-enroll only itself, and only within its store', async () => {
    const { device, tillEvents } = await restoredTill();
    const other = await enroll('s1');
    const answer = await call('POST', '/sync/re-enroll', {
      token: other.credential,
      body: { restored: reportOf(device.deviceId, 2, tillEvents) },
    });
    expect(answer.status).toBe(403);
    const elsewhere = await enroll('s2', { deviceName: 'Lane 9' });
    const code = await call('POST', '/api/nodes/s2/enrollment-codes', { token: operator, body: {} });
    const wrongStore = await call('POST', '/sync/enroll', {
      body: { code: code.body.value.code, replaces: reportOf(device.deviceId, 2, tillEvents) },
    });
    expect(wrongStore.status).toBe(404);
    // The refused code was not used up.
    const reused = await call('POST', '/sync/enroll', { body: { code: code.body.value.code } });
    expect(reused.status).toBe(201);
    expect(elsewhere.storeId).toBe('s2');
  });

  it('re-enrolls a revoked till with a code from HQ, carrying the events the hub lacks', async () => {
    const { device, tillEvents, afterRestore } = await restoredTill();
    const revoke = await call('POST', `/api/devices/${device.deviceId}/revoke`, { token: admin });
    expect(revoke.status).toBe(200);
    // Revoked, it cannot ask by itself any more.
    const self = await call('POST', '/sync/re-enroll', {
      token: device.credential,
      body: { restored: reportOf(device.deviceId, 2, tillEvents) },
    });
    expect(self.status).toBe(401);
    const successor = await enroll('s1', { replaces: reportOf(device.deviceId, 2, tillEvents) });
    expect(successor.replaced).toMatchObject({ deviceId: device.deviceId, hubLastSeq: 6, keptUpTo: 3 });
    const resent = afterRestore.map((event, index) => renumbered(event, successor.deviceId, index + 1));
    const ack = (await push(successor, resent)).body.value as PushAck;
    expect(ack.lastSeq).toBe(2);
    const restored = (await exceptionsOf('DEVICE_RESTORED')).find(
      (exception) => exception.details['deviceId'] === device.deviceId,
    );
    expect(restored?.details).toMatchObject({ via: 'enrollment-code', resent: { count: 2 } });
    expect((await push(device, [])).status).toBe(401);
  });

  it('reads a long report from an authenticated till, and keeps the code path small', async () => {
    const device = await enroll('s1');
    const factory = new EventFactory(device);
    const pushed = [1, 2, 3].map(() => factory.next('sale.completed', saleOf([{ sku: 'A', qty: 1 }])));
    await push(device, pushed);
    // 12,000 events written offline after those: a report of more than a megabyte.
    const offline = Array.from({ length: 12_000 }, (_, index) => ({
      deviceSeq: index + 4,
      eventId: randomUUID(),
      type: 'shift.cash_moved',
    }));
    const report = reportOf(device.deviceId, 1, pushed);
    const long = { ...report, writtenSeq: 12_003, events: [...report.events, ...offline] };
    expect(JSON.stringify({ restored: long }).length).toBeGreaterThan(1024 * 1024);

    const code = await call('POST', '/api/nodes/s1/enrollment-codes', { token: operator, body: {} });
    const tooLong = await call('POST', '/sync/enroll', {
      body: { code: code.body.value.code, replaces: { ...long, events: long.events.slice(0, 101) } },
    });
    expect(tooLong.status).toBe(400);

    // The hub has 1-3 and nothing else: it holds nothing the till lacks, so it refuses, having read it all.
    const answer = await call('POST', '/sync/re-enroll', {
      token: device.credential,
      body: { restored: long },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(409);
    expect(answer.body.error.message).toMatch(
      /holds nothing of this till beyond what the till has \(up to event 3\)/,
    );
  });

  it('answers 404 for an event the hub never logged', async () => {
    const answer = await call('GET', `/api/events/${randomUUID()}`, { token: viewer });
    expect(answer.status).toBe(404);
  });
});
