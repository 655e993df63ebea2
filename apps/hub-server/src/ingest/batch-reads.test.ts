import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/storage';
import { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
import { ONE_STATEMENT_LIMIT, readByIds, readByIdsApart, type IdLists, type IdReads } from './batch-reads';

/**
 * The push's id lookups in one statement (`readByIds`) answer exactly what a statement per lookup
 * (`readByIdsApart`, the reference path the ingest used before) answers, for any rows and any lists: ids
 * present, absent, repeated, of another store, HQ staff active or not, a card reference on several sales,
 * SKUs' catalog JSON.
 */
const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const id = fc.constantFrom(...ids);
const store = fc.constantFrom('s1', 's2');

const world = fc.record({
  events: fc.uniqueArray(fc.record({ id, seq: fc.integer({ min: 1, max: 2 ** 40 }), device: id }), {
    selector: (row) => row.id,
  }),
  sales: fc.uniqueArray(
    fc.record({ id, status: fc.constantFrom('completed', 'voided'), event: id, node: store }),
    { selector: (row) => row.id },
  ),
  movements: fc.uniqueArray(
    fc.record({
      id,
      node: store,
      sku: id,
      bucket: fc.constantFrom('sellable', 'damaged'),
      delta: fc.integer(),
    }),
    { selector: (row) => row.id },
  ),
  shifts: fc.uniqueArray(fc.record({ id, node: store, status: fc.constantFrom('open', 'closed') }), {
    selector: (row) => row.id,
  }),
  staff: fc.uniqueArray(fc.record({ id, node: store }), { selector: (row) => row.id }),
  hqStaff: fc.uniqueArray(
    fc.record({
      id,
      active: fc.constantFrom(0, 1),
      stores: fc.subarray(['s1', 's2']),
      deactivatedAt: fc.option(fc.integer({ min: 0, max: 2 ** 41 }), { nil: null }),
    }),
    { selector: (row) => row.id },
  ),
  references: fc.uniqueArray(fc.record({ node: store, reference: id, tender: id, sale: id }), {
    selector: (row) => `${row.node}/${row.reference}/${row.tender}`,
  }),
  skus: fc.uniqueArray(fc.record({ id, name: fc.string({ maxLength: 8 }) }), { selector: (row) => row.id }),
});

const lists: fc.Arbitrary<IdLists> = fc.record({
  nodeId: store,
  eventIds: fc.array(id, { maxLength: 5 }),
  saleIds: fc.array(id, { maxLength: 5 }),
  movementIds: fc.array(id, { maxLength: 5 }),
  shiftIds: fc.array(id, { maxLength: 5 }),
  staffIds: fc.array(id, { maxLength: 5 }),
  references: fc.array(id, { maxLength: 5 }),
  skus: fc.array(id, { maxLength: 5 }),
});

/** Order-free form: a card reference's sales in the order the rows came is not part of the answer. */
function comparable(reads: IdReads) {
  const sorted = <V>(map: Map<string, V>) => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    loggedEvents: sorted(reads.loggedEvents),
    existingSales: sorted(reads.existingSales),
    storedMovements: sorted(reads.storedMovements),
    shifts: sorted(reads.shifts),
    staff: sorted(reads.staff),
    hqStaff: sorted(reads.hqStaff),
    cardReferences: sorted(reads.cardReferences).map(([key, sales]) => [key, [...sales].sort()]),
    skuRows: sorted(new Map(reads.skuRows.map((row) => [row.sku, row.data]))),
    skuRowCount: reads.skuRows.length,
  };
}

class RolledBack extends Error {}

describe.each(backendKinds())('ingest/batch-reads on %s', (kind) => {
  let database: TestDatabase;
  let storage: Storage;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    storage = await database.open();
  });
  afterAll(async () => {
    await storage?.close();
    await database?.dispose();
  });

  it('answers in one statement what a statement per lookup answers', async () => {
    await fc.assert(
      fc.asyncProperty(world, fc.array(lists, { minLength: 1, maxLength: 3 }), async (rows, asked) => {
        await storage.db
          .transaction()
          .execute(async (trx) => {
            if (rows.events.length > 0)
              await trx
                .insertInto('ingested_events')
                .values(
                  rows.events.map((row, index) => ({
                    event_id: row.id,
                    device_id: row.device,
                    // (device_id, device_seq) is unique: the index keeps the drawn numbers apart.
                    device_seq: row.seq * 8 + index,
                    node_id: 's1',
                    type: 'sale.completed',
                    schema_version: 1,
                    status: 'applied' as const,
                    envelope: '{}',
                    received_at: 1,
                  })),
                )
                .execute();
            if (rows.sales.length > 0)
              await trx
                .insertInto('sales')
                .values(
                  rows.sales.map((row) => ({
                    sale_id: row.id,
                    node_id: row.node,
                    device_id: 'd',
                    receipt_number: `R-${row.id}`,
                    customer_id: null,
                    currency: 'USD',
                    total: 1,
                    status: row.status as 'completed' | 'voided',
                    completed_at: '2026-12-07T00:00:00.000Z',
                    event_id: row.event,
                  })),
                )
                .execute();
            if (rows.movements.length > 0)
              await trx
                .insertInto('inventory_movements')
                .values(
                  rows.movements.map((row) => ({
                    movement_id: row.id,
                    node_id: row.node,
                    sku: row.sku,
                    type: 'adjustment',
                    bucket: row.bucket,
                    delta: row.delta,
                    reason: null,
                    source_doc: null,
                    event_id: null,
                    actor: 'test',
                    recorded_at: 1,
                  })),
                )
                .execute();
            if (rows.shifts.length > 0)
              await trx
                .insertInto('shifts')
                .values(
                  rows.shifts.map((row) => ({
                    shift_id: row.id,
                    node_id: row.node,
                    device_id: 'd',
                    staff_id: 'x',
                    currency: 'USD',
                    status: row.status as 'open' | 'closed',
                    float: 0,
                    expected_cash: null,
                    counted_cash: null,
                    over_short: null,
                    opened_at: null,
                    closed_at: null,
                    updated_at: 1,
                  })),
                )
                .execute();
            if (rows.staff.length > 0)
              await trx
                .insertInto('store_staff')
                .values(
                  rows.staff.map((row) => ({
                    staff_id: row.id,
                    node_id: row.node,
                    first_event_id: 'e',
                    first_seen_at: 1,
                  })),
                )
                .execute();
            if (rows.hqStaff.length > 0)
              await trx
                .insertInto('hq_staff')
                .values(
                  rows.hqStaff.map((row) => ({
                    staff_id: row.id,
                    staff_code: `code-${row.id}`,
                    staff_code_key: `code-${row.id}`,
                    name: row.id,
                    role: 'cashier',
                    pin_hash: 'x',
                    active: row.active,
                    stores: JSON.stringify(row.stores),
                    version: 1,
                    deactivated_at: row.deactivatedAt,
                    created_at: 1,
                    updated_at: 1,
                    updated_by: 'test',
                  })),
                )
                .execute();
            if (rows.references.length > 0)
              await trx
                .insertInto('card_references')
                .values(
                  rows.references.map((row) => ({
                    node_id: row.node,
                    reference: row.reference,
                    tender_id: row.tender,
                    sale_id: row.sale,
                    event_id: 'e',
                    recorded_at: 1,
                  })),
                )
                .execute();
            if (rows.skus.length > 0)
              await trx
                .insertInto('skus')
                .values(
                  rows.skus.map((row) => ({
                    sku: row.id,
                    product_id: 'p',
                    name: row.name,
                    active: 1,
                    // The catalog's JSON, with what a text column must carry through untouched.
                    data: JSON.stringify({ sku: row.id, name: row.name, note: 'quote " and \\ back' }),
                    updated_at: 1,
                  })),
                )
                .execute();
            for (const list of asked) {
              const one = await readByIds(trx, list);
              expect(one).toBeDefined();
              expect(comparable(one!)).toEqual(comparable(await readByIdsApart(trx, list)));
            }
            throw new RolledBack();
          })
          .catch((error: unknown) => {
            if (!(error instanceof RolledBack)) throw error;
          });
      }),
      { numRuns: 40 },
    );
  });

  it('leaves lists longer than one statement takes to the reference path', async () => {
    const long = Array.from({ length: ONE_STATEMENT_LIMIT + 1 }, (_, index) => `event-${index}`);
    const empty = {
      nodeId: 's1',
      saleIds: [],
      movementIds: [],
      shiftIds: [],
      staffIds: [],
      references: [],
      skus: [],
    };
    expect(await readByIds(storage.db, { ...empty, eventIds: long })).toBeUndefined();
    expect(await readByIds(storage.db, { ...empty, eventIds: long.slice(1) })).toBeDefined();
  });
});
