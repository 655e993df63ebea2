import { sql } from 'kysely';
import { hash as oneShotHash } from 'node:crypto';
import { DomainError } from '@retail/domain';
import { chunks } from '../storage/chunks';
import { compiledInsert } from '../storage/compiled-insert';
import { takeCounterNumbers } from '../storage/hub-counters';
import {
  allocateNumbers,
  insertNumbered,
  INTEGRATION_SEQUENCE,
  isPostgres,
  settledHead,
  type AlongsideAppend,
} from '../storage/commit-watermark';
import { isPlainAvailability } from '../inventory/plain-stock-states';
import { isPlainSaleCompletedData } from './plain-sale-data';
import type { IntegrationEventTable } from '../storage/schema';
import type { Executor, Storage, Trx } from '../storage/storage';
import {
  EVENT_CATALOG,
  type EventData,
  type IntegrationEvent,
  type IntegrationEventType,
} from './event-catalog';

/**
 * The outbound integration log: appended inside the hub transaction that made the change (so an event
 * exists exactly when its change committed), read by the pull API and the webhook engine.
 */

export interface EventDraft<T extends IntegrationEventType = IntegrationEventType> {
  readonly type: T;
  /**
   * What makes the fact unique within its type (a till event id, `orderId:version`, a ledger entry id).
   * The event id is derived from it, so the hub deriving the same fact again (a till re-sending its events
   * to a hub restored from a backup) produces the same event id, and consumers drop it as a duplicate.
   */
  readonly key: string;
  readonly aggregateId: string;
  readonly nodeId?: string | null;
  readonly businessDate?: string | null;
  readonly sourceEventId?: string | null;
  /** Epoch milliseconds. */
  readonly occurredAt: number;
  readonly data: EventData<T>;
}

const EVENT_ID_NAMESPACE = 'c7d3a1e2-5b4f-4a8e-9f21-3e6d0b7a9c15';

/** Parsed once: every applied sale derives at least one id from it. */
const EVENT_ID_NAMESPACE_BYTES = Buffer.from(EVENT_ID_NAMESPACE.replaceAll('-', ''), 'hex');

/** RFC 4122 version-5 UUID of `name` in the log's namespace: a stable id per fact. */

export function integrationEventId(type: string, key: string): string {
  // The namespace and the name hashed in one call (a hash object per id cost more than the hash itself).
  const name = `${type}\u0000${key}`;
  const input = Buffer.allocUnsafe(EVENT_ID_NAMESPACE_BYTES.length + Buffer.byteLength(name));
  EVENT_ID_NAMESPACE_BYTES.copy(input, 0);
  input.write(name, EVENT_ID_NAMESPACE_BYTES.length);
  const hash = oneShotHash('sha1', input, 'buffer');
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Drafts checkDraft produced: appending one does not parse its data a second time (the catalog schemas
 * cost as much as the rest of building the event). Drafts are never changed after they are made.
 */
const checkedDrafts = new WeakSet<EventDraft>();

/**
 * A draft whose data the hub's typed code built field by field, in the catalog schema's key order, from
 * values already validated (an order's state), so it already is what that schema would make of it:
 * appending it does not parse it again. Only for such builders; intake-parses.test.ts checks that the
 * order events stored are their schemas' output, character for character.
 */
export function builtDraft<T extends IntegrationEventType>(draft: EventDraft<T>): EventDraft<T> {
  checkedDrafts.add(draft as EventDraft);
  return draft;
}

/** The draft with its data as the catalog schema parses it, or why it does not fit the catalog. */
export function checkDraft(
  draft: EventDraft,
): { ok: true; draft: EventDraft } | { ok: false; problem: string } {
  if (checkedDrafts.has(draft)) return { ok: true, draft };
  // Two a sale (one per balance it moved): checked without zod when the parse would return it unchanged.
  if (draft.type === 'availability.changed' && isPlainAvailability(draft.data)) {
    checkedDrafts.add(draft);
    return { ok: true, draft };
  }
  // One a sale: likewise, the data the hub built from the pushed sale.
  if (draft.type === 'sale.completed' && isPlainSaleCompletedData(draft.data)) {
    checkedDrafts.add(draft);
    return { ok: true, draft };
  }
  const parsed = EVENT_CATALOG[draft.type].data.safeParse(draft.data);
  if (parsed.success) {
    const checked: EventDraft = { ...draft, data: parsed.data as EventData<IntegrationEventType> };
    checkedDrafts.add(checked);
    return { ok: true, draft: checked };
  }
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
}

function validated(draft: EventDraft): EventDraft {
  const checked = checkDraft(draft);
  if (!checked.ok) {
    throw new DomainError(
      'INTERNAL',
      'hub.integration.hubProducedInvalidEvent',
      { draftType: draft.type, problem: checked.problem },
      { type: draft.type, key: draft.key },
    );
  }
  return checked.draft;
}

/**
 * Allocates log positions. On PostgreSQL the writer registers first and readers stop at the settled head
 * (storage/commit-watermark.ts), so log writers commit in parallel and no reader skips a late commit.
 * SQLite has one writer; a counter row is enough.
 */
async function allocate(trx: Trx, storage: Storage, count: number): Promise<number[]> {
  if (storage.kind === 'postgres') {
    return allocateNumbers(trx, INTEGRATION_SEQUENCE, count, { register: storage.commitOrderGuard });
  }
  return takeCounterNumbers(trx, 'integration_seq', count);
}

/** Appends events in the given order. Call near the end of a transaction (readers wait for its commit). */
export async function appendIntegrationEvents(
  trx: Trx,
  storage: Storage,
  drafts: readonly EventDraft[],
  recordedAt: number,
): Promise<number[]> {
  return (await integrationAppend(trx, storage, drafts, recordedAt)?.appendAlone()) ?? [];
}

/**
 * The append of these events, for a statement the transaction sends anyway to carry it (the feed's:
 * appendFeedChanges) or to run alone; undefined without events.
 */
export function integrationAppend(
  trx: Trx,
  storage: Storage,
  drafts: readonly EventDraft[],
  recordedAt: number,
): AlongsideAppend | undefined {
  if (drafts.length === 0) return undefined;
  const rows = drafts.map(validated);
  const ranked: IntegrationEventTable[] = rows.map((draft, index) => ({
    seq: index + 1,
    event_id: integrationEventId(draft.type, draft.key),
    type: draft.type,
    schema_version: EVENT_CATALOG[draft.type].version,
    aggregate_type: EVENT_CATALOG[draft.type].aggregate,
    aggregate_id: draft.aggregateId,
    node_id: draft.nodeId ?? null,
    business_date: draft.businessDate ?? null,
    source_event_id: draft.sourceEventId ?? null,
    occurred_at: draft.occurredAt,
    recorded_at: recordedAt,
    data: JSON.stringify(draft.data),
  }));
  // PostgreSQL: registration, allocation and insert in one statement for the events of a push or order.
  const part =
    storage.kind === 'postgres' && ranked.length <= ONE_STATEMENT_EVENTS
      ? {
          seq: INTEGRATION_SEQUENCE,
          insert: {
            table: 'integration_events' as const,
            numberColumn: 'seq' as const,
            columns: INTEGRATION_COLUMNS,
            rows: ranked,
            onConflict: sql`on conflict (event_id) where type <> 'availability.changed' do nothing`,
          },
          register: storage.commitOrderGuard,
        }
      : undefined;
  return {
    part,
    async appendAlone() {
      if (part !== undefined) return insertNumbered(trx, part.seq, part.insert, { register: part.register });
      const seqs = await allocate(trx, storage, rows.length);
      const values = ranked.map((row) => ({ ...row, seq: seqs[row.seq - 1]! }));
      for (const chunk of chunks(values, 300)) await insertIntegrationEvents(trx, chunk);
      return seqs;
    },
  };
}

const INTEGRATION_COLUMNS = [
  'event_id',
  'type',
  'schema_version',
  'aggregate_type',
  'aggregate_id',
  'node_id',
  'business_date',
  'source_event_id',
  'occurred_at',
  'recorded_at',
  'data',
] as const;

/** Appends up to this many events in one statement with their allocation (PostgreSQL). */
const ONE_STATEMENT_EVENTS = 500;

// The same fact derived again keeps its first position (see EventDraft.key); insertNumbered's ON CONFLICT
// above says the same. The unique index leaves out `availability.changed`, whose keys start with an id made
// fresh for each transaction, so it is never derived again (migration 0030): both databases want the
// index's predicate repeated here, as it is written there.
const insertIntegrationEvents = compiledInsert('integration_events', (query) =>
  query.onConflict((conflict) =>
    conflict
      .column('event_id')
      .where(sql<boolean>`type <> 'availability.changed'`)
      .doNothing(),
  ),
);

export function toIntegrationEvent(row: IntegrationEventTable): IntegrationEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: Number(row.schema_version),
    seq: Number(row.seq),
    aggregate: { type: row.aggregate_type, id: row.aggregate_id },
    nodeId: row.node_id,
    sourceEventId: row.source_event_id,
    occurredAt: new Date(Number(row.occurred_at)).toISOString(),
    recordedAt: new Date(Number(row.recorded_at)).toISOString(),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** The highest position whose row is visible; every lower one that will ever exist is visible too. */
export async function integrationHead(executor: Executor): Promise<number> {
  const settled = isPostgres(executor) ? await settledHead(executor, INTEGRATION_SEQUENCE) : undefined;
  const row = await executor
    .selectFrom('integration_events')
    .select((eb) => eb.fn.max('seq').as('head'))
    .$if(settled !== undefined, (query) => query.where('seq', '<=', settled!))
    .executeTakeFirst();
  return row?.head === null || row?.head === undefined ? 0 : Number(row.head);
}

export interface LogPage {
  readonly events: IntegrationEvent[];
  /** Where the next read starts: past the last event, or the head when nothing more matched. */
  readonly position: number;
  readonly upToDate: boolean;
}

/** Events after `after` in log order, optionally of some types only. */
export async function readIntegrationEvents(
  executor: Executor,
  filter: { after: number; limit: number; types?: readonly string[] | undefined },
): Promise<LogPage> {
  // The head first: rows committed after it are left for the next read, so the position never passes a
  // row this read could not see.
  const head = await integrationHead(executor);
  if (head <= filter.after) return { events: [], position: filter.after, upToDate: true };
  const types = filter.types;
  const rows = await executor
    .selectFrom('integration_events')
    .selectAll()
    .where('seq', '>', filter.after)
    .where('seq', '<=', head)
    .$if(types !== undefined && types.length > 0, (query) => query.where('type', 'in', [...types!]))
    .orderBy('seq')
    .limit(filter.limit)
    .execute();
  const full = rows.length === filter.limit;
  return {
    events: rows.map(toIntegrationEvent),
    position: full ? Number(rows[rows.length - 1]!.seq) : head,
    upToDate: !full,
  };
}

/** The position just before the first event recorded at or after `at`: a replay from a time starts there. */
export async function positionBefore(executor: Executor, at: number): Promise<number> {
  const row = await executor
    .selectFrom('integration_events')
    .select((eb) => eb.fn.min('seq').as('first'))
    .where('recorded_at', '>=', at)
    .executeTakeFirst();
  if (row?.first === null || row?.first === undefined) return integrationHead(executor);
  return Number(row.first) - 1;
}
