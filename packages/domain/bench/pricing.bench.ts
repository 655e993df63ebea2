/**
 * Price and barcode lookup throughput for a realistic store: 100,000 SKUs in a chain book, a third of
 * them also in region, store and promotion books. Prints one JSON line per figure with a physical baseline
 * measured in the same run (a plain Map.get over the same keys) and the ratio, as `npm run bench` expects.
 */
import { performance } from 'node:perf_hooks';
import {
  CatalogIndex,
  PriceIndex,
  applyPromotions,
  checkedPromotion,
  money,
  priceCart,
  withGtinCheckDigit,
  type PriceBook,
  type PriceEntry,
  type Promotion,
  type PromotionLine,
  type Sku,
  type TaxRate,
} from '../src/index';
import { applyPromotionsEvaluatingEveryRule } from '../src/promotions/engine';

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

/** Wall time, µs. */
const wallMicros = (): number => performance.now() * 1000;
/** This process's CPU time, µs (the machine is shared: a figure a neighbour cannot inflate). */
const cpuMicros = (): number => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

/** µs per call of `action`, on `clock`. */
function perOp(count: number, action: (index: number) => unknown, clock = wallMicros): number {
  let sink = 0;
  const started = clock();
  for (let index = 0; index < count; index += 1) if (action(index) !== undefined) sink += 1;
  const micros = (clock() - started) / count;
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

// The promotion engine as a till runs it on every scan: fifty checked promotions of every kind (a tenth
// targeting a category, the rest a few SKUs or the whole basket, as in the store node's demo chain) over
// carts of 1 to 5 lines. Baseline: the same engine evaluating every rule and triaging afresh on each call.
const CATEGORIES = Array.from({ length: 48 }, (_, n) => `cat-${n}`);
const promotions: Promotion[] = Array.from({ length: 50 }, (_, n) => {
  const index = n + 1;
  const someSkus = (count: number) =>
    Array.from({ length: count }, (_, k) => `SKU-${(index * 7_919 + k * 104_729) % SKU_COUNT}`);
  const kind = index % 5;
  const rule =
    kind === 0
      ? { type: 'percent_off', target: { categoryIds: [CATEGORIES[index % CATEGORIES.length]] }, percent: 10 }
      : kind === 1
        ? { type: 'amount_off', target: { skus: someSkus(5) }, amount: 20 }
        : kind === 2
          ? {
              type: 'buy_x_get_y',
              buy: { target: { skus: someSkus(3) }, qty: 2 },
              get: { target: { skus: someSkus(3) }, qty: 1, percentOff: 100 },
            }
          : kind === 3
            ? { type: 'multi_buy', target: { skus: someSkus(4) }, qty: 3, price: 500 }
            : { type: 'spend_threshold', threshold: 5_000 + index * 100, reward: { amountOff: 300 } };
  const checked = checkedPromotion({
    promotionId: `promo-${String(index).padStart(3, '0')}`,
    version: 1,
    name: `Promotion ${index}`,
    priority: index % 4,
    stacking: index % 6 === 0 ? 'exclusive' : 'stackable',
    startsAt: AT - 86_400_000,
    endsAt: AT + 86_400_000,
    scope: index % 3 === 0 ? { type: 'store', storeId: 'S1' } : { type: 'chain' },
    currency: 'EUR',
    ...(kind === 2 ? { maxApplications: 2 } : {}),
    rule,
  });
  if (!checked.ok) throw new Error(`bench promotion ${index} is not valid`);
  return checked.value;
});
const carts: PromotionLine[][] = Array.from({ length: 500 }, (_, cart) =>
  Array.from({ length: 1 + (cart % 5) }, (_, line) => {
    const unitPrice = money(49 + ((cart * 31 + line * 17) % 2_000), 'EUR');
    return {
      lineId: `line-${line}`,
      sku: `SKU-${((cart * 5 + line) * 7_919) % SKU_COUNT}`,
      categoryIds: [CATEGORIES[(cart + line) % CATEGORIES.length] as string],
      unit: 'each' as const,
      qty: 1,
      unitPrice,
      amount: unitPrice,
    };
  }),
);
const promotionContext = { at: AT, storeId: 'S1', regionId: 'R1', currency: 'EUR' } as const;
const PROMOTION_CALLS = 20_000;
// The till filters its promotions afresh for each cart: a new array of the same frozen objects.
const scanPromotions = (engine: typeof applyPromotions) => (i: number) =>
  engine(carts[i % carts.length] as PromotionLine[], [...promotions], promotionContext);
perOp(2_000, scanPromotions(applyPromotions));
perOp(2_000, scanPromotions(applyPromotionsEvaluatingEveryRule));
const everyRuleMicros = perOp(PROMOTION_CALLS, scanPromotions(applyPromotionsEvaluatingEveryRule));
const promotionMicros = perOp(PROMOTION_CALLS, scanPromotions(applyPromotions));
report(
  'applyPromotions, 50 promotions, carts of 1–5 lines',
  promotionMicros,
  'µs/op',
  everyRuleMicros,
  'the same, every rule evaluated and triaged afresh, µs/op',
);

// priceCart as a scan runs it (the store node's sale-pricing, and the hub's pricing audit per sale): the same
// carts and fifty promotions, three tax rates, the CPU time per call (process.cpuUsage: the machine is
// shared), beside the promotion engine's own CPU time on the same carts in this run.
const taxRates: TaxRate[] = [
  { rateId: 'vat-20', name: 'VAT 20%', jurisdictionId: 'J1', taxCategory: 'standard', percent: 20 },
  { rateId: 'vat-5', name: 'VAT 5.5%', jurisdictionId: 'J1', taxCategory: 'reduced', percent: 5.5 },
  { rateId: 'city', name: 'City 1%', jurisdictionId: 'J2', taxCategory: 'standard', percent: 1 },
];
const cartInputs = carts.map((lines) =>
  lines.map((line, index) => ({
    lineId: line.lineId,
    sku: line.sku,
    name: `Item ${line.sku}`,
    unit: line.unit,
    taxCategory: index % 3 === 0 ? 'reduced' : 'standard',
    categoryIds: line.categoryIds,
    qty: 1 + (index % 3),
    price: {
      source: 'price_book' as const,
      unitPrice: line.unitPrice,
      taxInclusive: index % 2 === 0,
      priceBookId: 'chain',
      priceBookVersion: 1,
    },
  })),
);
const priceScan = (i: number) =>
  priceCart({
    currency: 'EUR',
    at: AT,
    storeId: 'S1',
    regionId: 'R1',
    jurisdictionIds: ['J1', 'J2'],
    lines: cartInputs[i % cartInputs.length] as (typeof cartInputs)[number],
    promotions: [...promotions],
    taxRates,
    cashRoundingIncrement: 5,
  });
perOp(2_000, priceScan);
const promotionCpu: number[] = [];
const priceCartCpu: number[] = [];
for (let run = 0; run < 5; run += 1) {
  promotionCpu.push(perOp(PROMOTION_CALLS / 5, scanPromotions(applyPromotions), cpuMicros));
  priceCartCpu.push(perOp(PROMOTION_CALLS / 5, priceScan, cpuMicros));
}
report(
  'priceCart, 50 promotions, 3 tax rates, carts of 1–5 lines (CPU)',
  median(priceCartCpu),
  'µs/op',
  median(promotionCpu),
  'applyPromotions alone on the same carts, CPU µs/op',
);
