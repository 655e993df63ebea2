import { z } from 'zod';
import type { Executor } from '../storage/storage';

/**
 * The HQ audit log: one row per admin change (staff, settings, exception decisions...) with who made it,
 * when, and the state before and after. Rows are written in the same transaction as the change, so a
 * change without its entry (or an entry for a change that rolled back) cannot exist; the database
 * refuses updates and deletes of the table (migration 0016).
 */

export interface AuditEntryInput {
  readonly actor: string;
  /** What was done, `noun.verb`: `staff.create`, `settings.set`, `exception.resolve`. */
  readonly action: string;
  /** What it was done to, `kind:id`: `staff:<id>`, `setting:<key>`, `exception:<id>`. */
  readonly subject: string;
  readonly before: unknown;
  readonly after: unknown;
}

export async function recordAudit(
  executor: Executor,
  entry: AuditEntryInput,
  at: number,
  newId: () => string,
): Promise<void> {
  await executor
    .insertInto('hq_audit')
    .values({
      audit_id: newId(),
      at,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      before: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
    })
    .execute();
}

const SUBJECT_KIND = /^[a-z-]+:$/;
const ACTION_KIND = /^[a-z-]+(\.[a-z-]+)*\.$/;
/** `nodeId=hq` asks for HQ's own entries (no store). */
export const HQ_ENTRIES = 'hq';

export const AuditQuerySchema = z.object({
  /** Exact subject (`staff:<id>`) or a kind prefix (`staff:`). */
  subject: z.string().min(1).max(300).optional(),
  actor: z.string().min(1).max(300).optional(),
  /** Exact action (`store.void`) or a kind prefix ending in a dot (`store.`, `devices.`). */
  action: z.string().min(1).max(100).optional(),
  /** Entries of one store's audit trail; `hq` for HQ's own changes only. */
  nodeId: z.string().min(1).max(100).optional(),
  /** Time range on when it happened (epoch ms, `from` inclusive, `to` exclusive). */
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
  /** Entries strictly older than this audit id (the last one of the previous page). */
  before: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** The state before or after a change, as stored (any JSON value; null when there was none). */
const AuditStateSchema = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown()), z.string(), z.number(), z.boolean()])
  .nullable();

export const AuditEntrySchema = z.object({
  auditId: z.string(),
  at: z.number().int(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  /** The store it happened at, for a store's audit entry; null for HQ's own changes. */
  nodeId: z.string().nullable(),
  before: AuditStateSchema,
  after: AuditStateSchema,
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Newest first. Audit ids are UUIDv7, so their order is the order the changes were made in. */
export async function listAudit(executor: Executor, query: AuditQuery): Promise<AuditEntry[]> {
  let select = executor.selectFrom('hq_audit').selectAll();
  if (query.subject !== undefined) {
    // A kind prefix holds only letters and dashes (see the schema), so LIKE sees no wildcard in it.
    select = SUBJECT_KIND.test(query.subject)
      ? select.where('subject', 'like', `${query.subject}%`)
      : select.where('subject', '=', query.subject);
  }
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
  if (query.action !== undefined) {
    // A kind prefix holds only letters, dashes and dots, so LIKE sees no wildcard in it.
    select = ACTION_KIND.test(query.action)
      ? select.where('action', 'like', `${query.action}%`)
      : select.where('action', '=', query.action);
  }
  if (query.nodeId !== undefined) {
    select =
      query.nodeId === HQ_ENTRIES
        ? select.where('node_id', 'is', null)
        : select.where('node_id', '=', query.nodeId);
  }
  if (query.from !== undefined) select = select.where('at', '>=', query.from);
  if (query.to !== undefined) select = select.where('at', '<', query.to);
  if (query.before !== undefined) select = select.where('audit_id', '<', query.before);
  const rows = await select.orderBy('audit_id', 'desc').limit(query.limit).execute();
  return rows.map((row) => ({
    auditId: row.audit_id,
    at: Number(row.at),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    nodeId: row.node_id ?? null,
    before: row.before === null ? null : (JSON.parse(row.before) as AuditEntry['before']),
    after: row.after === null ? null : (JSON.parse(row.after) as AuditEntry['after']),
  }));
}
