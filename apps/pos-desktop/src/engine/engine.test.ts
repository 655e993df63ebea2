import { compareHlc, parseHlc } from '@retail/sync';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_COMMANDS, COMMAND_NAMES, NODE_ADMIN_COMMANDS } from '../shared/commands';
import type { StoreNotification } from '../shared/notifications';
import { COMMAND_HANDLERS, openStoreEngine } from './engine';
import { readOutbox } from './outbox/outbox';
import {
  checkedOutbox,
  createTestNode,
  expectError,
  expectOk,
  tempDir,
  TEST_SKUS,
  type TestNode,
} from './testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('engine', () => {
  describe('command map', () => {
    it('implements every command of the shared contract and nothing else', () => {
      expect([...Object.keys(COMMAND_HANDLERS), ...NODE_ADMIN_COMMANDS].sort()).toEqual(
        [...COMMAND_NAMES].sort(),
      );
      for (const name of COMMAND_NAMES) expect(STORE_COMMANDS[name].summary.length).toBeGreaterThan(10);
    });
  });

  describe('executeUnknown', () => {
    it('answers NOT_FOUND for a command that does not exist', () => {
      node = createTestNode();
      const error = expectError(node.engine.executeUnknown('sale-teleport', {}), 'NOT_FOUND');
      expect(error.message).toBe('There is no command called "sale-teleport".');
    });

    it('answers INVALID_INPUT with every issue for a malformed request', () => {
      node = createTestNode();
      const error = expectError(
        node.engine.executeUnknown(
          'shift-open',
          { float: 'lots', extra: true },
          { session: node.sessions.cashier },
        ),
        'INVALID_INPUT',
      );
      expect(error.details?.issues).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'float' })]),
      );
    });

    it('treats a missing input as an empty object', () => {
      node = createTestNode();
      expectOk(node.engine.executeUnknown('node-info', undefined));
    });
  });

  describe('node-info', () => {
    it('says which store and device this is, with the store name from the feed', () => {
      node = createTestNode();
      expect(expectOk(node.engine.execute('node-info', {}))).toMatchObject({
        storeId: 'store-1',
        storeCode: 'S001',
        storeName: 'Paris Bastille',
        deviceNo: 3,
        currency: 'EUR',
        timezone: 'Europe/Paris',
      });
    });
  });

  describe('outbox', () => {
    it('numbers events 1, 2, 3... with increasing HLCs and one txId per command, across a restart', () => {
      node = createTestNode();
      const session = { session: node.sessions.cashier };
      expectOk(node.engine.execute('shift-open', { float: 100 }, session));
      expectOk(node.engine.execute('shift-cash-in', { amount: 100, reason: 'coins' }, session));
      node.reopen();
      // A clock that stepped back after the restart must not make the HLC go backwards.
      node.clock.advance(-3_600_000);
      expectOk(node.engine.execute('shift-cash-in', { amount: 100, reason: 'coins' }, session));
      const events = checkedOutbox(node.engine);
      expect(events.map((event) => event.deviceSeq)).toEqual([1, 2, 3]);
      for (let index = 1; index < events.length; index += 1) {
        expect(compareHlc(parseHlc(events[index]!.hlc), parseHlc(events[index - 1]!.hlc))).toBe(1);
      }
      expect(new Set(events.map((event) => event.txId)).size).toBe(3);
      expect(new Set(events.map((event) => event.eventId)).size).toBe(3);
      expect(events[0]).toMatchObject({
        deviceId: node.engine.identity.deviceId,
        storeId: 'store-1',
        schemaVersion: 1,
      });
    });

    it('refuses an out-of-sequence outbox row at the database level', () => {
      node = createTestNode();
      expect(() =>
        node!.engine.db
          .prepare(
            `INSERT INTO outbox (device_seq, event_id, type, schema_version, store_id, device_id, hlc, occurred_at, tx_id,
               payload, created_at_ms) VALUES (5, 'e', 't', 1, 's', 'd', 'h', 'o', 'x', '{}', 0)`,
          )
          .run(),
      ).toThrow(/next number/);
      expect(readOutbox(node.engine.db)).toEqual([]);
    });
  });

  describe('sync-status', () => {
    it('reports pending events and how old the oldest is, without a session', () => {
      node = createTestNode();
      expect(expectOk(node.engine.execute('sync-status', {}))).toMatchObject({
        agent: 'not-configured',
        pendingEvents: 0,
        oldestPendingAt: null,
        feedEpoch: 'test-epoch',
      });
      expectOk(node.engine.execute('shift-open', { float: 0 }, { session: node.sessions.cashier }));
      node.clock.advance(90_000);
      expect(expectOk(node.engine.execute('sync-status', {}))).toMatchObject({
        pendingEvents: 1,
        lastDeviceSeq: 1,
        lastAckedSeq: 0,
        oldestPendingAgeMs: 90_000,
      });
    });
  });

  describe('audit-log-list', () => {
    it('lists every mutating command newest first, with paging and a filter', () => {
      node = createTestNode();
      expectOk(node.engine.execute('shift-open', { float: 0 }, { session: node.sessions.cashier }));
      const session = { session: node.sessions.supervisor };
      const [latest] = expectOk(node.engine.execute('audit-log-list', { limit: 1 }, session)).entries;
      expect(latest).toMatchObject({ action: 'shift-open', details: { float: 0, registerId: 'main' } });
      const older = expectOk(
        node.engine.execute('audit-log-list', { beforeId: latest!.auditId, limit: 500 }, session),
      ).entries;
      expect(older.every((entry) => entry.auditId < latest!.auditId)).toBe(true);
      const signIns = expectOk(
        node.engine.execute('audit-log-list', { action: 'staff-sign-in' }, session),
      ).entries;
      expect(signIns).toHaveLength(4);
      expect(() => node!.engine.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    });
  });

  describe('openStoreEngine', () => {
    it('refuses a data folder that was never set up', () => {
      const dir = tempDir();
      try {
        expect(() => openStoreEngine({ databasePath: `${dir.path}/store.db` })).toThrow(
          /has not been set up yet/,
        );
      } finally {
        dir.remove();
      }
    });

    it('answers every command after close with a clear error instead of crashing', () => {
      node = createTestNode();
      const engine = node.engine;
      node.reopen();
      expect(expectError(engine.execute('node-info', {}), 'INTERNAL').message).toMatch(/shutting down/);
    });
  });

  describe('afterAnswer', () => {
    /** A paid sale of two milks, ready to complete, with everything the engine tells afterwards watched. */
    function paidSale() {
      node = createTestNode();
      const engine = node.engine;
      const as = { session: node.sessions.cashier };
      expectOk(engine.execute('shift-open', { float: 10_000 }, as));
      const { saleId } = expectOk(engine.execute('sale-start', {}, as));
      expectOk(engine.execute('sale-add-line', { saleId, code: TEST_SKUS.milk.barcode, qty: 2 }, as));
      const total = expectOk(engine.execute('sale-get', { saleId }, as)).totals.total;
      expectOk(engine.execute('sale-add-tender', { saleId, tender: { type: 'cash', amount: total } }, as));
      const told: string[] = [];
      engine.subscribe((notification: StoreNotification) => told.push(notification.name));
      engine.onSaleChanged((sale) => told.push(`sale:${sale.status}`));
      engine.outbox.onCommitted(() => told.push('outbox'));
      return { engine, as, saleId, told, databasePath: node.databasePath };
    }

    it('hands over what follows a committed sale, to run after the answer, and runs it inline without a taker', () => {
      const { engine, as, saleId, told, databasePath } = paidSale();
      let followUp: (() => void) | undefined;
      const answer = expectOk(
        engine.execute('sale-complete', { saleId }, { ...as, afterAnswer: (work) => (followUp = work) }),
      );
      expect(answer.status).toBe('completed');
      // Nothing told yet, and the sale is committed: another connection reads it completed.
      expect(told).toEqual([]);
      expect(engine.db.inTransaction).toBe(false);
      const other = new Database(databasePath, { readonly: true });
      try {
        expect(other.prepare('SELECT status FROM sales WHERE sale_id = ?').get(saleId)).toEqual({
          status: 'completed',
        });
      } finally {
        other.close();
      }
      followUp?.();
      expect(told).toEqual(['outbox', 'sale-completed', 'stock-changed', 'sync-status', 'sale:completed']);

      // Without a taker the same work runs before execute returns.
      told.length = 0;
      const next = expectOk(engine.execute('sale-start', {}, as)).saleId;
      expect(told).toEqual(['sale:open']);
      expect(next).not.toBe(saleId);
      told.length = 0;
      expectOk(engine.execute('shift-cash-in', { amount: 100, reason: 'coins' }, as));
      expect(told).toEqual(expect.arrayContaining(['outbox', 'sync-status']));
    });

    it('hands nothing over for a refused command', () => {
      const { engine, as, told } = paidSale();
      let handed = false;
      expectError(
        engine.execute(
          'sale-complete',
          { saleId: 'no-such-sale' },
          { ...as, afterAnswer: () => (handed = true) },
        ),
        'NOT_FOUND',
      );
      expect(handed).toBe(false);
      expect(told).toEqual([]);
    });
  });
});
