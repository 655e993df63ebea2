import { afterEach, describe, expect, it } from 'vitest';
import type { StoreNotification } from '../../shared/notifications';
import {
  checkedOutbox,
  countRows,
  createTestNode,
  databaseSnapshot,
  expectError,
  expectOk,
  stockLevel,
  type TestNode,
} from '../testing/test-node';

let node: TestNode;
afterEach(() => node?.close());

const levels = (...skus: string[]) =>
  expectOk(node.engine.execute('stock-levels', { skus }, { session: node.sessions.cashier })).levels;

describe('stock commands', () => {
  describe('stock-receive', () => {
    it('adds received goods to local stock with RECEIPT movements in one stock.received event', () => {
      node = createTestNode();
      const received = expectOk(
        node.engine.execute(
          'stock-receive',
          {
            source: { type: 'supplier', reference: 'DN-4471' },
            lines: [
              { sku: 'APPLE-1', qty: 30 },
              { sku: 'CHEESE-KG', qty: 2_500, bucket: 'quality_control' },
            ],
          },
          { session: node.sessions.cashier },
        ),
      );
      expect(received.levels.map((level) => [level.sku, level.sellable, level.qualityControl])).toEqual([
        ['APPLE-1', 50, 0],
        ['CHEESE-KG', 0, 2_500],
      ]);
      const [event] = checkedOutbox(node.engine);
      expect(event).toMatchObject({
        type: 'stock.received',
        payload: {
          receiptId: received.receiptId,
          source: { type: 'supplier', reference: 'DN-4471' },
          movements: [
            { sku: 'APPLE-1', type: 'RECEIPT', bucket: 'sellable', delta: 30 },
            { sku: 'CHEESE-KG', type: 'RECEIPT', bucket: 'quality_control', delta: 2_500 },
          ],
        },
      });
      expect(countRows(node.engine, 'stock_movements')).toBe(2);
    });

    it('receives a transfer with TRANSFER_IN movements', () => {
      node = createTestNode();
      expectOk(
        node.engine.execute(
          'stock-transfer-in',
          { transferId: 'TR-9', lines: [{ sku: 'MILK-1', qty: 6 }] },
          { session: node.sessions.cashier },
        ),
      );
      expect(levels('MILK-1')[0]?.sellable).toBe(16);
      expect(checkedOutbox(node.engine)[0]?.payload).toMatchObject({
        source: { type: 'transfer', reference: 'TR-9' },
        movements: [{ type: 'TRANSFER_IN', bucket: 'sellable', delta: 6 }],
      });
    });

    it('refuses unknown SKUs and writes nothing', () => {
      node = createTestNode();
      const before = databaseSnapshot(node.engine);
      const error = expectError(
        node.engine.execute(
          'stock-receive',
          {
            source: { type: 'supplier', reference: 'DN-1' },
            lines: [
              { sku: 'APPLE-1', qty: 1 },
              { sku: 'NOPE', qty: 1 },
            ],
          },
          { session: node.sessions.cashier },
        ),
        'NOT_FOUND',
      );
      expect(error.message).toBe(
        "SKU NOPE is not in this store's catalog. Check the code, or wait for the catalog to sync.",
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('refuses zero or negative quantities', () => {
      node = createTestNode();
      expectError(
        node.engine.execute(
          'stock-receive',
          { source: { type: 'supplier', reference: 'DN-1' }, lines: [{ sku: 'APPLE-1', qty: 0 }] },
          { session: node.sessions.cashier },
        ),
        'INVALID_INPUT',
      );
    });
  });

  describe('stock-adjust', () => {
    it('adjusts buckets with a reason', () => {
      node = createTestNode();
      const adjusted = expectOk(
        node.engine.execute(
          'stock-adjust',
          {
            reason: 'dropped crate',
            lines: [
              { sku: 'APPLE-1', bucket: 'sellable', delta: -4 },
              { sku: 'APPLE-1', bucket: 'damaged', delta: 4 },
            ],
          },
          { session: node.sessions.supervisor },
        ),
      );
      expect(adjusted.levels[0]).toMatchObject({ sellable: 16, damaged: 4, onHand: 20, pendingMovements: 2 });
      expect(checkedOutbox(node.engine)[0]).toMatchObject({
        type: 'stock.adjusted',
        payload: {
          reason: 'dropped crate',
          movements: [
            { type: 'ADJUSTMENT', delta: -4 },
            { type: 'ADJUSTMENT', delta: 4 },
          ],
        },
      });
    });

    it('refuses to remove more than the bucket holds', () => {
      node = createTestNode();
      const before = databaseSnapshot(node.engine);
      const error = expectError(
        node.engine.execute(
          'stock-adjust',
          { reason: 'theft', lines: [{ sku: 'MILK-1', bucket: 'sellable', delta: -11 }] },
          { session: node.sessions.supervisor },
        ),
        'INSUFFICIENT_STOCK',
      );
      expect(error.message).toBe(
        'Only 10 of MILK-1 name (MILK-1) are in sellable stock; you cannot remove 11. Count the shelf first.',
      );
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('checks removals against earlier lines of the same adjustment', () => {
      node = createTestNode();
      expectError(
        node.engine.execute(
          'stock-adjust',
          {
            reason: 'theft',
            lines: [
              { sku: 'MILK-1', bucket: 'sellable', delta: -6 },
              { sku: 'MILK-1', bucket: 'sellable', delta: -6 },
            ],
          },
          { session: node.sessions.supervisor },
        ),
        'INSUFFICIENT_STOCK',
      );
    });

    it('is for supervisors and managers', () => {
      node = createTestNode();
      expectError(
        node.engine.execute(
          'stock-adjust',
          { reason: 'x', lines: [{ sku: 'MILK-1', bucket: 'sellable', delta: 1 }] },
          { session: node.sessions.cashier },
        ),
        'FORBIDDEN',
      );
    });

    it('refuses a zero delta', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.execute(
          'stock-adjust',
          { reason: 'x', lines: [{ sku: 'MILK-1', bucket: 'sellable', delta: 0 }] },
          { session: node.sessions.supervisor },
        ),
        'INVALID_INPUT',
      );
      expect(error.message).toMatch(/An adjustment must change the quantity/);
    });
  });

  describe('stock-count', () => {
    it('turns the difference into a COUNT_ADJUST movement when the expected quantity still holds', () => {
      node = createTestNode();
      const counted = expectOk(
        node.engine.execute(
          'stock-count',
          { sku: 'APPLE-1', expectedQty: 20, countedQty: 17 },
          { session: node.sessions.cashier },
        ),
      );
      expect(counted.difference).toBe(-3);
      expect(counted.level.sellable).toBe(17);
      expect(checkedOutbox(node.engine)[0]).toMatchObject({
        type: 'stock.counted',
        payload: {
          sku: 'APPLE-1',
          expectedQty: 20,
          countedQty: 17,
          movements: [{ type: 'COUNT_ADJUST', delta: -3 }],
        },
      });
    });

    it('records a count that matches with no movement', () => {
      node = createTestNode();
      const counted = expectOk(
        node.engine.execute(
          'stock-count',
          { sku: 'APPLE-1', expectedQty: 20, countedQty: 20 },
          { session: node.sessions.cashier },
        ),
      );
      expect(counted.difference).toBe(0);
      expect(checkedOutbox(node.engine)[0]?.payload).toMatchObject({ movements: [] });
      expect(countRows(node.engine, 'stock_movements')).toBe(0);
    });

    it('refuses with CONFLICT when stock changed since the count started', () => {
      node = createTestNode();
      expectOk(
        node.engine.execute(
          'stock-receive',
          { source: { type: 'supplier', reference: 'DN-2' }, lines: [{ sku: 'APPLE-1', qty: 5 }] },
          { session: node.sessions.cashier2 },
        ),
      );
      const before = databaseSnapshot(node.engine);
      const error = expectError(
        node.engine.execute(
          'stock-count',
          { sku: 'APPLE-1', expectedQty: 20, countedQty: 18 },
          { session: node.sessions.cashier },
        ),
        'CONFLICT',
      );
      expect(error.message).toBe(
        'APPLE-1 name (APPLE-1) changed while you were counting: sellable stock is now 25, not 20. Count again.',
      );
      expect(error.details).toMatchObject({ expectedQty: 20, currentQty: 25 });
      expect(databaseSnapshot(node.engine)).toEqual(before);
    });

    it('counts weighed goods in grams', () => {
      node = createTestNode();
      const counted = expectOk(
        node.engine.execute(
          'stock-count',
          { sku: 'CHEESE-KG', expectedQty: 0, countedQty: 1_250 },
          { session: node.sessions.cashier },
        ),
      );
      expect(counted.level.sellable).toBe(1_250);
      const error = expectError(
        node.engine.execute(
          'stock-count',
          { sku: 'CHEESE-KG', expectedQty: 1_000, countedQty: 1_250 },
          { session: node.sessions.cashier },
        ),
        'CONFLICT',
      );
      expect(error.message).toMatch(/is now 1250 g, not 1000 g/);
    });
  });

  describe('stock-transfer-out', () => {
    it('ships sellable stock to another node with TRANSFER_OUT movements', () => {
      node = createTestNode();
      const shipped = expectOk(
        node.engine.execute(
          'stock-transfer-out',
          { toNodeId: 'store-2', lines: [{ sku: 'MILK-1', qty: 4 }] },
          { session: node.sessions.cashier },
        ),
      );
      expect(shipped.levels[0]?.sellable).toBe(6);
      expect(checkedOutbox(node.engine)[0]).toMatchObject({
        type: 'stock.transferred_out',
        payload: {
          transferId: shipped.transferId,
          toNodeId: 'store-2',
          movements: [{ type: 'TRANSFER_OUT', delta: -4 }],
        },
      });
    });

    it("numbers transfers T-{store}-{device}-{seq} from the till's own counter, offline, and the receiving store may type it in any case (issue 14)", () => {
      node = createTestNode();
      const send = (qty: number) =>
        expectOk(
          node.engine.execute(
            'stock-transfer-out',
            { toNodeId: 'store-2', lines: [{ sku: 'MILK-1', qty }] },
            { session: node.sessions.cashier },
          ),
        );
      const { storeCode, deviceNo } = node.engine.identity;
      const first = send(1);
      expect(first).toMatchObject({
        transferId: `T-${storeCode}-${deviceNo}-000001`,
        shippedAt: new Date(node.clock.now()).toISOString(),
        to: { nodeId: 'store-2', code: expect.any(String), name: expect.any(String) },
        lines: [{ sku: 'MILK-1', name: expect.any(String), unit: 'each', qty: 1 }],
      });
      // A refused shipment hands its number back: the sequence has no gaps.
      expectError(
        node.engine.execute(
          'stock-transfer-out',
          { toNodeId: 'store-2', lines: [{ sku: 'MILK-1', qty: 99 }] },
          { session: node.sessions.cashier },
        ),
        'INSUFFICIENT_STOCK',
      );
      expect(send(1).transferId).toBe(`T-${storeCode}-${deviceNo}-000002`);
      const received = expectOk(
        node.engine.execute(
          'stock-transfer-in',
          { transferId: ` t-s009-2-000017 `, lines: [{ sku: 'MILK-1', qty: 1 }] },
          { session: node.sessions.cashier },
        ),
      );
      expect(checkedOutbox(node.engine).find((event) => event.type === 'stock.received')).toMatchObject({
        payload: {
          receiptId: received.receiptId,
          source: { type: 'transfer', reference: 'T-S009-2-000017' },
        },
      });
    });

    it('lists the other stores and warehouses by code and name to pick the destination from', () => {
      node = createTestNode();
      const { nodes } = expectOk(
        node.engine.execute('stock-destinations', {}, { session: node.sessions.cashier }),
      );
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes.map((entry) => entry.nodeId)).not.toContain(node.engine.identity.storeId);
      expect(nodes.find((entry) => entry.nodeId === 'store-2')).toEqual({
        nodeId: 'store-2',
        code: expect.any(String),
        name: expect.any(String),
      });
    });

    it('refuses unknown destinations, this store itself and more than is on the shelf', () => {
      node = createTestNode();
      const send = (toNodeId: string, qty: number) =>
        node.engine.execute(
          'stock-transfer-out',
          { toNodeId, lines: [{ sku: 'MILK-1', qty }] },
          { session: node.sessions.cashier },
        );
      expect(expectError(send('store-99', 1), 'NOT_FOUND').message).toMatch(/no store or warehouse store-99/);
      expect(expectError(send('store-1', 1), 'INVALID_INPUT').message).toMatch(/not this one/);
      expectError(send('store-2', 11), 'INSUFFICIENT_STOCK');
      expect(checkedOutbox(node.engine)).toEqual([]);
    });
  });

  describe('stock-levels', () => {
    it('adds only the movements the hub snapshot does not reflect yet', () => {
      node = createTestNode();
      const receive = (qty: number) =>
        expectOk(
          node.engine.execute(
            'stock-receive',
            { source: { type: 'supplier', reference: 'DN' }, lines: [{ sku: 'APPLE-1', qty }] },
            { session: node.sessions.cashier },
          ),
        );
      receive(5);
      receive(7);
      expect(levels('APPLE-1')[0]).toMatchObject({ sellable: 32, pendingMovements: 2, hasSnapshot: true });
      // The hub has now applied deviceSeq 1 (the +5) and sends a fresh snapshot of 25.
      node.engine.applyFeed({
        epoch: 'test-epoch',
        changes: [
          {
            hubSeq: 500,
            entity: 'stock_level',
            key: 'store-1:APPLE-1',
            op: 'upsert',
            data: stockLevel('store-1', 'APPLE-1', 25, {
              [node.engine.identity.deviceId]: 1,
              'other-device': 40,
            }),
          },
        ],
      });
      expect(levels('APPLE-1')[0]).toMatchObject({ sellable: 32, pendingMovements: 1 });
    });

    it('reports SKUs without a snapshot from local movements alone', () => {
      node = createTestNode();
      expect(levels('CHEESE-KG')[0]).toMatchObject({ sellable: 0, hasSnapshot: false, atp: 0 });
    });

    it('refuses unknown SKUs', () => {
      node = createTestNode();
      expectError(
        node.engine.execute('stock-levels', { skus: ['NOPE', 'NADA'] }, { session: node.sessions.cashier }),
        'NOT_FOUND',
      );
    });
  });

  describe('notifications', () => {
    it('pushes the new local stock and the sync status after a stock command commits', () => {
      node = createTestNode();
      const seen: StoreNotification[] = [];
      node.engine.subscribe((notification) => seen.push(notification));
      expectOk(
        node.engine.execute(
          'stock-transfer-out',
          { toNodeId: 'store-2', lines: [{ sku: 'MILK-1', qty: 1 }] },
          { session: node.sessions.cashier },
        ),
      );
      expect(seen.map((notification) => notification.name)).toEqual(['stock-changed', 'sync-status']);
      expect(seen[0]).toMatchObject({ payload: { levels: [{ sku: 'MILK-1', sellable: 9 }] } });
      expect(seen[1]).toMatchObject({ payload: { pendingEvents: 1, lastDeviceSeq: 1 } });
    });

    it('sends nothing for a command that failed', () => {
      node = createTestNode();
      const seen: StoreNotification[] = [];
      node.engine.subscribe((notification) => seen.push(notification));
      node.engine.execute(
        'stock-transfer-out',
        { toNodeId: 'store-2', lines: [{ sku: 'MILK-1', qty: 99 }] },
        { session: node.sessions.cashier },
      );
      expect(seen).toEqual([]);
    });
  });
});
