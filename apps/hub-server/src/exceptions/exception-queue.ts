import type { Insertable } from 'kysely';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import { enqueueAlerts } from '../alerts/alert-outbox';
import { chunks } from '../storage/chunks';
import type { ExceptionTable } from '../storage/schema';
import type { Executor } from '../storage/storage';

/**
 * The ops queue HQ works through. Rejected events, stock conditions found after a sync batch and other
 * things a person must look at land here with the events that caused them.
 */
export const EXCEPTION_TYPES = [
  'REJECTED_EVENT',
  'SEQUENCE_CONFLICT',
  /** A device's push was refused whole (malformed, or another device's identity): it is stuck. */
  'PUSH_REFUSED',
  /** A till restored from a backup re-enrolled as a new device and sends again what the hub lacked. */
  'DEVICE_RESTORED',
  'OVERSELL',
  'NEGATIVE_SELLABLE',
  'COUNT_MISMATCH',
  'TRANSFER_VARIANCE',
  'ORPHAN_VOID',
  /** A BOPIS order was handed over offline after the hub had cancelled, expired or moved it. */
  'HANDOVER_CONFLICT',
  /** A store picking a BOPIS order found fewer units than its stock said: count the shelf. */
  'PICK_SHORTAGE',
  /** A sale's recorded prices differ from the hub's re-computation from the versions the till used. */
  'PRICING_AUDIT',
  /** Points spent offline that the account no longer had: the one sanctioned negative balance. */
  'LOYALTY_OVERDRAFT',
  /** A gift card or store credit spent offline beyond its balance. */
  'STORED_VALUE_OVERDRAFT',
  /** A PIN card paid for offline, where the hub never checked its PIN: held for review, not charged. */
  'STORED_VALUE_PIN_REVIEW',
  /** A gift card sold or reloaded at a till that the hub did not load: unpaid, already active, not a card. */
  'GIFT_CARD_LOAD_REVIEW',
  /** A customer created offline matched several existing customers or disagreed with the one it joined. */
  'CUSTOMER_MERGE_REVIEW',
  /** A sale's or return's loyalty or stored-value effect contradicted the ledger and was not booked. */
  'LOYALTY_NOT_BOOKED',
  /** Many wrong passwords for one HQ account: someone may be guessing it. */
  'SIGN_IN_FAILURES',
  /** A device looked up receipts faster than returns need: its credential may be misused. */
  'SALE_LOOKUP_LIMIT',
  /** A webhook subscription is behind: its oldest undelivered event waited longer than allowed. */
  'INTEGRATION_LAG',
  /** A webhook delivery ran out of attempts; later events of the same aggregate wait behind it. */
  'INTEGRATION_DEAD_LETTER',
  /** The hub could not describe a change as a catalog event (a bug): it was applied, not published. */
  'INTEGRATION_EVENT_INVALID',
  /** Goods received against a shipping notice differ from what it announced. */
  'RECEIPT_VARIANCE',
  /** A points tender claimed more money than its points are worth at the programme's rate. */
  'LOYALTY_CLAIM_MISMATCH',
  /** A sale said it earned more points than the programme gives; the hub booked (or held) its own figure. */
  'POINTS_EARNED_MISMATCH',
  /** A card tender's terminal reference is missing, repeated or looks like a card number. */
  'CARD_REFERENCE_SUSPECT',
  /** The points a sale would earn are held until HQ releases or drops them. */
  'POINTS_HELD',
  /** Store credit a return would issue is frozen until HQ releases or drops it. */
  'STORE_CREDIT_HELD',
  /** A no-receipt return linked to its receipt took back more than was still returnable at every store. */
  'RETURN_OVER_RETURNABLE',
  /** A till recorded something for a staff member after HQ had deactivated them (it had not synced yet). */
  'STAFF_DEACTIVATED',
  /** A capture, cancel or refund the payment provider refused or never answered: settle it by hand. */
  'PAYMENT_FAILED',
  /** A till's claim went past a limit HQ's store settings have in force, without the approval it needs. */
  'LIMIT_EXCEEDED',
  /** A receipt e-mail a till asked for could not be sent (mail server, address, or a sale not this store's). */
  'RECEIPT_EMAIL_FAILED',
  /**
   * A store created staff with a role its creator was not entitled to give (by the hub's records), or
   * named another store's staff: the hub treats the person as a cashier.
   */
  'STAFF_CLAIM_REJECTED',
  /**
   * A role the hub could not check yet: staff created by someone it has no record of, or a sale relying
   * on a role claimed for staff it does not know. Closed by itself when their creation arrives and holds.
   */
  'STAFF_ROLE_UNVERIFIED',
] as const;
export type ExceptionType = (typeof EXCEPTION_TYPES)[number];
export const EXCEPTION_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type ExceptionSeverity = (typeof EXCEPTION_SEVERITIES)[number];

/** Cause lists stay bounded even when a condition persists for months. */
const MAX_CAUSES = 200;

export interface RaiseException {
  readonly type: ExceptionType;
  readonly severity: ExceptionSeverity;
  readonly nodeId?: string | undefined;
  readonly sku?: string | undefined;
  readonly causeEventIds: readonly string[];
  readonly details: Record<string, unknown>;
  /**
   * For conditions (oversell, negative sellable): while an exception with this key is open, a new
   * occurrence updates it instead of opening another one.
   */
  readonly conditionKey?: string;
  /** Chosen by the caller when something else must point at the exception (a held credit, held points). */
  readonly exceptionId?: string;
}

export function conditionKey(type: ExceptionType, nodeId: string, sku: string): string {
  return `${type}:${nodeId}:${sku}`;
}

export async function raiseException(
  executor: Executor,
  input: RaiseException,
  at: number,
  newId: () => string,
): Promise<string> {
  if (input.conditionKey !== undefined) {
    const open = await executor
      .selectFrom('exceptions')
      .select(['exception_id', 'cause_event_ids', 'occurrences'])
      .where('condition_key', '=', input.conditionKey)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (open !== undefined) {
      const causes = [
        ...new Set([...(JSON.parse(open.cause_event_ids) as string[]), ...input.causeEventIds]),
      ];
      await executor
        .updateTable('exceptions')
        .set({
          cause_event_ids: JSON.stringify(causes.slice(-MAX_CAUSES)),
          details: JSON.stringify(input.details),
          severity: input.severity,
          occurrences: open.occurrences + 1,
          updated_at: at,
        })
        .where('exception_id', '=', open.exception_id)
        .execute();
      return open.exception_id;
    }
  }
  const exceptionId = input.exceptionId ?? newId();
  const row = openRow(input, exceptionId, at);
  await executor.insertInto('exceptions').values(row).execute();
  // A new exception (not a recurrence of an open condition) alerts, in the transaction that raised it.
  await enqueueAlerts(executor, [row], at, newId);
  return exceptionId;
}

type NewExceptionRow = Insertable<ExceptionTable>;

function openRow(input: RaiseException, exceptionId: string, at: number): NewExceptionRow {
  return {
    exception_id: exceptionId,
    type: input.type,
    severity: input.severity,
    node_id: input.nodeId ?? null,
    sku: input.sku ?? null,
    condition_key: input.conditionKey ?? null,
    cause_event_ids: JSON.stringify([...new Set(input.causeEventIds)].slice(-MAX_CAUSES)),
    details: JSON.stringify(input.details),
    status: 'open',
    occurrences: 1,
    resolution_note: null,
    resolved_by: null,
    resolved_at: null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * `raiseException` for each input, in order, with the same ids and rows; exceptions without a condition
 * key (they never merge into an open one) go in multi-row inserts, so a batch whose every sale fails the
 * pricing audit writes its exceptions in a few statements rather than one per event.
 */
export async function raiseExceptions(
  executor: Executor,
  inputs: readonly RaiseException[],
  at: number,
  newId: () => string,
): Promise<string[]> {
  const ids: string[] = [];
  const unconditional: NewExceptionRow[] = [];
  for (const input of inputs) {
    if (input.conditionKey !== undefined) {
      ids.push(await raiseException(executor, input, at, newId));
      continue;
    }
    const exceptionId = input.exceptionId ?? newId();
    ids.push(exceptionId);
    unconditional.push(openRow(input, exceptionId, at));
  }
  for (const chunk of chunks(unconditional, 200))
    await executor.insertInto('exceptions').values(chunk).execute();
  await enqueueAlerts(executor, unconditional, at, newId);
  return ids;
}

export const HubExceptionSchema = z.object({
  exceptionId: z.string(),
  type: z.enum(EXCEPTION_TYPES),
  severity: z.enum(EXCEPTION_SEVERITIES),
  nodeId: z.string().nullable(),
  sku: z.string().nullable(),
  causeEventIds: z.array(z.string()),
  details: z.record(z.string(), z.unknown()),
  status: z.enum(['open', 'resolved']),
  occurrences: z.number().int(),
  resolutionNote: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type HubException = z.infer<typeof HubExceptionSchema>;

export const ExceptionFilterSchema = z.object({
  status: z.enum(['open', 'resolved']).optional(),
  type: z.enum(EXCEPTION_TYPES).optional(),
  severity: z.enum(EXCEPTION_SEVERITIES).optional(),
  nodeId: z.string().min(1).optional(),
  sku: z.string().min(1).optional(),
  /** Exclusive: pass the last `createdAt`/`exceptionId` of a page to get the next (newest first). */
  before: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ExceptionFilter = z.infer<typeof ExceptionFilterSchema>;

type ExceptionRow = {
  exception_id: string;
  type: string;
  severity: string;
  node_id: string | null;
  sku: string | null;
  cause_event_ids: string;
  details: string;
  status: string;
  occurrences: number;
  resolution_note: string | null;
  resolved_by: string | null;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
};

function toHubException(row: ExceptionRow): HubException {
  return {
    exceptionId: row.exception_id,
    type: row.type as ExceptionType,
    severity: row.severity as ExceptionSeverity,
    nodeId: row.node_id,
    sku: row.sku,
    causeEventIds: JSON.parse(row.cause_event_ids) as string[],
    details: JSON.parse(row.details) as Record<string, unknown>,
    status: row.status as 'open' | 'resolved',
    occurrences: Number(row.occurrences),
    resolutionNote: row.resolution_note,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at === null ? null : Number(row.resolved_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Newest first; `before` is an exception id (UUIDv7 ids sort by creation time). */
export async function listExceptions(executor: Executor, filter: ExceptionFilter): Promise<HubException[]> {
  let query = executor.selectFrom('exceptions').selectAll();
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.type !== undefined) query = query.where('type', '=', filter.type);
  if (filter.severity !== undefined) query = query.where('severity', '=', filter.severity);
  if (filter.nodeId !== undefined) query = query.where('node_id', '=', filter.nodeId);
  if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
  if (filter.before !== undefined) query = query.where('exception_id', '<', filter.before);
  const rows = await query.orderBy('exception_id', 'desc').limit(filter.limit).execute();
  return rows.map(toHubException);
}

export async function getException(executor: Executor, exceptionId: string): Promise<HubException> {
  const row = await executor
    .selectFrom('exceptions')
    .selectAll()
    .where('exception_id', '=', exceptionId)
    .executeTakeFirst();
  if (row === undefined) {
    throw new DomainError('NOT_FOUND', 'hub.exceptions.noException', { exceptionId }, { exceptionId });
  }
  return toHubException(row);
}

/** Closes an open exception with the operator's note; resolving twice is refused so notes are not lost. */
export async function resolveException(
  executor: Executor,
  exceptionId: string,
  note: string,
  resolvedBy: string,
  at: number,
): Promise<HubException> {
  const result = await executor
    .updateTable('exceptions')
    .set({
      status: 'resolved',
      condition_key: null,
      resolution_note: note,
      resolved_by: resolvedBy,
      resolved_at: at,
      updated_at: at,
    })
    .where('exception_id', '=', exceptionId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const existing = await getException(executor, exceptionId);
    throw new DomainError(
      'CONFLICT',
      'hub.exceptions.alreadyResolved',
      {
        exceptionId,
        ...(existing.resolvedBy === null ? { byKnown: 'no' } : { byKnown: 'yes', by: existing.resolvedBy }),
      },
      { exceptionId },
    );
  }
  return getException(executor, exceptionId);
}

/**
 * Closes the exception an HQ action settled (releasing held credit, say) with what was done; one already
 * closed by hand keeps its own note.
 */
export async function closeSettledException(
  executor: Executor,
  exceptionId: string,
  note: string,
  resolvedBy: string,
  at: number,
): Promise<void> {
  await executor
    .updateTable('exceptions')
    .set({
      status: 'resolved',
      condition_key: null,
      resolution_note: note,
      resolved_by: resolvedBy,
      resolved_at: at,
      updated_at: at,
    })
    .where('exception_id', '=', exceptionId)
    .where('status', '=', 'open')
    .execute();
}

/**
 * Adds what the hub learnt later about an exception's cause to its details (`notes`, oldest first), for an
 * open or resolved one alike, without touching its status.
 */
export async function annotateException(
  executor: Executor,
  exceptionId: string,
  note: string,
  at: number,
): Promise<void> {
  const row = await executor
    .selectFrom('exceptions')
    .select('details')
    .where('exception_id', '=', exceptionId)
    .executeTakeFirst();
  if (row === undefined) return;
  const details = JSON.parse(row.details) as Record<string, unknown>;
  const notes = Array.isArray(details.notes) ? (details.notes as unknown[]) : [];
  await executor
    .updateTable('exceptions')
    .set({ details: JSON.stringify({ ...details, notes: [...notes, { at, note }] }), updated_at: at })
    .where('exception_id', '=', exceptionId)
    .execute();
}

export async function countOpenExceptions(
  executor: Executor,
): Promise<{ type: string; severity: string; count: number }[]> {
  const rows = await executor
    .selectFrom('exceptions')
    .select(['type', 'severity', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', '=', 'open')
    .groupBy(['type', 'severity'])
    .execute();
  return rows.map((row) => ({ type: row.type, severity: row.severity, count: Number(row.count) }));
}
