import { afterEach, describe, expect, it } from 'vitest';
import { integrityCheck } from '../database';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { acknowledgeOutbox } from '../outbox/outbox';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, expectOk, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0004-sync-agent', () => {
  it('upgrades a filled 0003 database: rows kept, acknowledged events dated now, search still maintained', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 3) });
    dayOfWork(node);
    const { db } = node.engine;
    acknowledgeOutbox(db, 2);
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 4)).map((m) => m.name)).toEqual(['0004-sync-agent']);
    expect(
      appliedMigrations(db)
        .map((m) => m.name)
        .at(-1),
    ).toBe('0004-sync-agent');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations' || table === 'sync_state') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(db.prepare('SELECT up_to_seq AS upTo FROM outbox_acks').all()).toEqual([{ upTo: 2 }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox_rejections').get()).toEqual({ n: 0 });
    expect(
      db
        .prepare(
          'SELECT last_acked_seq AS acked, device_credential AS credential, snapshot_epoch AS snapshot, search_index_deferred AS deferred FROM sync_state',
        )
        .get(),
    ).toEqual({ acked: 2, credential: null, snapshot: null, deferred: 0 });

    const search = (term: string) =>
      expectOk(node!.engine.execute('catalog-search', { query: term }, { session: node!.sessions.cashier }))
        .items;
    expect(search('milk').map((item) => item.sku)).toEqual(['MILK-1']);
    db.prepare("UPDATE skus SET name = 'Oat drink' WHERE sku = 'MILK-1'").run();
    expect(search('oat').map((item) => item.sku)).toEqual(['MILK-1']);
    expect(integrityCheck(db)).toBe('ok');
  });
});
