import { sql, type RawBuilder } from 'kysely';
import type { StoredMovement } from '../inventory/ledger-reads';
import { findMovements } from '../inventory/ledger-reads';
import { hqStaffFacts } from '../staff/hq-staff';
import { chunks } from '../storage/chunks';
import { compiledQuery } from '../storage/compiled-query';
import type { Executor } from '../storage/storage';
import type { ShiftTable } from '../storage/schema';
import type { HqStaffFact, ShiftFact } from './claim-facts';

/**
 * The ids a push's events name, looked up before its events are applied: what the log, the sales, the
 * ledger, the shifts, the staff (the store's and HQ's) and the store's card references already hold.
 *
 * Eight lookups by id list, independent of each other (and the SKUs' catalog rows). `readByIds` sends them as one statement (a
 * `union all` of the seven, each row tagged with its lookup): a 1-event push sent seven statements for
 * them, each a round trip and ~0.09 ms of the hub's CPU (docs/performance.md). `readByIdsApart` is the
 * reference path, a statement per lookup and per 500 ids, which the ingest takes for any list longer
 * than `ONE_STATEMENT_LIMIT`; batch-reads.test.ts proves both answer the same.
 */
export interface IdLists {
  readonly nodeId: string;
  readonly eventIds: readonly string[];
  readonly saleIds: readonly string[];
  readonly movementIds: readonly string[];
  readonly shiftIds: readonly string[];
  readonly staffIds: readonly string[];
  /** Card references of the push's sales, looked up among the store's (`nodeId`). */
  readonly references: readonly string[];
  /** SKUs the events name (movements, lines): their catalog rows. */
  readonly skus: readonly string[];
}

export interface IdReads {
  /** eventId → deviceSeq/device of events already in the hub's log. */
  readonly loggedEvents: Map<string, { deviceId: string; deviceSeq: number }>;
  readonly existingSales: Map<string, { status: string; eventId: string; nodeId: string }>;
  readonly storedMovements: Map<string, StoredMovement>;
  readonly shifts: Map<string, ShiftFact>;
  /** staffId → the store they belong to. */
  readonly staff: Map<string, string>;
  readonly hqStaff: Map<string, HqStaffFact>;
  /** Card references already on other sales of the store → those sales. */
  readonly cardReferences: Map<string, string[]>;
  /** The catalog rows of the SKUs asked for that exist. */
  readonly skuRows: { sku: string; data: string }[];
}

/** The longest id list the one statement takes (the reference path reads 500 ids a statement). */
export const ONE_STATEMENT_LIMIT = 500;

function emptyReads(): IdReads {
  return {
    loggedEvents: new Map(),
    existingSales: new Map(),
    storedMovements: new Map(),
    shifts: new Map(),
    staff: new Map(),
    hqStaff: new Map(),
    cardReferences: new Map(),
    skuRows: [],
  };
}

function addReference(reads: IdReads, reference: string, saleId: string): void {
  const sales = reads.cardReferences.get(reference);
  if (sales === undefined) reads.cardReferences.set(reference, [saleId]);
  else sales.push(saleId);
}

function hqStaffFact(stores: string, active: number, deactivatedAt: number | null): HqStaffFact {
  return {
    stores: JSON.parse(stores) as string[],
    deactivatedAt: active === 1 || deactivatedAt === null ? null : deactivatedAt,
  };
}

/**
 * A list's length rounded up to a power of two (at least 1), its last id repeated to fill it: `in (…)`
 * answers the same for a repeated id, and the statement's text depends on the lengths, so rounding them
 * keeps the texts (each built once and prepared on PostgreSQL) few.
 */
function padded(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return unique;
  let length = 1;
  while (length < unique.length) length *= 2;
  const last = unique[unique.length - 1]!;
  while (unique.length < length) unique.push(last);
  return unique;
}

interface TaggedRow {
  readonly k: string;
  readonly a: string;
  readonly b: string | null;
  readonly c: string | null;
  readonly d: string | null;
  readonly e: string | null;
}

const taggedReads = compiledQuery<TaggedRow>();

const text = (expression: RawBuilder<unknown>) => sql`cast(${expression} as text)`;
const none = sql`cast(null as text)`;

/** The eight lookups as one statement; undefined when a list is longer than ONE_STATEMENT_LIMIT. */
export async function readByIds(executor: Executor, lists: IdLists): Promise<IdReads | undefined> {
  const named = [
    lists.eventIds,
    lists.saleIds,
    lists.movementIds,
    lists.shiftIds,
    lists.staffIds,
    lists.references,
    lists.skus,
  ].map((ids) => [...new Set(ids)]);
  if (named.some((ids) => ids.length > ONE_STATEMENT_LIMIT)) return undefined;
  const [eventIds, saleIds, movementIds, shiftIds, staffIds, references, skus] = named.map(padded) as [
    string[],
    string[],
    string[],
    string[],
    string[],
    string[],
    string[],
  ];
  const reads = emptyReads();
  const list = (ids: readonly string[]) => sql.join(ids.map((id) => sql`${id}`));
  // Every branch names its columns: the first present one names the statement's.
  const branches: {
    ids: readonly string[];
    parameters: readonly string[];
    build: () => RawBuilder<unknown>;
  }[] = [
    {
      ids: eventIds,
      parameters: eventIds,
      build: () =>
        sql`select 'l' as k, event_id as a, device_id as b, ${text(sql.ref('device_seq'))} as c, ${none} as d, ${none} as e from ingested_events where event_id in (${list(eventIds)})`,
    },
    {
      ids: saleIds,
      parameters: saleIds,
      build: () =>
        sql`select 's' as k, sale_id as a, status as b, event_id as c, node_id as d, ${none} as e from sales where sale_id in (${list(saleIds)})`,
    },
    {
      ids: movementIds,
      parameters: movementIds,
      build: () =>
        sql`select 'm' as k, movement_id as a, node_id as b, sku as c, bucket as d, ${text(sql.ref('delta'))} as e from inventory_movements where movement_id in (${list(movementIds)})`,
    },
    {
      ids: shiftIds,
      parameters: shiftIds,
      build: () =>
        sql`select 'h' as k, shift_id as a, node_id as b, status as c, ${none} as d, ${none} as e from shifts where shift_id in (${list(shiftIds)})`,
    },
    {
      ids: staffIds,
      parameters: staffIds,
      build: () =>
        sql`select 'f' as k, staff_id as a, node_id as b, ${none} as c, ${none} as d, ${none} as e from store_staff where staff_id in (${list(staffIds)})`,
    },
    {
      ids: staffIds,
      parameters: staffIds,
      build: () =>
        sql`select 'q' as k, staff_id as a, stores as b, ${text(sql.ref('active'))} as c, ${text(sql.ref('deactivated_at'))} as d, ${none} as e from hq_staff where staff_id in (${list(staffIds)})`,
    },
    {
      ids: references,
      parameters: [lists.nodeId, ...references],
      build: () =>
        sql`select 'r' as k, reference as a, sale_id as b, ${none} as c, ${none} as d, ${none} as e from card_references where node_id = ${lists.nodeId} and reference in (${list(references)})`,
    },
    {
      ids: skus,
      parameters: skus,
      build: () =>
        sql`select 'k' as k, sku as a, data as b, ${none} as c, ${none} as d, ${none} as e from skus where sku in (${list(skus)})`,
    },
  ];
  const present = branches.filter((branch) => branch.ids.length > 0);
  if (present.length === 0) return reads;
  const shape = `ids:${branches.map((branch) => branch.ids.length).join(',')}`;
  const rows = await taggedReads(
    executor,
    shape,
    present.flatMap((branch) => branch.parameters),
    () => {
      const statement = sql.join(
        present.map((branch) => branch.build()),
        sql` union all `,
      );
      return { compile: () => statement.compile(executor) };
    },
  );
  for (const row of rows) {
    switch (row.k) {
      case 'l':
        reads.loggedEvents.set(row.a, { deviceId: row.b!, deviceSeq: Number(row.c) });
        break;
      case 's':
        reads.existingSales.set(row.a, { status: row.b!, eventId: row.c!, nodeId: row.d! });
        break;
      case 'm':
        reads.storedMovements.set(row.a, {
          nodeId: row.b!,
          sku: row.c!,
          bucket: row.d!,
          delta: Number(row.e),
        });
        break;
      case 'h':
        reads.shifts.set(row.a, { nodeId: row.b!, status: row.c as ShiftTable['status'] });
        break;
      case 'f':
        reads.staff.set(row.a, row.b!);
        break;
      case 'q':
        reads.hqStaff.set(row.a, hqStaffFact(row.b!, Number(row.c), row.d === null ? null : Number(row.d)));
        break;
      case 'r':
        addReference(reads, row.a, row.b!);
        break;
      case 'k':
        reads.skuRows.push({ sku: row.a, data: row.b! });
        break;
      default:
        throw new Error(`batch reads: unknown row kind ${row.k}`);
    }
  }
  return reads;
}

const loggedReads = compiledQuery<{ event_id: string; device_id: string; device_seq: number | string }>();
const saleReads = compiledQuery<{ sale_id: string; status: string; event_id: string; node_id: string }>();
const shiftReads = compiledQuery<{ shift_id: string; node_id: string; status: ShiftTable['status'] }>();
const staffReads = compiledQuery<{ staff_id: string; node_id: string }>();
const referenceReads = compiledQuery<{ reference: string; sale_id: string }>();
const skuReads = compiledQuery<{ sku: string; data: string }>();

/** The eight lookups a statement each (per 500 ids): the reference path, and the path for long lists. */
export async function readByIdsApart(executor: Executor, lists: IdLists): Promise<IdReads> {
  const reads = emptyReads();
  for (const chunk of chunks(lists.eventIds, 500)) {
    const rows = await loggedReads(executor, `logged:${chunk.length}`, chunk, () =>
      executor
        .selectFrom('ingested_events')
        .select(['event_id', 'device_id', 'device_seq'])
        .where('event_id', 'in', chunk),
    );
    for (const row of rows)
      reads.loggedEvents.set(row.event_id, { deviceId: row.device_id, deviceSeq: Number(row.device_seq) });
  }
  for (const chunk of chunks(lists.saleIds, 500)) {
    const rows = await saleReads(executor, `sales:${chunk.length}`, chunk, () =>
      executor
        .selectFrom('sales')
        .select(['sale_id', 'status', 'event_id', 'node_id'])
        .where('sale_id', 'in', chunk),
    );
    for (const row of rows)
      reads.existingSales.set(row.sale_id, {
        status: row.status,
        eventId: row.event_id,
        nodeId: row.node_id,
      });
  }
  for (const [movementId, movement] of await findMovements(executor, lists.movementIds))
    reads.storedMovements.set(movementId, movement);
  for (const chunk of chunks(lists.shiftIds, 500)) {
    const rows = await shiftReads(executor, `shifts:${chunk.length}`, chunk, () =>
      executor.selectFrom('shifts').select(['shift_id', 'node_id', 'status']).where('shift_id', 'in', chunk),
    );
    for (const row of rows) reads.shifts.set(row.shift_id, { nodeId: row.node_id, status: row.status });
  }
  for (const chunk of chunks(lists.staffIds, 500)) {
    const rows = await staffReads(executor, `store staff:${chunk.length}`, chunk, () =>
      executor.selectFrom('store_staff').select(['staff_id', 'node_id']).where('staff_id', 'in', chunk),
    );
    for (const row of rows) reads.staff.set(row.staff_id, row.node_id);
  }
  for (const chunk of chunks(lists.staffIds, 500)) {
    for (const [staffId, fact] of await hqStaffFacts(executor, chunk)) reads.hqStaff.set(staffId, fact);
  }
  for (const chunk of chunks(lists.references, 500)) {
    const rows = await referenceReads(
      executor,
      `card references:${chunk.length}`,
      [lists.nodeId, ...chunk],
      () =>
        executor
          .selectFrom('card_references')
          .select(['reference', 'sale_id'])
          .where('node_id', '=', lists.nodeId)
          .where('reference', 'in', chunk),
    );
    for (const row of rows) addReference(reads, row.reference, row.sale_id);
  }
  for (const chunk of chunks(lists.skus, 500)) {
    const rows = await skuReads(executor, `skus:${chunk.length}`, chunk, () =>
      executor.selectFrom('skus').select(['sku', 'data']).where('sku', 'in', chunk),
    );
    reads.skuRows.push(...rows);
  }
  return reads;
}

/** The one statement when every list fits it, else a statement per lookup. */
export async function readBatchIds(executor: Executor, lists: IdLists): Promise<IdReads> {
  return (await readByIds(executor, lists)) ?? readByIdsApart(executor, lists);
}
