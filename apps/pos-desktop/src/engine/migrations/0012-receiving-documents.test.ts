import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, loadMigrations, migrate } from '../migrations';
import { dayOfWork } from '../testing/day-of-work';
import { createTestNode, databaseSnapshot, type TestNode } from '../testing/test-node';

let node: TestNode | undefined;
afterEach(() => {
  node?.close();
  node = undefined;
});

describe('0012-receiving-documents', () => {
  it('upgrades a filled 0011 database: rows kept, no documents, kinds checked', () => {
    const all = loadMigrations();
    node = createTestNode({ migrations: all.slice(0, 11) });
    dayOfWork(node);
    const { db } = node.engine;
    const before = databaseSnapshot(node.engine);
    expect(migrate(db, all.slice(0, 12)).map((m) => m.name)).toEqual(['0012-receiving-documents']);
    expect(appliedMigrations(db).at(-1)?.name).toBe('0012-receiving-documents');
    const after = databaseSnapshot(node.engine);
    for (const [table, rows] of Object.entries(before)) {
      if (table === 'schema_migrations') continue;
      expect(after[table], table).toEqual(rows);
    }
    expect(after['receiving_documents']).toEqual([]);
    expect(after['receiving_document_receipts']).toEqual([]);
    expect(() =>
      db
        .prepare(
          "INSERT INTO receiving_documents (document_key, kind, document_id, number, status, data) VALUES ('x', 'invoice', 'x', 'x', 'open', '{}')",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
