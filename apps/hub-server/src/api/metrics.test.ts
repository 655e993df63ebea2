import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { revokeDevice } from '../auth/devices';
import { createHubContext, type HubContext } from '../hub-context';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import {
  adjustment,
  EventFactory,
  enrollTestDevice,
  movement,
  saleOf,
  seedWorld,
} from '../test-support/fixtures';
import { buildApp } from './app';

/** One sample's value in Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(backendKinds())('api/metrics on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let hub: HubContext;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
    hub = createHubContext(storage);
    await seedWorld(hub, { nodes: ['s1'], skus: ['A'] });
    ({ app } = await buildApp({ hub, sync: { socket: false } }));
  });

  afterAll(async () => {
    await app?.close();
    await storage?.close();
    await database?.dispose();
  });

  const scrape = async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  };

  it('counts pushes and events, times them, and reads the device gauges from the database', async () => {
    const device = await enrollTestDevice(hub, 's1');
    const events = new EventFactory({ deviceId: device.deviceId, storeId: device.storeId });
    const before = await scrape();
    expect(sample(before, 'hub_push_batches_total')).toBe(0);
    expect(sample(before, 'hub_push_duration_seconds_count{outcome="acknowledged"}')).toBeUndefined();

    for (const batch of [
      [events.next('stock.adjusted', adjustment(movement('A', 9)))],
      [
        events.next('sale.completed', saleOf([{ sku: 'A', qty: 2 }])),
        events.next('sale.completed', saleOf([{ sku: 'A', qty: 1 }])),
      ],
    ]) {
      const push = await app.inject({
        method: 'POST',
        url: '/sync/push',
        headers: { authorization: `Bearer ${device.credential}` },
        payload: {
          deviceId: device.deviceId,
          storeId: device.storeId,
          events: batch,
          outbox: { pending: 0 },
        },
      });
      expect(push.statusCode).toBe(200);
    }
    const forged = await app.inject({
      method: 'POST',
      url: '/sync/push',
      headers: { authorization: `Bearer ${device.credential}` },
      payload: { deviceId: device.deviceId, storeId: 's2', events: [] },
    });
    expect(forged.statusCode).toBe(403);

    const text = await scrape();
    expect(sample(text, 'hub_push_batches_total')).toBe(2);
    expect(sample(text, 'hub_ingest_events_total{status="accepted"}')).toBe(3);
    expect(sample(text, 'hub_push_batch_events_sum')).toBe(3);
    expect(sample(text, 'hub_push_duration_seconds_count{outcome="acknowledged"}')).toBe(2);
    expect(sample(text, 'hub_push_duration_seconds_count{outcome="failed"}')).toBe(1);
    expect(sample(text, 'hub_push_duration_seconds_sum{outcome="acknowledged"}')).toBeGreaterThan(0);
    expect(sample(text, 'hub_sync_pushes_refused_total{code="FORBIDDEN"}')).toBe(1);
    // The route template, not the URL, so a series never carries an id.
    expect(
      sample(text, 'hub_http_request_duration_seconds_count{method="POST",route="/sync/push",status="2xx"}'),
    ).toBe(2);
    expect(sample(text, 'hub_http_requests_total{status="4xx"}')).toBe(1);

    const labels = `{device="${device.deviceId}",store="S1"}`;
    expect(sample(text, `hub_device_last_seq${labels}`)).toBe(3);
    expect(sample(text, `hub_device_outbox_pending${labels}`)).toBe(0);
    expect(sample(text, `hub_device_last_seen_seconds${labels}`)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'hub_feed_head_seq')).toBeGreaterThan(0);

    // A revoked device leaves the scrape instead of lingering with its last value.
    await revokeDevice(hub, device.deviceId);
    expect(sample(await scrape(), `hub_device_last_seq${labels}`)).toBeUndefined();
  });
});
