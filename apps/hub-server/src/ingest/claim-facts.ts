import { checkPayload, type EventEnvelope, type EventPayloads } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import type { CardReferenceTable, StoreStaffTable } from '../storage/schema';
import type { IdLists, IdReads } from './batch-reads';
import { keptReference, normalisedReference } from './sale-events';

/**
 * What the hub needs to know about the entities a batch's events name, read in a few queries per batch
 * (never per event): the stores of the shifts and staff they name, and every sale a return refers to,
 * with what was already returned against it anywhere in the chain.
 */

export interface ShiftFact {
  readonly nodeId: string;
  readonly status: 'open' | 'closed';
}

/** A line of an earlier return against a sale. */
export interface PriorReturnLine {
  readonly originalLineId: string | undefined;
  readonly sku: string;
  readonly qty: number;
  readonly refund: number;
}

export interface OriginalSale {
  readonly saleId: string;
  readonly nodeId: string;
  readonly status: 'completed' | 'voided';
  /** The sale as it was applied; undefined only if its logged envelope cannot be read any more. */
  readonly sale: EventPayloads['sale.completed'] | undefined;
  readonly returned: readonly PriorReturnLine[];
}

export interface HqStaffFact {
  /** Empty: every store. */
  readonly stores: readonly string[];
  readonly deactivatedAt: number | null;
}

export interface ClaimFacts {
  readonly shifts: ReadonlyMap<string, ShiftFact>;
  /** staffId → the store they belong to. */
  readonly staff: ReadonlyMap<string, string>;
  /** Staff HQ manages, by staffId: the stores they may work at and when HQ deactivated them. */
  readonly hqStaff: ReadonlyMap<string, HqStaffFact>;
  /** The sales this batch's returns refer to, by sale id; a sale the hub does not know is absent. */
  readonly originals: ReadonlyMap<string, OriginalSale>;
  /**
   * Receipt numbers that returns without a sale id name (a no-receipt return at a till that could not ask
   * the hub) → the sale the hub has under that number; that sale is in `originals` too.
   */
  readonly salesByReceipt: ReadonlyMap<string, string>;
  /** Card terminal references of this batch's sales already on other sales of the store → those sales. */
  readonly cardReferences: ReadonlyMap<string, readonly string[]>;
}

function field(payload: unknown, name: string): unknown {
  return typeof payload === 'object' && payload !== null
    ? (payload as Record<string, unknown>)[name]
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Every staff member an event names: who did it, who created them and the managers who authorised it. Reads unvalidated
 * payloads as well (gathering happens before validation), taking only what looks like an id.
 */
export function staffIdsOf(payload: unknown): string[] {
  const ids: string[] = [];
  const staffId = text(field(payload, 'staffId'));
  if (staffId !== undefined) ids.push(staffId);
  // Whoever a till says created a staff member (staff.created) must be the store's own as well.
  const creator = text(field(payload, 'createdBy'));
  if (creator !== undefined) ids.push(creator);
  const manager = text(field(field(payload, 'override'), 'managerId'));
  if (manager !== undefined) ids.push(manager);
  const overrides = field(payload, 'overrides');
  if (Array.isArray(overrides)) {
    for (const override of overrides) {
      const id = text(field(override, 'managerId'));
      if (id !== undefined) ids.push(id);
    }
  }
  return [...new Set(ids)];
}

export function shiftIdOf(payload: unknown): string | undefined {
  return text(field(payload, 'shiftId'));
}

function payloadOf<T extends 'sale.completed' | 'return.completed'>(
  type: T,
  envelope: string,
): EventPayloads[T] | undefined {
  try {
    const logged = JSON.parse(envelope) as Partial<EventEnvelope>;
    const checked = checkPayload(type, logged.schemaVersion ?? 1, logged.payload);
    return checked.ok ? (checked.payload as EventPayloads[T]) : undefined;
  } catch {
    return undefined;
  }
}

/** The card terminal references of a (not yet validated) sale payload, as the hub keeps them. */
export function cardReferencesOf(payload: unknown): string[] {
  const tenders = field(payload, 'tenders');
  if (!Array.isArray(tenders)) return [];
  return tenders.flatMap((tender) => {
    const reference = text(field(tender, 'reference'));
    return field(tender, 'type') === 'card' && reference !== undefined && keptReference(reference)
      ? [normalisedReference(reference)]
      : [];
  });
}

/**
 * `read` looks up the ids the events name (ingest/batch-reads.ts); this adds the shifts, staff and card
 * references to the lists the caller gathered, and reads the returns' original sales.
 */
export async function gatherClaimFacts(
  tx: HubTx,
  nodeId: string,
  events: readonly EventEnvelope[],
  read: (lists: Pick<IdLists, 'shiftIds' | 'staffIds' | 'references'>) => Promise<IdReads>,
): Promise<ClaimFacts & Pick<IdReads, 'loggedEvents' | 'existingSales' | 'storedMovements' | 'skuRows'>> {
  const shiftIds = new Set<string>();
  const references = new Set<string>();
  const staffIds = new Set<string>();
  const originalSaleIds = new Set<string>();
  const linkedReceipts = new Set<string>();
  for (const event of events) {
    const shiftId = shiftIdOf(event.payload);
    if (shiftId !== undefined) shiftIds.add(shiftId);
    for (const staffId of staffIdsOf(event.payload)) staffIds.add(staffId);
    if (event.type === 'sale.completed') {
      for (const reference of cardReferencesOf(event.payload)) references.add(reference);
    }
    if (event.type === 'return.completed') {
      const saleId = text(field(event.payload, 'originalSaleId'));
      if (saleId !== undefined) originalSaleIds.add(saleId);
      const receiptNumber = text(field(event.payload, 'originalReceiptNumber'));
      if (saleId === undefined && receiptNumber !== undefined) linkedReceipts.add(receiptNumber);
    }
  }
  const { shifts, staff, hqStaff, cardReferences, ...named } = await read({
    shiftIds: [...shiftIds],
    staffIds: [...staffIds],
    references: [...references],
  });
  const salesByReceipt = new Map<string, string>();
  for (const chunk of chunks([...linkedReceipts], 500)) {
    const rows = await tx.trx
      .selectFrom('sales')
      .select(['sale_id', 'receipt_number'])
      .where('receipt_number', 'in', chunk)
      .execute();
    for (const row of rows) {
      salesByReceipt.set(row.receipt_number, row.sale_id);
      originalSaleIds.add(row.sale_id);
    }
  }
  const originals = new Map<string, OriginalSale>();
  const returned = new Map<string, PriorReturnLine[]>();
  for (const chunk of chunks([...originalSaleIds], 200)) {
    const returns = await tx.trx
      .selectFrom('returns')
      .innerJoin('ingested_events', 'ingested_events.event_id', 'returns.event_id')
      .select(['returns.original_sale_id', 'ingested_events.envelope'])
      .where('returns.original_sale_id', 'in', chunk)
      .execute();
    for (const row of returns) {
      const ret = payloadOf('return.completed', row.envelope);
      if (ret === undefined || row.original_sale_id === null) continue;
      const lines = returned.get(row.original_sale_id) ?? [];
      for (const line of ret.lines) {
        lines.push({
          originalLineId: line.originalLineId,
          sku: line.sku,
          qty: line.qty,
          refund: line.refund,
        });
      }
      returned.set(row.original_sale_id, lines);
    }
    const sales = await tx.trx
      .selectFrom('sales')
      .innerJoin('ingested_events', 'ingested_events.event_id', 'sales.event_id')
      .select(['sales.sale_id', 'sales.node_id', 'sales.status', 'ingested_events.envelope'])
      .where('sales.sale_id', 'in', chunk)
      .execute();
    for (const row of sales) {
      originals.set(row.sale_id, {
        saleId: row.sale_id,
        nodeId: row.node_id,
        status: row.status,
        sale: payloadOf('sale.completed', row.envelope),
        returned: returned.get(row.sale_id) ?? [],
      });
    }
  }
  return { ...named, shifts, staff, hqStaff, originals, salesByReceipt, cardReferences };
}

/**
 * Records the staff this batch named for the first time (as belonging to the store that named them) and
 * the card references of its sales.
 */
export async function recordClaimFacts(
  tx: HubTx,
  staff: readonly StoreStaffTable[],
  cardReferences: readonly CardReferenceTable[],
): Promise<void> {
  for (const chunk of chunks(staff, 500)) {
    await tx.trx
      .insertInto('store_staff')
      .values(chunk)
      .onConflict((conflict) => conflict.column('staff_id').doNothing())
      .execute();
  }
  for (const chunk of chunks(cardReferences, 500)) await insertCardReferences(tx.trx, chunk);
}

const insertCardReferences = compiledInsert('card_references', (query) =>
  query.onConflict((conflict) => conflict.columns(['node_id', 'reference', 'tender_id']).doNothing()),
);
