import { afterEach, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app';
import { createUser, login, logout } from '../../auth/users';
import { raiseException } from '../../exceptions/exception-queue';
import { createHubContext, type HubContext } from '../../hub-context';
import type { Storage } from '../../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../../test-support/backends';
import { enrollTestDevice, seedWorld } from '../../test-support/fixtures';
import type { LiveChange } from '../../live/live-changes';

const PASSWORD = 'correct horse battery';

interface HubProcess {
  readonly storage: Storage;
  readonly hub: HubContext;
  readonly app: FastifyInstance;
  readonly url: string;
}

/** What one dashboard's stream received, with a way to wait for a message that satisfies a condition. */
function follow(url: string, token: string) {
  const received: { event: string; data: unknown }[] = [];
  const waiters = new Set<() => void>();
  const source = new EventSource(`${url}/api/live`, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
  });
  for (const event of ['ready', 'changes', 'refresh', 'session-ended']) {
    source.addEventListener(event, (message) => {
      received.push({ event, data: JSON.parse(message.data) as unknown });
      for (const wake of [...waiters]) wake();
    });
  }
  const until = (matches: (message: { event: string; data: unknown }) => boolean) =>
    new Promise<{ event: string; data: unknown }>((resolve) => {
      const check = () => {
        const found = received.find(matches);
        if (found === undefined) return;
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return { source, received, until };
}

const changesOf = (message: { data: unknown }) => message.data as LiveChange[];

describe.each(backendKinds())('live dashboard stream on %s', (kind) => {
  let database: TestDatabase | undefined;
  const processes: HubProcess[] = [];
  const sources: EventSource[] = [];

  async function startProcess(): Promise<HubProcess> {
    if (database === undefined) throw new Error('no database');
    const storage = await database.open();
    const hub = createHubContext(storage);
    const { app } = await buildApp({ hub, sync: { socket: false }, live: { heartbeatMs: 200 } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const started = { storage, hub, app, url };
    processes.push(started);
    return started;
  }

  afterEach(async () => {
    for (const source of sources.splice(0)) source.close();
    for (const each of processes.splice(0)) {
      await each.app.close();
      await each.storage.close();
    }
    await database?.dispose();
    database = undefined;
  });

  async function world() {
    database = await createTestDatabase(kind);
    const first = await startProcess();
    await seedWorld(first.hub, { nodes: ['s1'], skus: ['A'] });
    await createUser(first.hub, { username: 'viewer-user', password: PASSWORD, role: 'viewer' });
    const { token } = await login(first.hub, { username: 'viewer-user', password: PASSWORD });
    return { first, token };
  }

  function open(url: string, token: string) {
    const stream = follow(url, token);
    sources.push(stream.source);
    return stream;
  }

  async function raiseOversell(hub: HubContext) {
    return hub.storage.transaction((trx) =>
      raiseException(
        trx,
        {
          type: 'OVERSELL',
          severity: 'critical',
          nodeId: 's1',
          sku: 'A',
          causeEventIds: ['e1'],
          details: { shortBy: 1 },
        },
        hub.now(),
        hub.newId,
      ),
    );
  }

  it('sends a raised exception and a device sync change to a viewer session', async () => {
    const { first, token } = await world();
    const stream = open(first.url, token);
    await stream.until((message) => message.event === 'ready');

    const exceptionId = await raiseOversell(first.hub);
    const raised = await stream.until(
      (message) => message.event === 'changes' && changesOf(message).some((c) => c.id === exceptionId),
    );
    expect(changesOf(raised).find((change) => change.id === exceptionId)).toEqual({
      topic: 'exceptions',
      id: exceptionId,
      type: 'OVERSELL',
      severity: 'critical',
      status: 'open',
      raised: true,
    });

    const device = await enrollTestDevice(first.hub, 's1');
    await first.storage.db
      .updateTable('devices')
      .set({ last_push_at: first.hub.now(), outbox_pending: 3 })
      .where('device_id', '=', device.deviceId)
      .execute();
    await stream.until(
      (message) =>
        message.event === 'changes' &&
        changesOf(message).some((c) => c.topic === 'devices' && c.id === device.deviceId),
    );
  });

  it('ends the stream with session-ended once the session is signed out', async () => {
    const { first, token } = await world();
    const stream = open(first.url, token);
    await stream.until((message) => message.event === 'ready');
    await logout(first.hub, token);
    const ended = await stream.until((message) => message.event === 'session-ended');
    expect(ended.data).toMatchObject({ code: 'UNAUTHORIZED' });
    await raiseOversell(first.hub);
    expect(stream.received.filter((message) => message.event === 'changes')).toEqual([]);
  });

  it('answers a JSON summary of open exceptions without the event-stream accept header', async () => {
    const { first, token } = await world();
    await raiseOversell(first.hub);
    const response = await first.app.inject({
      method: 'GET',
      url: '/api/live',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.json()).toEqual({
      ok: true,
      value: { openExceptions: { info: 0, warning: 0, critical: 1 }, listening: 0 },
    });
  });

  it.runIf(kind === 'postgres')(
    'tells a dashboard on one hub process of an exception another process raised',
    async () => {
      const { first, token } = await world();
      const second = await startProcess();
      const stream = open(first.url, token);
      await stream.until((message) => message.event === 'ready');
      const exceptionId = await raiseOversell(second.hub);
      await stream.until(
        (message) =>
          message.event === 'changes' &&
          changesOf(message).some((c) => c.id === exceptionId && c.raised === true),
      );
    },
  );
});
