/**
 * Price and barcode lookup throughput for a realistic store: 100,000 SKUs in a chain book, a third of
 * them also in region, store and promotion books. Prints one JSON line per figure with a physical baseline
 * measured in the same run (a plain Map.get over the same keys) and the ratio, as `npm run bench` expects.
 */
import { performance } from 'node:perf_hooks';
import {
  CatalogIndex,
  PriceIndex,
  withGtinCheckDigit,
  type PriceBook,
  type PriceEntry,
  type Sku,
} from '../src/index';

const SKU_COUNT = 100_000;
const LOOKUPS = 200_000;
const AT = 1_800_000_000_000;

function book(priceBookId: string, scope: PriceBook['scope'], extra: Partial<PriceBook> = {}): PriceBook {
  return {
    priceBookId,
    version: 1,
    name: priceBookId,
    currency: 'EUR',
    scope,
    priority: 0,
    taxInclusive: true,
    ...extra,
  };
}

const books = [
  book('pb-chain', { type: 'chain' }),
  book('pb-region', { type: 'region', regionId: 'R1' }),
  book('pb-store', { type: 'store', storeId: 'S1' }),
  book('pb-promo', { type: 'store', storeId: 'S1' }, { priority: 5, startsAt: AT - 1000, endsAt: AT + 1000 }),
];
const entries: PriceEntry[] = [];
const skus: Sku[] = [];
for (let n = 0; n < SKU_COUNT; n += 1) {
  const sku = `SKU-${n}`;
  for (const priced of books) {
    if (priced.priceBookId !== 'pb-chain' && n % 3 !== 0) continue;
    entries.push({
      priceBookId: priced.priceBookId,
      sku,
      tiers: [
        { minQty: 1, unitPrice: 100 + (n % 50) },
        { minQty: 6, unitPrice: 90 + (n % 50) },
      ],
    });
  }
  skus.push({
    sku,
    productId: `P-${n}`,
    name: `Item ${n}`,
    unit: 'each',
    taxCategory: 'standard',
    categoryIds: [],
    barcodes: [withGtinCheckDigit(`400${String(n).padStart(9, '0')}`)],
    active: true,
  });
}

/** Times one run into `runs`; the caller alternates the builds so GC and JIT warm-up hit them alike. */
function timeInto(action: () => unknown, runs: number[]): void {
  const started = performance.now();
  action();
  runs.push(performance.now() - started);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function perOp(count: number, action: (index: number) => unknown): number {
  let sink = 0;
  const started = performance.now();
  for (let index = 0; index < count; index += 1) if (action(index) !== undefined) sink += 1;
  const micros = ((performance.now() - started) * 1000) / count;
  if (sink < 0) throw new Error('unreachable');
  return micros;
}

const baselineMap = new Map(skus.map((sku) => [sku.sku, sku]));
// Baseline: the bare grouping of entries by SKU, without any of the index's consistency checks.
function groupBySku(): Map<string, PriceEntry[]> {
  const grouped = new Map<string, PriceEntry[]>();
  for (const entry of entries) {
    const list = grouped.get(entry.sku);
    if (list === undefined) grouped.set(entry.sku, [entry]);
    else list.push(entry);
  }
  return grouped;
}

const baselineRuns: number[] = [];
const priceRuns: number[] = [];
const catalogRuns: number[] = [];
for (let run = 0; run < 5; run += 1) {
  timeInto(groupBySku, baselineRuns);
  timeInto(() => PriceIndex.build(books, entries), priceRuns);
  timeInto(() => CatalogIndex.build(skus), catalogRuns);
}
const index = PriceIndex.build(books, entries);
const catalog = CatalogIndex.build(skus);
const barcodes = skus.map((sku) => sku.barcodes[0] as string);

// Warm up so the JIT has compiled the paths before measuring.
perOp(20_000, (i) =>
  index.resolvePrice(`SKU-${i % SKU_COUNT}`, {
    storeId: 'S1',
    regionId: 'R1',
    at: AT,
    qty: 1,
    currency: 'EUR',
  }),
);
perOp(20_000, (i) => catalog.lookupByBarcode(barcodes[i % SKU_COUNT] as string));

const baselineGet = perOp(LOOKUPS, (i) => baselineMap.get(`SKU-${(i * 7919) % SKU_COUNT}`));
const resolveMicros = perOp(LOOKUPS, (i) =>
  index.resolvePrice(`SKU-${(i * 7919) % SKU_COUNT}`, {
    storeId: 'S1',
    regionId: 'R1',
    at: AT,
    qty: 1 + (i % 8),
    currency: 'EUR',
  }),
);
const barcodeMicros = perOp(LOOKUPS, (i) =>
  catalog.lookupByBarcode(barcodes[(i * 7919) % SKU_COUNT] as string),
);

const round = (value: number) => Math.round(value * 1000) / 1000;
const report = (name: string, value: number, unit: string, baseline: number, baselineName: string) =>
  console.log(
    JSON.stringify({
      name,
      value: round(value),
      unit,
      baseline: round(baseline),
      baselineName,
      ratio: round(value / baseline),
    }),
  );

report(
  'price-index build (100k SKUs, 4 books, 200k entries)',
  median(priceRuns),
  'ms',
  median(baselineRuns),
  'entries grouped by SKU in a Map',
);
report(
  'catalog-index build (100k SKUs)',
  median(catalogRuns),
  'ms',
  median(baselineRuns),
  'entries grouped by SKU in a Map',
);
report('resolvePrice via PriceIndex', resolveMicros, 'µs/op', baselineGet, 'Map.get µs/op');
report('lookupByBarcode via CatalogIndex', barcodeMicros, 'µs/op', baselineGet, 'Map.get µs/op');
