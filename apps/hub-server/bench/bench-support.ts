/**
 * What the hub's benchmarks share: their JSON line, their rounding, a throwaway PostgreSQL database, and a
 * chain of stocked stores with published prices to push priced sales against.
 */
import pg from 'pg';
import type { EventEnvelope } from '@retail/sync';
import type { HubContext } from '../src/hub-context';
import type { Storage } from '../src/storage/storage';
import { receiveStock } from '../src/inventory/stock-operations';
import {
  enrollTestDevice,
  EventFactory,
  pricedSaleOf,
  seedPricing,
  seedWorld,
  tillIds,
  type PricingSeed,
  type TillPricing,
} from '../src/test-support/fixtures';
import type { Device } from './hub-processes';

/** One benchmark result, one JSON line on stdout (`npm run bench` collects them). */
export function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Three decimals, as every figure is printed. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** PG_URL, or the machine's development cluster: the server the PostgreSQL benchmarks create databases on. */
export function postgresAdminUrl(): string {
  return process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:54329/postgres';
}

/** Whether a PostgreSQL server answers at `url` (a benchmark without one reports itself skipped). */
export async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, whoever is still connected to it. */
  dispose(): Promise<void>;
}

/** A new, empty database on the server at `adminUrl`, named `<prefix>_<pid>_<random>`. */
export async function freshPostgresDatabase(adminUrl: string, prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await onServer(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    dispose: () => onServer(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function onServer(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The stores and SKUs, a chain price book with New York's sales tax (and `promotion`, if given), and a
 * million sellable units of every SKU in every store, so the benchmark's sales draw stock down without
 * tripping an exception.
 */
export async function seedStockedChain(
  hub: HubContext,
  stores: readonly string[],
  skus: readonly string[],
  promotion?: PricingSeed['promotion'],
): Promise<TillPricing> {
  await seedWorld(hub, { nodes: [...stores], skus: [...skus] });
  const pricing = await seedPricing(hub, {
    skus: [...skus],
    taxRate: { rateId: 'ny', name: 'NY', jurisdictionId: 'US-NY', taxCategory: 'standard', percent: 8.875 },
    ...(promotion === undefined ? {} : { promotion }),
  });
  for (const nodeId of stores) {
    await receiveStock(
      hub,
      {
        nodeId,
        reference: 'bench opening stock',
        lines: skus.map((sku) => ({ sku, qty: 1_000_000, bucket: 'sellable' as const })),
      },
      'bench',
    );
  }
  return pricing;
}

/** `now` (default): sales completed as they are pushed; `fixture`: the fixtures' fixed past instant. */
/**
 * Journal revisions (`journal.daily_summary` events) in the log so far: with BENCH_SALE_TIME=fixture every
 * sale is of a closed store day, whose late revisions the integration leader publishes (and re-reads the
 * day for) as they come due.
 */
export async function journalRevisions(storage: Storage): Promise<number> {
  const row = await storage.db
    .selectFrom('integration_events')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('type', '=', 'journal.daily_summary')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export const SALE_TIME: 'now' | 'fixture' = process.env.BENCH_SALE_TIME === 'fixture' ? 'fixture' : 'now';

/** An enrolled benchmark till and the events it makes (UUIDv7 ids, as a real till's). */
export interface BenchTill extends Device {
  readonly factory: EventFactory;
}

/** A till enrolled at `storeId` (`label` names the device), making UUIDv7 ids as a real till does. */
export async function enrollBenchTill(hub: HubContext, storeId: string, label: string): Promise<BenchTill> {
  const enrolled = await enrollTestDevice(hub, storeId, label);
  return {
    deviceId: enrolled.deviceId,
    storeId,
    credential: enrolled.credential,
    factory: new EventFactory({ deviceId: enrolled.deviceId, storeId }, tillIds()),
  };
}

/**
 * The till's next sale of the n-th SKU (one unit) and the one 17 after it (two units), priced as the till
 * would price it; completed now (SALE_TIME `now`: today's sale, in a store day that is not over) or at
 * the fixtures' fixed instant.
 */
export function benchSale(
  till: BenchTill,
  pricing: TillPricing,
  skus: readonly string[],
  n: number,
): EventEnvelope {
  const lines = [
    { sku: skus[n % skus.length]!, qty: 1 },
    { sku: skus[(n + 17) % skus.length]!, qty: 2 },
  ];
  if (SALE_TIME === 'fixture') {
    return till.factory.next(
      'sale.completed',
      pricedSaleOf(pricing, lines, { storeId: till.storeId, ids: till.factory.ids }),
    );
  }
  const at = Date.now();
  const envelope = till.factory.next(
    'sale.completed',
    pricedSaleOf(pricing, lines, { storeId: till.storeId, ids: till.factory.ids, at }),
  );
  return { ...envelope, occurredAt: new Date(at).toISOString() };
}
