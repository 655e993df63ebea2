import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localStock } from './local-stock';
import { createTestNode, expectError, expectOk, stockLevel } from './testing/test-node';

type Bucket = 'sellable' | 'damaged' | 'quality_control';
const SKUS = ['APPLE-1', 'MILK-1'] as const;
const BUCKETS: readonly Bucket[] = ['sellable', 'damaged', 'quality_control'];

type Step =
  | { kind: 'receive'; sku: number; qty: number; bucket: 'sellable' | 'quality_control' }
  | { kind: 'adjust'; sku: number; bucket: Bucket; delta: number }
  | { kind: 'count'; sku: number; bucket: Bucket; counted: number; stale: boolean }
  | { kind: 'transfer'; sku: number; qty: number }
  | { kind: 'snapshot'; sku: number; reflect: number; otherDevices: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('receive' as const),
    sku: fc.integer({ min: 0, max: 1 }),
    qty: fc.integer({ min: 1, max: 20 }),
    bucket: fc.constantFrom('sellable' as const, 'quality_control' as const),
  }),
  fc.record({
    kind: fc.constant('adjust' as const),
    sku: fc.integer({ min: 0, max: 1 }),
    bucket: fc.constantFrom(...BUCKETS),
    delta: fc.integer({ min: -15, max: 15 }).filter((delta) => delta !== 0),
  }),
  fc.record({
    kind: fc.constant('count' as const),
    sku: fc.integer({ min: 0, max: 1 }),
    bucket: fc.constantFrom(...BUCKETS),
    counted: fc.integer({ min: 0, max: 40 }),
    stale: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('transfer' as const),
    sku: fc.integer({ min: 0, max: 1 }),
    qty: fc.integer({ min: 1, max: 12 }),
  }),
  fc.record({
    kind: fc.constant('snapshot' as const),
    sku: fc.integer({ min: 0, max: 1 }),
    reflect: fc.nat(),
    otherDevices: fc.integer({ min: -10, max: 10 }),
  }),
);

interface OwnMovement {
  sku: string;
  bucket: Bucket;
  delta: number;
  seq: number;
}

/** The model: what the hub last sent per SKU, and every movement this node made. */
class Model {
  readonly movements: OwnMovement[] = [];
  lastSeq = 0;
  readonly snapshots = new Map<string, { reflected: number; figures: Record<Bucket, number> }>();

  constructor(initial: Record<string, number>) {
    for (const [sku, sellable] of Object.entries(initial)) {
      this.snapshots.set(sku, { reflected: 0, figures: { sellable, damaged: 0, quality_control: 0 } });
    }
  }

  local(sku: string, bucket: Bucket): number {
    const snapshot = this.snapshots.get(sku);
    const reflected = snapshot?.reflected ?? 0;
    const own = this.movements
      .filter((movement) => movement.sku === sku && movement.bucket === bucket && movement.seq > reflected)
      .reduce((total, movement) => total + movement.delta, 0);
    return (snapshot?.figures[bucket] ?? 0) + own;
  }

  record(sku: string, bucket: Bucket, delta: number): void {
    if (delta !== 0) this.movements.push({ sku, bucket, delta, seq: this.lastSeq });
  }
}

describe('local-stock', () => {
  describe('localStock', () => {
    it('always equals the hub snapshot plus the own movements it does not reflect, over random command sequences', () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 25 }), (steps) => {
          const node = createTestNode({ stock: { 'APPLE-1': 10, 'MILK-1': 5 } });
          try {
            const model = new Model({ 'APPLE-1': 10, 'MILK-1': 5 });
            const supervisor = { session: node.sessions.supervisor };
            let hubSeq = 1000;
            for (const step of steps) {
              const sku = SKUS[step.sku] as string;
              switch (step.kind) {
                case 'receive': {
                  expectOk(
                    node.engine.execute(
                      'stock-receive',
                      {
                        source: { type: 'supplier', reference: 'DN' },
                        lines: [{ sku, qty: step.qty, bucket: step.bucket }],
                      },
                      supervisor,
                    ),
                  );
                  model.lastSeq += 1;
                  model.record(sku, step.bucket, step.qty);
                  break;
                }
                case 'adjust': {
                  const result = node.engine.execute(
                    'stock-adjust',
                    { reason: 'property', lines: [{ sku, bucket: step.bucket, delta: step.delta }] },
                    supervisor,
                  );
                  if (step.delta < 0 && model.local(sku, step.bucket) + step.delta < 0) {
                    expectError(result, 'INSUFFICIENT_STOCK');
                  } else {
                    expectOk(result);
                    model.lastSeq += 1;
                    model.record(sku, step.bucket, step.delta);
                  }
                  break;
                }
                case 'count': {
                  const current = model.local(sku, step.bucket);
                  const expectedQty = step.stale ? current + 1 : current;
                  const result = node.engine.execute(
                    'stock-count',
                    { sku, bucket: step.bucket, expectedQty, countedQty: step.counted },
                    supervisor,
                  );
                  if (step.stale) {
                    expectError(result, 'CONFLICT');
                  } else {
                    expect(expectOk(result).difference).toBe(step.counted - current);
                    model.lastSeq += 1;
                    model.record(sku, step.bucket, step.counted - current);
                  }
                  break;
                }
                case 'transfer': {
                  const result = node.engine.execute(
                    'stock-transfer-out',
                    { toNodeId: 'store-2', lines: [{ sku, qty: step.qty }] },
                    supervisor,
                  );
                  if (model.local(sku, 'sellable') < step.qty) {
                    expectError(result, 'INSUFFICIENT_STOCK');
                  } else {
                    expectOk(result);
                    model.lastSeq += 1;
                    model.record(sku, 'sellable', -step.qty);
                  }
                  break;
                }
                case 'snapshot': {
                  // The hub applied this device's events up to `reflect` (never backwards) plus others' sales.
                  const previous = model.snapshots.get(sku);
                  const from = previous?.reflected ?? 0;
                  const reflect =
                    from + (model.lastSeq > from ? step.reflect % (model.lastSeq - from + 1) : 0);
                  const figures = { sellable: 0, damaged: 0, quality_control: 0 };
                  for (const bucket of BUCKETS) figures[bucket] = previous?.figures[bucket] ?? 0;
                  for (const movement of model.movements) {
                    if (movement.sku === sku && movement.seq > from && movement.seq <= reflect) {
                      figures[movement.bucket] += movement.delta;
                    }
                  }
                  figures.sellable += step.otherDevices;
                  hubSeq += 1;
                  node.engine.applyFeed({
                    epoch: 'test-epoch',
                    changes: [
                      {
                        hubSeq,
                        entity: 'stock_level',
                        key: `store-1:${sku}`,
                        op: 'upsert',
                        data: {
                          ...stockLevel('store-1', sku, figures.sellable, {
                            [node.engine.identity.deviceId]: reflect,
                            'other-device': hubSeq,
                          }),
                          damaged: figures.damaged,
                          qualityControl: figures.quality_control,
                        },
                      },
                    ],
                  });
                  model.snapshots.set(sku, { reflected: reflect, figures });
                  break;
                }
              }
              for (const code of SKUS) {
                const [level] = localStock(node.engine.db, node.engine.identity, [code]);
                expect(level).toMatchObject({
                  sellable: model.local(code, 'sellable'),
                  damaged: model.local(code, 'damaged'),
                  qualityControl: model.local(code, 'quality_control'),
                  onHand: BUCKETS.reduce((total, bucket) => total + model.local(code, bucket), 0),
                });
              }
            }
          } finally {
            node.close();
          }
        }),
        { numRuns: 30 },
      );
    });
  });
});
