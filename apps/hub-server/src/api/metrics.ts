import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { countOpenExceptions } from '../exceptions/exception-queue';
import { feedHead } from '../feed/feed-store';
import { IntegrationGauges } from '../integration/integration-metrics';
import type { HubContext } from '../hub-context';

/**
 * Latency buckets in seconds, from a cached read (1 ms) to a push stuck behind a lock or a slow disk
 * (10 s): the range where a till's sync or an operator's click is fast, slow or stuck.
 */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The hub's Prometheus metrics, one registry per app (tests build several in one process). Counters and
 * histograms are kept in process; the gauges that live in the database are read when Prometheus scrapes,
 * so every hub process sharing a database reports the same figures.
 */
export class HubMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'hub_http_requests_total',
    help: 'HTTP requests by status class.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly pushBatches = new Counter({
    name: 'hub_push_batches_total',
    help: 'Push batches processed.',
    registers: [this.registry],
  });

  readonly ingestEvents = new Counter({
    name: 'hub_ingest_events_total',
    help: 'Store events received, by outcome.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly pushDuration = new Histogram({
    name: 'hub_push_duration_seconds',
    help: "Time to ingest one device's push batch (checks, ledger, exceptions, commit), by outcome.",
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly pushedEvents = new Histogram({
    name: 'hub_push_batch_events',
    help: 'Events per push batch.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500],
    registers: [this.registry],
  });

  readonly pushesRefused = new Counter({
    name: 'hub_sync_pushes_refused_total',
    help: 'Pushes refused whole, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly handshakes = new Counter({
    name: 'hub_sync_handshakes_total',
    help: 'socket.io handshakes, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly catchUps = new Counter({
    name: 'hub_sync_catch_ups_total',
    help: 'Catch-up requests, by outcome.',
    labelNames: ['call', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly saleLookups = new Counter({
    name: 'hub_sale_lookups_total',
    help: 'Receipt lookups by devices, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly deviceLastSeq = new Gauge({
    name: 'hub_device_last_seq',
    help: 'Highest contiguous event sequence number applied per device.',
    labelNames: ['device', 'store'] as const,
    registers: [this.registry],
  });

  private readonly deviceOutboxPending = new Gauge({
    name: 'hub_device_outbox_pending',
    help: 'Events the device reported still waiting in its outbox (sync lag).',
    labelNames: ['device', 'store'] as const,
    registers: [this.registry],
  });

  private readonly deviceLastSeen = new Gauge({
    name: 'hub_device_last_seen_seconds',
    help: 'Seconds since the device last talked to the hub.',
    labelNames: ['device', 'store'] as const,
    registers: [this.registry],
  });

  private readonly exceptionsOpen = new Gauge({
    name: 'hub_exceptions_open',
    help: 'Open exceptions by type and severity.',
    labelNames: ['type', 'severity'] as const,
    registers: [this.registry],
  });

  private readonly feedRows = new Gauge({
    name: 'hub_feed_rows',
    help: 'Rows in the compacted change feed.',
    registers: [this.registry],
  });

  private readonly feedHeadSeq = new Gauge({
    name: 'hub_feed_head_seq',
    help: 'Highest hubSeq visible in the feed.',
    registers: [this.registry],
  });

  private readonly integration = new IntegrationGauges(this.registry);

  countIngest(results: readonly { status: string }[]): void {
    this.pushBatches.inc();
    this.pushedEvents.observe(results.length);
    for (const result of results) this.ingestEvents.inc({ status: result.status });
  }

  /** Prometheus text exposition format 0.0.4, with the database gauges read now. */
  async render(hub: HubContext): Promise<string> {
    await this.refreshGauges(hub);
    return this.registry.metrics();
  }

  private async refreshGauges(hub: HubContext): Promise<void> {
    const db = hub.storage.db;
    const now = hub.now();
    const devices = await db
      .selectFrom('devices')
      .innerJoin('nodes', 'nodes.node_id', 'devices.node_id')
      .select([
        'devices.device_id',
        'nodes.code',
        'devices.last_seq',
        'devices.outbox_pending',
        'devices.last_seen_at',
      ])
      .where('devices.revoked_at', 'is', null)
      .execute();
    // A revoked device must leave the scrape, not linger with its last value.
    for (const gauge of [this.deviceLastSeq, this.deviceOutboxPending, this.deviceLastSeen]) gauge.reset();
    for (const d of devices) {
      const labels = { device: d.device_id, store: d.code };
      this.deviceLastSeq.set(labels, Number(d.last_seq));
      if (d.outbox_pending !== null) this.deviceOutboxPending.set(labels, Number(d.outbox_pending));
      if (d.last_seen_at !== null) {
        this.deviceLastSeen.set(labels, Math.max(0, (now - Number(d.last_seen_at)) / 1000));
      }
    }
    this.exceptionsOpen.reset();
    for (const row of await countOpenExceptions(db)) {
      this.exceptionsOpen.set({ type: row.type, severity: row.severity }, row.count);
    }
    const feedRows = await db
      .selectFrom('feed_changes')
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .executeTakeFirstOrThrow();
    this.feedRows.set(Number(feedRows.rows));
    this.feedHeadSeq.set(await feedHead(db));
    await this.integration.refresh(db, now);
  }
}
