import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { listExceptions } from '../exceptions/exception-queue';
import { backendKinds } from '../test-support/backends';
import { createBopisWorld, type BopisWorld } from '../test-support/bopis-world';
import { IntegrationGauges } from './integration-metrics';
import { runIntegrationPass } from './integration-runtime';
import { acquireLease, releaseLease } from './lease';
import {
  EVENT_ID_HEADER,
  createSubscription,
  getSubscription,
  listDeliveries,
  replaySubscription,
  setSubscriptionStatus,
  settleDeadLetter,
} from './subscriptions';
import { verifyWebhookSignature, SIGNATURE_HEADER } from './webhook-signature';

interface Received {
  readonly eventId: string;
  readonly type: string;
  readonly aggregate: string;
  readonly verified: boolean;
}

/** A real receiver on 127.0.0.1 that answers each request by a rule of the test. */
async function startReceiver(secret: () => string, now: () => number) {
  const received: Received[] = [];
  let answer: (body: { type: string; aggregate: { id: string } }) => number = () => 204;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(text) as {
        type: string;
        eventId: string;
        aggregate: { type: string; id: string };
      };
      const status = answer(body);
      if (status < 300) {
        received.push({
          eventId: body.eventId,
          type: body.type,
          aggregate: `${body.aggregate.type}:${body.aggregate.id}`,
          verified:
            verifyWebhookSignature(secret(), request.headers[SIGNATURE_HEADER] as string, text, now()) &&
            request.headers[EVENT_ID_HEADER] === body.eventId,
        });
      }
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/erp`,
    received,
    answerWith(rule: typeof answer) {
      answer = rule;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(backendKinds())('integration/subscriptions on %s', (kind) => {
  let world: BopisWorld;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secret = '';

  beforeAll(async () => {
    world = await createBopisWorld(kind, { skus: ['A', 'B'] });
    receiver = await startReceiver(
      () => secret,
      () => world.clock.now,
    );
  });

  afterAll(async () => {
    await receiver?.close();
    await world?.dispose();
  });

  /** Passes of the runtime until nothing more is attempted (bounded). */
  async function settle() {
    for (let pass = 0; pass < 20; pass += 1) {
      const report = await runIntegrationPass(world.hub);
      if ((report.events?.attempted ?? 0) === 0 && report.queued === 0) return;
    }
    throw new Error('deliveries did not settle');
  }

  it('delivers the events a subscription wants, signed, in log order, each once', async () => {
    const created = await createSubscription(
      world.hub,
      {
        name: 'erp',
        url: receiver.url,
        types: ['stock.*', 'exception.raised'],
        maxAttempts: 3,
        maxLagSeconds: 60,
      },
      'user:admin',
    );
    secret = created.secret;
    expect(created.secret).toMatch(/^whsec_/);
    await world.stock('s1', 'A', 5);
    await world.stock('s1', 'B', -1);
    await settle();
    expect(receiver.received.map((event) => event.type)).toEqual([
      'stock.adjusted',
      'stock.adjusted',
      'exception.raised',
    ]);
    expect(receiver.received.every((event) => event.verified)).toBe(true);
    const view = await getSubscription(world.storage.db, created.subscription.subscriptionId);
    expect(view).toMatchObject({ pending: 0, deadLetters: 0, lagEvents: 0 });
    await settle();
    expect(receiver.received).toHaveLength(3);
    await setSubscriptionStatus(world.hub, created.subscription.subscriptionId, 'paused');
  });

  it('keeps an aggregate in order behind a failing delivery, dead-letters it, and goes on when skipped', async () => {
    receiver.received.length = 0;
    const created = await createSubscription(
      world.hub,
      { name: 'wms', url: receiver.url, types: ['availability.changed'], maxAttempts: 2, maxLagSeconds: 60 },
      'user:admin',
    );
    secret = created.secret;
    const id = created.subscription.subscriptionId;
    // Every event of s2:A fails; s2:B goes through.
    receiver.answerWith((body) => (body.aggregate.id === 's2:A' ? 500 : 204));
    await world.stock('s2', 'A', 1);
    await world.stock('s2', 'A', 1);
    await world.stock('s2', 'B', 1);
    await runIntegrationPass(world.hub);
    expect(receiver.received.map((event) => event.aggregate)).toEqual(['availability:s2:B']);
    let deliveries = await listDeliveries(world.storage.db, id, { limit: 10 });
    const [second, first] = deliveries.filter((delivery) => delivery.aggregate === 'availability:s2:A');
    // The first failed once and waits for its retry; the second was never attempted.
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    expect(second).toMatchObject({ status: 'pending', attempts: 0 });

    await world.advance(60_000);
    await runIntegrationPass(world.hub);
    deliveries = await listDeliveries(world.storage.db, id, { limit: 10 });
    expect(deliveries.find((delivery) => delivery.seq === first!.seq)).toMatchObject({
      status: 'dead',
      attempts: 2,
    });
    expect(deliveries.find((delivery) => delivery.seq === second!.seq)).toMatchObject({ attempts: 0 });
    const [deadLetter] = await listExceptions(world.storage.db, {
      type: 'INTEGRATION_DEAD_LETTER',
      limit: 5,
    });
    expect(deadLetter).toMatchObject({ status: 'open', details: { subscriptionId: id, seq: first!.seq } });

    receiver.answerWith(() => 204);
    await world.advance(60_000);
    await settle();
    // Still held back behind the dead letter.
    expect(receiver.received.map((event) => event.aggregate)).toEqual(['availability:s2:B']);
    await settleDeadLetter(world.hub, id, first!.seq, 'skip');
    await expect(settleDeadLetter(world.hub, id, first!.seq, 'retry')).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
    await settle();
    expect(receiver.received.map((event) => event.aggregate)).toEqual([
      'availability:s2:B',
      'availability:s2:A',
    ]);
    await setSubscriptionStatus(world.hub, id, 'paused');
  });

  it('raises an exception when a subscription falls behind and closes it once it catches up', async () => {
    receiver.received.length = 0;
    const created = await createSubscription(
      world.hub,
      {
        name: 'marketplace',
        url: receiver.url,
        types: ['stock.adjusted'],
        maxAttempts: 50,
        maxLagSeconds: 30,
      },
      'user:admin',
    );
    secret = created.secret;
    const id = created.subscription.subscriptionId;
    receiver.answerWith(() => 503);
    await world.stock('s3', 'A', 2);
    await runIntegrationPass(world.hub);
    await world.advance(31_000);
    const report = await runIntegrationPass(world.hub);
    expect(report.behind).toContain(id);
    const [lag] = await listExceptions(world.storage.db, {
      type: 'INTEGRATION_LAG',
      status: 'open',
      limit: 5,
    });
    expect(lag?.details).toMatchObject({ subscriptionId: id, lagEvents: 1 });
    const registry = new Registry();
    const gauges = new IntegrationGauges(registry);
    await gauges.refresh(world.storage.db, world.clock.now);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(
      new RegExp(`hub_integration_subscription_lag_events\\{subscription="marketplace",id="${id}"\\} 1`),
    );
    expect(metrics).toMatch(
      new RegExp(`hub_integration_subscription_failing\\{subscription="marketplace",id="${id}"\\} 1`),
    );

    receiver.answerWith(() => 204);
    await world.advance(3_600_000);
    await settle();
    expect(
      await listExceptions(world.storage.db, { type: 'INTEGRATION_LAG', status: 'open', limit: 5 }),
    ).toEqual([]);
    expect(receiver.received.map((event) => event.type)).toEqual(['stock.adjusted']);

    // Replay from a cursor before the event delivers it again; pausing stops deliveries, resuming goes on.
    await setSubscriptionStatus(world.hub, id, 'paused');
    const [delivered] = await listDeliveries(world.storage.db, id, { limit: 1 });
    await replaySubscription(world.hub, id, { after: String(delivered!.seq - 1) });
    await settle();
    expect(receiver.received).toHaveLength(1);
    await setSubscriptionStatus(world.hub, id, 'active');
    await settle();
    expect(receiver.received.map((event) => event.eventId)).toEqual([
      receiver.received[0]!.eventId,
      receiver.received[0]!.eventId,
    ]);
    await setSubscriptionStatus(world.hub, id, 'paused');
  });

  it('lets one hub process hold the delivery lease at a time, handing it over when it lapses', async () => {
    const db = world.storage.db;
    const at = world.clock.now;
    expect(await acquireLease(db, 'test-lease', 'a', 1000, at)).toBe(true);
    expect(await acquireLease(db, 'test-lease', 'b', 1000, at + 10)).toBe(false);
    expect(await acquireLease(db, 'test-lease', 'a', 1000, at + 500)).toBe(true);
    expect(await acquireLease(db, 'test-lease', 'b', 1000, at + 1000)).toBe(false);
    expect(await acquireLease(db, 'test-lease', 'b', 1000, at + 1500)).toBe(true);
    await releaseLease(db, 'test-lease', 'b');
    expect(await acquireLease(db, 'test-lease', 'a', 1000, at + 1501)).toBe(true);
  });
});
