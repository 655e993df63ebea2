import { DomainError } from '@retail/domain';
import type { ApplyOutcome, EventEnvelope, EventPayloads, EventType } from '@retail/sync';
import type { HubTx } from '../hub-tx';
import type { StoredMovement } from '../inventory/ledger-reads';
import type {
  CardReferenceTable,
  HqAuditTable,
  IngestedEventTable,
  SaleTable,
  StoreStaffTable,
} from '../storage/schema';
import type { ClaimFacts, PriorReturnLine, ShiftFact } from './claim-facts';
import { raiseLoyaltyNotBooked } from '../loyalty/loyalty-events';
import { EventFault, type EventFaults } from './event-faults';

/**
 * Everything one push knows before it applies its events: looked up once per batch so applying 500
 * events costs a handful of queries, not thousands.
 */
export interface BatchFacts extends ClaimFacts {
  readonly nodeId: string;
  readonly deviceId: string;
  readonly knownSkus: ReadonlySet<string>;
  readonly knownNodes: ReadonlySet<string>;
  /** eventId → deviceSeq/device of events already in the hub's log. */
  readonly loggedEvents: ReadonlyMap<string, { deviceId: string; deviceSeq: number }>;
  /** Movements of this batch's events that are already in the ledger. */
  readonly storedMovements: ReadonlyMap<string, StoredMovement>;
  readonly existingSales: ReadonlyMap<string, { status: string; eventId: string; nodeId: string }>;
}

/** Writes an applier asks for, flushed in bulk when the batch finishes. */
export interface BatchWrites {
  readonly events: IngestedEventTable[];
  readonly sales: SaleTable[];
  readonly staff: StoreStaffTable[];
  readonly cardReferences: CardReferenceTable[];
  /** The store audit trail's entries (audit/store-audit.ts). */
  readonly storeAudit: HqAuditTable[];
}

export interface BatchSale {
  readonly status: string;
  readonly eventId: string;
  readonly nodeId: string;
  /** Set for a sale completed in this batch, so a return later in the batch can be checked against it. */
  readonly sale?: EventPayloads['sale.completed'];
}

export interface ApplyContext {
  readonly tx: HubTx;
  readonly facts: BatchFacts;
  readonly writes: BatchWrites;
  /** Events of this push found faulty in an earlier run of it (see event-faults.ts). */
  readonly faults: EventFaults;
  /** Event ids applied earlier in this batch (the log insert is still buffered). */
  readonly batchEvents: Map<string, number>;
  /** Sales recorded earlier in this batch. */
  readonly batchSales: Map<string, BatchSale>;
  /** Shifts opened or closed earlier in this batch. */
  readonly batchShifts: Map<string, ShiftFact>;
  /** Staff named for the first time earlier in this batch → their store. */
  readonly batchStaff: Map<string, string>;
  /** Return lines recorded earlier in this batch, by the sale they return. */
  readonly batchReturns: Map<string, PriorReturnLine[]>;
  /** Card references of sales recorded earlier in this batch → those sales. */
  readonly batchCardReferences: Map<string, string[]>;
}

/** One event kind's applier (`sale-events.ts`, `return-events.ts`, `stock-events.ts`, `shift-events.ts`). */
export type Applier<T extends EventType> = (
  ctx: ApplyContext,
  event: EventEnvelope,
  payload: EventPayloads[T],
) => Promise<ApplyOutcome>;

export const applied: ApplyOutcome = { status: 'applied' };
export const rejected = (reason: string): ApplyOutcome => ({ status: 'rejected', reason });

export function origin(ctx: ApplyContext): { nodeId: string; deviceId: string } {
  return { nodeId: ctx.facts.nodeId, deviceId: ctx.facts.deviceId };
}

/**
 * Loyalty never blocks a sale or return: when the ledger refuses what an event implies (a contradiction
 * only a person can sort out), the push runs again with the event applied without its loyalty and
 * stored-value effects, none of which are kept, and HQ gets an exception with the reason.
 */
export async function bookEventLoyalty(
  ctx: ApplyContext,
  event: EventEnvelope,
  work: () => Promise<void>,
): Promise<void> {
  const fault = ctx.faults.get(event.deviceSeq);
  if (fault?.kind === 'loyalty') {
    raiseLoyaltyNotBooked(ctx.tx, event, origin(ctx), fault);
    return;
  }
  try {
    await work();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === 'INTERNAL') throw error;
    throw new EventFault(event.deviceSeq, { kind: 'loyalty', code: error.code, message: error.message });
  }
}
