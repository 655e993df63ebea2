import { sql } from 'kysely';
import { DomainError, assertNever } from '@retail/domain';
import {
  assertPushIdentity,
  ingestPush,
  type DeviceIngestTransaction,
  type ApplyOutcome,
  type DevicePrincipal,
  type EventEnvelope,
  type EventPayloads,
  type IngestPort,
  type PushAck,
  type PushRequest,
  type ValidPayload,
} from '@retail/sync';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { storeAuditRows } from '../audit/store-audit';
import { type NodeSku } from '../inventory/ledger';
import { applyCustomerCreated } from '../loyalty/loyalty-events';
import { applyBopisEvent } from '../orders/store-events';
import { primeAuditSkus, primeAuditStore } from '../pricing/pricing-audit';
import { applyReceiptEmailRequested } from '../receipts/receipt-emails';
import { checkCashOut } from '../settings/settings-limits';
import { applyStaffCreated } from '../staff/store-created-staff';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import { compiledQuery } from '../storage/compiled-query';
import { noteReferenceVersions, type ReferenceTable } from '../storage/reference-versions';
import type { DeviceTable, IngestedEventTable } from '../storage/schema';
import { readBatchIds } from './batch-reads';
import { gatherClaimFacts, recordClaimFacts } from './claim-facts';
import { EventFault, faultOf, type EventFaults, type RecordedFault } from './event-faults';
import {
  applied,
  origin,
  rejected,
  type ApplyContext,
  type BatchFacts,
  type BatchWrites,
} from './apply-context';
import { applyReturnCompleted } from './return-events';
import { applySaleCompleted, applySaleVoided, withoutCardNumbers } from './sale-events';
import { applyShiftClosed, applyShiftOpened } from './shift-events';
import {
  applyMovementsOnly,
  applyStockCounted,
  applyStockReceived,
  applyTransferredOut,
} from './stock-events';
import { noteDeactivatedStaff, noteStaff, scopeProblem } from './store-scope';

/**
 * Applies one push from a device (DESIGN §4): one transaction per batch, holding the device row lock so
 * concurrent pushes from the same device (a retry racing the original) apply one after the other, with
 * the device's lastSeq stored together with the effects.
 */
export async function pushEvents(
  hub: HubContext,
  principal: DevicePrincipal,
  request: PushRequest,
): Promise<PushAck> {
  assertPushIdentity(request, principal);
  return ingestPush(request, portFor(hub, request));
}

function portFor(hub: HubContext, request: PushRequest): IngestPort {
  const faults = new Map<number, RecordedFault>();
  const port: IngestPort = {
    withDevice: (deviceId, work) =>
      inHubTransaction(hub, async (tx) => {
        const device = await lockDevice(tx, deviceId);
        if (device === undefined || device.revoked_at !== null) {
          throw new DomainError(
            'UNAUTHORIZED',
            'hub.ingest.deviceNotEnrolledHub',
            {},
            {
              deviceId,
            },
          );
        }
        const lastSeq = Number(device.last_seq);
        const fresh = request.events.filter((event) => event.deviceSeq > lastSeq);
        const facts = await gatherFacts(tx, device.node_id, deviceId, fresh);
        return work(deviceTransaction(tx, facts, lastSeq, request, faults));
      }),
  };
  return {
    async withDevice(deviceId, work) {
      // A run that trips over an event starts again with that event handled as a fault, so a push runs
      // at most once more than it has faulty events, and only a push that has one pays for it.
      for (;;) {
        try {
          return await port.withDevice(deviceId, work);
        } catch (error) {
          if (!(error instanceof EventFault) || faults.has(error.deviceSeq)) throw error;
          faults.set(error.deviceSeq, error.fault);
        }
      }
    },
  };
}

/**
 * How long a push waits for another push of the same device to finish. A till sends one push at a time,
 * so a second one is the retry of a push it gave up waiting for, which is still being applied: it is told
 * to come back (RATE_LIMITED, retryable) instead of holding a pooled connection for as long as that push
 * takes. Unbounded, such waiters filled the pool on a busy hub and starved every other request (the
 * soak's 30-minute run, docs/sync.md). A short wait still lets a retry racing a quick push be answered.
 */
export const DEVICE_LOCK_WAIT_MS = 5_000;
const LOCK_NOT_AVAILABLE = '55P03';

async function lockDevice(tx: HubTx, deviceId: string): Promise<DeviceRow | undefined> {
  if (tx.hub.storage.kind !== 'postgres') {
    // SQLite has one writer: a transaction holds the whole database, so nothing waits on a row.
    const [device] = await deviceFactReads(tx.trx, 'device with node', [deviceId], () =>
      deviceWithNodeQuery(tx, deviceId),
    );
    return device === undefined ? undefined : noteDeviceFacts(tx, device);
  }
  // Most pushes find their device's row free: taken at once, with the store's row and the reference
  // versions, in one statement. Only a row another push holds goes the bounded way below.
  const [free] = await deviceFactReads(tx.trx, 'device with node for update skip locked', [deviceId], () =>
    deviceWithNodeQuery(tx, deviceId).forUpdate(['d']).skipLocked(),
  );
  if (free !== undefined) return noteDeviceFacts(tx, free);
  await sql`select set_config('lock_timeout', ${`${DEVICE_LOCK_WAIT_MS}ms`}, true)`.execute(tx.trx);
  let device;
  try {
    [device] = await deviceReads(tx.trx, 'device for update', [deviceId], () =>
      deviceQuery(tx, deviceId).forUpdate(),
    );
  } catch (error) {
    if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
    const retryAfterSeconds = Math.ceil(DEVICE_LOCK_WAIT_MS / 1000);
    throw new DomainError(
      'RATE_LIMITED',
      'hub.ingest.hubStillApplyingPrevious',
      {},
      { deviceId, retryAfterMs: retryAfterSeconds * 1000, retryAfterSeconds },
    );
  }
  // Only the device lock is bounded: stock balance locks queue as before, in key order.
  await sql`set local lock_timeout to default`.execute(tx.trx);
  return device;
}

function deviceQuery(tx: HubTx, deviceId: string) {
  return tx.trx
    .selectFrom('devices')
    .select(['device_id', 'node_id', 'last_seq', 'revoked_at'])
    .where('device_id', '=', deviceId);
}

/**
 * The device's row, its store's row (which the pricing audit and the integration events read) and the
 * reference tables' versions (storage/reference-versions.ts): what every push reads first, in one statement.
 */
function deviceWithNodeQuery(tx: HubTx, deviceId: string) {
  // `name` is the key: one row at most. Literal names keep the device id the statement's only parameter.
  const version = (table: ReferenceTable) =>
    tx.trx.selectFrom('reference_versions').select('version').where('name', '=', sql.lit(table));
  return tx.trx
    .selectFrom('devices as d')
    .leftJoin('nodes as n', 'n.node_id', 'd.node_id')
    .select([
      'd.device_id',
      'd.node_id',
      'd.last_seq',
      'd.revoked_at',
      'n.code',
      'n.timezone',
      'n.region',
      'n.jurisdiction',
    ])
    .select(() => [
      version('tax_rates').as('tax_rates_version'),
      version('loyalty_programme_history').as('programmes_version'),
    ])
    .where('d.device_id', '=', deviceId);
}

/** Hands what the device's statement read about its store and the reference tables to their readers. */
function noteDeviceFacts(tx: HubTx, row: DeviceRow & DeviceFacts): DeviceRow {
  const node =
    row.code === null || row.timezone === null || row.region === null || row.jurisdiction === null
      ? undefined
      : { code: row.code, timezone: row.timezone, region: row.region, jurisdiction: row.jurisdiction };
  primeAuditStore(
    tx,
    row.node_id,
    node === undefined ? undefined : { regionId: node.region, jurisdictionId: node.jurisdiction },
  );
  tx.events.knowNode(
    row.node_id,
    node === undefined ? undefined : { code: node.code, timezone: node.timezone },
  );
  if (row.tax_rates_version !== null && row.programmes_version !== null) {
    noteReferenceVersions(tx, {
      tax_rates: Number(row.tax_rates_version),
      loyalty_programme_history: Number(row.programmes_version),
    });
  }
  return row;
}

/** The reads every push makes, built by Kysely once per shape (see storage/compiled-query.ts). */
type DeviceRow = Pick<DeviceTable, 'device_id' | 'node_id' | 'last_seq' | 'revoked_at'>;
/** The store's row (null columns: no such node) and the reference versions, read with the device's. */
interface DeviceFacts {
  readonly code: string | null;
  readonly timezone: string | null;
  readonly region: string | null;
  readonly jurisdiction: string | null;
  readonly tax_rates_version: number | string | null;
  readonly programmes_version: number | string | null;
}
const deviceReads = compiledQuery<DeviceRow>();
const deviceFactReads = compiledQuery<DeviceRow & DeviceFacts>();
const deviceWrites = compiledQuery<never>();

function deviceTransaction(
  tx: HubTx,
  facts: BatchFacts,
  lastSeq: number,
  request: PushRequest,
  faults: EventFaults,
): DeviceIngestTransaction {
  const writes: BatchWrites = { events: [], sales: [], staff: [], cardReferences: [], storeAudit: [] };
  // The payloads the sync layer validated, kept for the integration drafts so zod runs once per event;
  // like the log, they never carry a card number.
  const validated = new Map<string, ValidPayload>();
  const ctx: ApplyContext = {
    tx,
    facts,
    writes,
    faults,
    batchEvents: new Map(),
    batchSales: new Map(),
    batchShifts: new Map(),
    batchStaff: new Map(),
    batchReturns: new Map(),
    batchCardReferences: new Map(),
  };
  return {
    lastSeq,
    async appliedEventIds(deviceSeqs) {
      const found = new Map<number, string>();
      for (const chunk of chunks([...deviceSeqs], 500)) {
        const rows = await tx.trx
          .selectFrom('ingested_events')
          .select(['device_seq', 'event_id'])
          .where('device_id', '=', facts.deviceId)
          .where('device_seq', 'in', chunk)
          .execute();
        for (const row of rows) found.set(Number(row.device_seq), row.event_id);
      }
      return found;
    },
    async rejectionReasons(eventIds) {
      const reasons = new Map<string, string>();
      for (const chunk of chunks([...eventIds], 500)) {
        const rows = await tx.trx
          .selectFrom('ingested_events')
          .select(['event_id', 'reject_reason'])
          .where('event_id', 'in', chunk)
          .where('status', '=', 'rejected')
          .execute();
        for (const row of rows) {
          reasons.set(row.event_id, row.reject_reason ?? 'The hub rejected this event; HQ has the details.');
        }
      }
      return reasons;
    },
    async apply(event, payload) {
      const fault = faults.get(event.deviceSeq);
      if (fault?.kind === 'event') {
        return { status: 'rejected', reason: `The hub could not apply this event: ${fault.message}` };
      }
      validated.set(event.eventId, withoutCardNumbers(payload));
      try {
        return await applyStoreEvent(ctx, event, payload);
      } catch (error) {
        if (error instanceof EventFault) throw error;
        const found = faultOf(error);
        if (found === undefined) throw error;
        throw new EventFault(event.deviceSeq, { kind: 'event', ...found });
      }
    },
    async reject(event, reason, advances) {
      tx.raise({
        type: advances ? 'REJECTED_EVENT' : 'SEQUENCE_CONFLICT',
        severity: advances ? 'warning' : 'critical',
        nodeId: facts.nodeId,
        causeEventIds: [event.eventId],
        details: {
          reason,
          eventType: event.type,
          deviceId: event.deviceId,
          deviceSeq: event.deviceSeq,
          message: advances
            ? `Event ${event.deviceSeq} of device ${event.deviceId} (${event.type}) was rejected: ${reason}`
            : `Device ${event.deviceId} reused sequence number ${event.deviceSeq}: ${reason}`,
          // The event never enters the log (its number is taken), so its contents live here for HQ.
          ...(advances ? {} : { envelope: event }),
        },
      });
      // A rejected event stays in the log (with the reason in its exception) unless its id is already
      // there from an earlier delivery.
      if (advances && !facts.loggedEvents.has(event.eventId) && !ctx.batchEvents.has(event.eventId)) {
        writes.events.push({ ...logRow(ctx, event, 'rejected'), reject_reason: reason });
        ctx.batchEvents.set(event.eventId, event.deviceSeq);
      }
    },
    async finish({ lastSeq: newLastSeq, applied }) {
      // What the hub applied leaves for integrations in this same transaction (docs/integration.md).
      tx.events.storeEventsApplied(applied.map(withoutCardNumbers), validated);
      for (const chunk of chunks(writes.events, 200)) await insertLogRows(tx.trx, chunk);
      for (const chunk of chunks(writes.sales, 300)) await insertSaleRows(tx.trx, chunk);
      for (const chunk of chunks(writes.storeAudit, 200)) await insertAuditRows(tx.trx, chunk);
      await recordClaimFacts(tx, writes.staff, writes.cardReferences);
      const outbox =
        request.outbox === undefined
          ? undefined
          : {
              outbox_pending: request.outbox.pending,
              outbox_oldest_at: request.outbox.oldestPendingAt ?? null,
            };
      await deviceWrites(
        tx.trx,
        outbox === undefined ? 'device pushed' : 'device pushed with outbox',
        [
          newLastSeq,
          tx.at,
          tx.at,
          ...(outbox === undefined ? [] : [outbox.outbox_pending, outbox.outbox_oldest_at]),
          facts.deviceId,
        ],
        () =>
          tx.trx
            .updateTable('devices')
            .set({ last_seq: newLastSeq, last_push_at: tx.at, last_seen_at: tx.at, ...outbox })
            .where('device_id', '=', facts.deviceId),
      );
    },
  };
}

const insertLogRows = compiledInsert('ingested_events');
const insertSaleRows = compiledInsert('sales');
const insertAuditRows = compiledInsert('hq_audit');

function movementsOf(payload: unknown): { movementId: string; sku: string }[] {
  const movements = (payload as { movements?: unknown } | null)?.movements;
  if (!Array.isArray(movements)) return [];
  return movements.filter(
    (m): m is { movementId: string; sku: string } =>
      typeof m === 'object' && m !== null && typeof m.movementId === 'string' && typeof m.sku === 'string',
  );
}

function field(payload: unknown, name: string): unknown {
  return typeof payload === 'object' && payload !== null
    ? (payload as Record<string, unknown>)[name]
    : undefined;
}

/**
 * Reads, in a few queries, everything the batch's appliers will ask about, and every stock balance the
 * batch can touch in one ordered pass (their locks are taken when it finishes). The payloads are not
 * validated yet, so this only ever reads what looks like ids; the appliers decide on validated payloads.
 */
async function gatherFacts(
  tx: HubTx,
  nodeId: string,
  deviceId: string,
  events: readonly EventEnvelope[],
): Promise<BatchFacts> {
  const skus = new Set<string>();
  const auditSkus = new Set<string>();
  const movementIds: string[] = [];
  const destinations = new Set<string>();
  const transferIds = new Set<string>();
  const saleIds = new Set<string>();
  const eventIds = events.map((event) => event.eventId);
  const pairs: NodeSku[] = [];
  for (const event of events) {
    for (const movement of movementsOf(event.payload)) {
      skus.add(movement.sku);
      movementIds.push(movement.movementId);
    }
    const saleId = field(event.payload, 'saleId');
    if (typeof saleId === 'string') saleIds.add(saleId);
    const sku = field(event.payload, 'sku');
    if (typeof sku === 'string') skus.add(sku);
    if (event.type === 'stock.transferred_out') {
      const toNodeId = field(event.payload, 'toNodeId');
      if (typeof toNodeId === 'string') destinations.add(toNodeId);
      const lines = field(event.payload, 'lines');
      if (typeof toNodeId === 'string' && Array.isArray(lines)) {
        for (const line of lines) {
          const lineSku = field(line, 'sku');
          if (typeof lineSku === 'string') {
            skus.add(lineSku);
            pairs.push({ nodeId: toNodeId, sku: lineSku });
          }
        }
      }
    }
    if (event.type === 'stock.received') {
      const source = field(event.payload, 'source');
      const reference = field(source, 'reference');
      if (field(source, 'type') === 'transfer' && typeof reference === 'string') transferIds.add(reference);
    }
  }
  for (const transferId of transferIds) {
    const transfer = await tx.trx
      .selectFrom('transfers')
      .select('lines')
      .where('transfer_id', '=', transferId)
      .executeTakeFirst();
    if (transfer === undefined) continue;
    for (const line of JSON.parse(transfer.lines) as { sku: string }[]) {
      skus.add(line.sku);
      pairs.push({ nodeId, sku: line.sku });
    }
  }

  // The sales' lines name SKUs too: their catalog rows are read here once for the pricing audit.
  for (const event of events) {
    if (event.type !== 'sale.completed') continue;
    const lines = field(event.payload, 'lines');
    if (!Array.isArray(lines)) continue;
    for (const line of lines) {
      const lineSku = field(line, 'sku');
      if (typeof lineSku === 'string') auditSkus.add(lineSku);
    }
  }
  // The ids the events name, and their SKUs' catalog rows (read here once for the pricing audit too).
  const { skuRows, ...claims } = await gatherClaimFacts(tx, nodeId, events, (claimed) =>
    readBatchIds(tx.trx, {
      ...claimed,
      nodeId,
      eventIds,
      saleIds: [...saleIds],
      movementIds,
      skus: [...new Set([...skus, ...auditSkus])],
    }),
  );
  const knownSkus = new Set<string>();
  for (const row of skuRows) if (skus.has(row.sku)) knownSkus.add(row.sku);
  primeAuditSkus(tx, skuRows);
  const knownNodes = new Set<string>([nodeId]);
  if (destinations.size > 0) {
    const rows = await tx.trx
      .selectFrom('nodes')
      .select('node_id')
      .where('node_id', 'in', [...destinations])
      .execute();
    for (const row of rows) knownNodes.add(row.node_id);
  }
  for (const sku of knownSkus) pairs.push({ nodeId, sku });
  // Read now, locked only when the push finishes (PostgreSQL): see TransactionLedger.readBalances.
  await tx.ledger.readBalances(
    pairs.filter((pair) => knownSkus.has(pair.sku) && knownNodes.has(pair.nodeId)),
  );
  return { nodeId, deviceId, knownSkus, knownNodes, ...claims };
}

/** Applies one valid store event at the hub. A rejection is always decided before anything is written. */
async function applyStoreEvent(
  ctx: ApplyContext,
  event: EventEnvelope,
  valid: ValidPayload,
): Promise<ApplyOutcome> {
  const logged = ctx.facts.loggedEvents.get(event.eventId);
  const earlierInBatch = ctx.batchEvents.get(event.eventId);
  if (logged !== undefined || earlierInBatch !== undefined) {
    const seq = logged?.deviceSeq ?? earlierInBatch;
    return rejected(
      `Event ${event.eventId} was already received as sequence number ${seq}; it was not applied a second time.`,
    );
  }
  const outOfScope = scopeProblem(ctx, valid);
  if (outOfScope !== undefined) return rejected(outOfScope);
  const outcome = await dispatch(ctx, event, valid);
  if (outcome.status === 'applied') {
    ctx.batchEvents.set(event.eventId, event.deviceSeq);
    ctx.writes.events.push(logRow(ctx, event, 'applied'));
    noteStaff(ctx, event, valid);
    noteDeactivatedStaff(ctx, event, valid);
    ctx.writes.storeAudit.push(...storeAuditRows(event, valid, ctx.tx.at, ctx.tx.hub.newId));
  }
  return outcome;
}

function logRow(ctx: ApplyContext, event: EventEnvelope, status: 'applied' | 'rejected'): IngestedEventTable {
  return {
    event_id: event.eventId,
    device_id: event.deviceId,
    device_seq: event.deviceSeq,
    node_id: event.storeId,
    type: event.type,
    schema_version: event.schemaVersion,
    status,
    envelope: JSON.stringify(withoutCardNumbers(event)),
    received_at: ctx.tx.at,
  };
}

/** The per-kind table: each event kind's applier, in the file of its job. */
function dispatch(ctx: ApplyContext, event: EventEnvelope, valid: ValidPayload): Promise<ApplyOutcome> {
  switch (valid.type) {
    case 'sale.completed':
      return applySaleCompleted(ctx, event, valid.payload as EventPayloads['sale.completed']);
    case 'sale.voided':
      return applySaleVoided(ctx, event, valid.payload as EventPayloads['sale.voided']);
    case 'return.completed':
      return applyReturnCompleted(ctx, event, valid.payload as EventPayloads['return.completed']);
    case 'stock.received':
      return applyStockReceived(ctx, event, valid.payload as EventPayloads['stock.received']);
    case 'stock.adjusted':
      return applyMovementsOnly(
        ctx,
        event,
        (valid.payload as EventPayloads['stock.adjusted']).movements,
        'adjustment',
      );
    case 'stock.counted':
      return applyStockCounted(ctx, event, valid.payload as EventPayloads['stock.counted']);
    case 'stock.transferred_out':
      return applyTransferredOut(ctx, event, valid.payload as EventPayloads['stock.transferred_out']);
    case 'shift.opened':
      return applyShiftOpened(ctx, event, valid.payload as EventPayloads['shift.opened']);
    case 'shift.cash_moved':
      // The shift's totals arrive with shift.closed; a pay-out is checked against the store's limit.
      return checkCashOut(
        ctx.tx,
        ctx.facts.nodeId,
        event,
        valid.payload as EventPayloads['shift.cash_moved'],
      ).then(() => applied);
    case 'drawer.opened':
      // These live in the event log and the store audit trail; the shift's totals arrive with shift.closed.
      return Promise.resolve(applied);
    case 'shift.closed':
      return applyShiftClosed(ctx, event, valid.payload as EventPayloads['shift.closed']);
    case 'bopis.accepted':
    case 'bopis.picking_started':
    case 'bopis.picked':
    case 'bopis.short_picked':
    case 'bopis.ready':
    case 'bopis.handed_over':
    case 'bopis.unstaged':
    case 'bopis.line_short':
    case 'bopis.packed':
    case 'bopis.shipped':
      return applyBopisEvent(ctx, event, valid);
    case 'customer.created':
      return applyCustomerCreated(
        ctx.tx,
        event,
        valid.payload as EventPayloads['customer.created'],
        origin(ctx),
      );
    case 'receipt.email_requested':
      return applyReceiptEmailRequested(
        ctx,
        event,
        valid.payload as EventPayloads['receipt.email_requested'],
      );
    case 'staff.created':
      return applyStaffCreated(ctx.tx, event, valid.payload as EventPayloads['staff.created'], origin(ctx));
    default:
      return assertNever(valid.type, 'event type');
  }
}
