import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { conditionKey, raiseException, raiseExceptions, type RaiseException } from './exception-queue';

const AT = Date.UTC(2026, 10, 23, 10, 0, 0);

function pricing(eventId: string, nodeId = 's1'): RaiseException {
  return {
    type: 'PRICING_AUDIT',
    severity: 'warning',
    nodeId,
    causeEventIds: [eventId],
    details: { reasons: [`sale of ${eventId} differs`] },
  };
}

function negative(eventId: string, sku: string, nodeId = 's1'): RaiseException {
  return {
    type: 'NEGATIVE_SELLABLE',
    severity: 'warning',
    nodeId,
    sku,
    causeEventIds: [eventId],
    conditionKey: conditionKey('NEGATIVE_SELLABLE', nodeId, sku),
    details: { shortBy: 1 },
  };
}

describe.each(backendKinds())('exceptions/exception-queue on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;
  let counter = 0;
  const newId = (prefix: string) => () => `${prefix}-${String((counter += 1)).padStart(4, '0')}`;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
  });

  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  async function rows(prefix: string) {
    const found = await storage.db
      .selectFrom('exceptions')
      .selectAll()
      .where('exception_id', 'like', `${prefix}-%`)
      .orderBy('exception_id')
      .execute();
    return found.map(({ exception_id, node_id, condition_key, ...row }) => ({
      ...row,
      exception_id: exception_id.replace(prefix, 'x'),
      node_id: node_id?.replace(prefix, 'x') ?? null,
      condition_key: condition_key?.replace(prefix, 'x') ?? null,
      occurrences: Number(row.occurrences),
      created_at: Number(row.created_at),
      updated_at: Number(row.updated_at),
    }));
  }

  /** storage.db, counting the statements that write the exceptions table. */
  function countingInserts() {
    const counter = { inserts: 0 };
    const executor = new Proxy(storage.db, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        // Kysely's methods read private fields, which a proxy receiver does not have.
        if (property !== 'insertInto') return (value as (...args: unknown[]) => unknown).bind(target);
        return (table: unknown) => {
          if (table === 'exceptions') counter.inserts += 1;
          return (value as (table: unknown) => unknown).call(target, table);
        };
      },
    });
    return { executor, counter };
  }

  describe('raiseExceptions', () => {
    it('writes the same rows with the same ids as raising each exception in turn', async () => {
      // The same exceptions at two stores, so that neither run's conditions merge into the other's.
      const inputs = (nodeId: string) => [
        pricing('e1', nodeId),
        negative('e2', 'A', nodeId),
        pricing('e3', nodeId),
        negative('e4', 'A', nodeId),
        negative('e5', 'B', nodeId),
        pricing('e4', nodeId),
      ];
      counter = 0;
      const oneByOne: string[] = [];
      for (const input of inputs('seq'))
        oneByOne.push(await raiseException(storage.db, input, AT, newId('seq')));
      counter = 0;
      const together = await raiseExceptions(storage.db, inputs('all'), AT, newId('all'));

      expect(together.map((id) => id.replace('all', 'x'))).toEqual(
        oneByOne.map((id) => id.replace('seq', 'x')),
      );
      const sequential = await rows('seq');
      expect(sequential).toHaveLength(5);
      expect(sequential.find((row) => row.sku === 'A')).toMatchObject({
        occurrences: 2,
        cause_event_ids: JSON.stringify(['e2', 'e4']),
      });
      expect(await rows('all')).toEqual(sequential);
    });

    it('writes exceptions without a condition key in one statement per 200, not one per exception', async () => {
      const { executor, counter: statements } = countingInserts();
      counter = 0;
      const inputs = Array.from({ length: 450 }, (_, index) => pricing(`bulk-${index}`));
      const ids = await raiseExceptions(executor, inputs, AT, newId('bulk'));
      expect(new Set(ids).size).toBe(450);
      expect(statements.inserts).toBe(3);
      expect(await rows('bulk')).toHaveLength(450);
    });

    it('merges a repeated condition into its open exception within the same call', async () => {
      counter = 0;
      await raiseExceptions(storage.db, [negative('m1', 'M'), negative('m2', 'M')], AT, newId('merge'));
      const merged = await storage.db
        .selectFrom('exceptions')
        .select(['occurrences', 'cause_event_ids'])
        .where('condition_key', '=', conditionKey('NEGATIVE_SELLABLE', 's1', 'M'))
        .execute();
      expect(merged).toHaveLength(1);
      expect(Number(merged[0]?.occurrences)).toBe(2);
      expect(merged[0]?.cause_event_ids).toBe(JSON.stringify(['m1', 'm2']));
    });
  });
});
