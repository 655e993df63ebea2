import { countOpenExceptions } from '../exceptions/exception-queue';
import { feedHead } from '../feed/feed-store';
import { integrationMetricLines } from '../integration/integration-metrics';
import type { HubContext } from '../hub-context';

type Labels = Record<string, string>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** In-process counters; gauges that live in the database are read when Prometheus scrapes. */
export class HubMetrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();

  increment(name: string, help: string, labels: Labels = {}, by = 1): void {
    const counter = this.counters.get(name) ?? { help, values: new Map<string, number>() };
    const key = labelText(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
    this.counters.set(name, counter);
  }

  countIngest(results: readonly { status: string }[]): void {
    this.increment('hub_push_batches_total', 'Push batches processed.');
    for (const result of results) {
      this.increment('hub_ingest_events_total', 'Store events received, by outcome.', {
        status: result.status,
      });
    }
  }

  /** Prometheus text exposition format 0.0.4. */
  async render(hub: HubContext): Promise<string> {
    const lines: string[] = [];
    for (const [name, counter] of [...this.counters].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${counter.help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of counter.values) lines.push(`${name}${labels} ${value}`);
    }
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
    lines.push('# HELP hub_device_last_seq Highest contiguous event sequence number applied per device.');
    lines.push('# TYPE hub_device_last_seq gauge');
    for (const d of devices)
      lines.push(
        `hub_device_last_seq${labelText({ device: d.device_id, store: d.code })} ${Number(d.last_seq)}`,
      );
    lines.push(
      '# HELP hub_device_outbox_pending Events the device reported still waiting in its outbox (sync lag).',
    );
    lines.push('# TYPE hub_device_outbox_pending gauge');
    for (const d of devices) {
      if (d.outbox_pending !== null) {
        lines.push(
          `hub_device_outbox_pending${labelText({ device: d.device_id, store: d.code })} ${Number(d.outbox_pending)}`,
        );
      }
    }
    lines.push('# HELP hub_device_last_seen_seconds Seconds since the device last talked to the hub.');
    lines.push('# TYPE hub_device_last_seen_seconds gauge');
    for (const d of devices) {
      if (d.last_seen_at !== null) {
        lines.push(
          `hub_device_last_seen_seconds${labelText({ device: d.device_id, store: d.code })} ${Math.max(0, (now - Number(d.last_seen_at)) / 1000)}`,
        );
      }
    }
    lines.push('# HELP hub_exceptions_open Open exceptions by type and severity.');
    lines.push('# TYPE hub_exceptions_open gauge');
    for (const row of await countOpenExceptions(db)) {
      lines.push(`hub_exceptions_open${labelText({ type: row.type, severity: row.severity })} ${row.count}`);
    }
    const feedRows = await db
      .selectFrom('feed_changes')
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .executeTakeFirstOrThrow();
    lines.push('# HELP hub_feed_rows Rows in the compacted change feed.', '# TYPE hub_feed_rows gauge');
    lines.push(`hub_feed_rows ${Number(feedRows.rows)}`);
    lines.push(
      '# HELP hub_feed_head_seq Highest hubSeq visible in the feed.',
      '# TYPE hub_feed_head_seq gauge',
    );
    lines.push(`hub_feed_head_seq ${await feedHead(db)}`);
    lines.push(...(await integrationMetricLines(db, now)));
    return `${lines.join('\n')}\n`;
  }
}
