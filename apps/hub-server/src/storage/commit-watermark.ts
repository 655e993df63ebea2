import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import { DomainError } from '@retail/domain';
import { compiledQuery } from './compiled-query';
import { cteList, jsonParameter, writeTogether, type JsonWrite } from './json-rows';
import type { HubDatabase } from './schema';
import type { Executor, Trx } from './storage';

/**
 * Commit-order-safe reading of a PostgreSQL sequence that numbers rows (the feed's hubSeq, the integration
 * log's position), without making writers wait for each other.
 *
 * The problem: a sequence hands out numbers when asked, transactions commit in any order, so a reader can
 * see 11 committed, move its cursor past 10, and never see 10 when its transaction commits later. The
 * hub used to make every writer hold one advisory lock from allocation to commit, so numbers became
 * visible strictly in order, and writers of the whole database committed one at a time.
 *
 * The scheme here: before allocating, a writer reads the next number the sequence can hand out, X (its
 * numbers will all be ≥ X), and takes a SHARED transaction-level advisory lock keyed by X, held until it commits or rolls
 * back. Shared locks never wait for each other, so writers run and commit in parallel. A reader first
 * reads the highest number handed out so far, L, then (a later statement) the lowest X still held in
 * pg_locks, P, and reads rows only up to the settled head H = min(L, P − 1), in a statement started after
 * both.
 *
 * Why a reader never skips a row: take a row numbered s ≤ H, written by transaction W. s ≤ L, and the
 * sequence only grows, so W allocated s before the reader read L. W took its lock (key X_W ≤ s) before
 * allocating, so W held it when the reader read L. Either W ended before the reader read pg_locks — then
 * it had committed (or rolled back) before the reader's row query started, and PostgreSQL makes a commit
 * visible before it releases the transaction's locks, so the row query sees the row — or W still held
 * it, so P ≤ X_W ≤ s and H ≤ s − 1 < s, a contradiction. So every row at or below H is final when read,
 * and a cursor moved to H (or to a row at or below it) never passes a row that appears later.
 *
 * H is not monotonic: a writer that read X before others allocated past it and took its lock after a
 * reader saw H can pull the next H below rows already read. Such a reader simply reads nothing new; a
 * cursor above H is therefore no sign of a restored database (compare with allocatedHead for that).
 *
 * SQLite has one writer at a time; there the highest committed number is already settled.
 */
export interface OrderedSequence {
  /** The PostgreSQL sequence that numbers the rows. */
  readonly sequence: 'hub_seq' | 'integration_seq';
  /** Base of the 48-bit advisory-lock key range this sequence's writers register in. */
  readonly lockBase: bigint;
}

const KEY_RANGE = 2n ** 48n;

export const FEED_SEQUENCE: OrderedSequence = { sequence: 'hub_seq', lockBase: 0x4645n * KEY_RANGE };
export const INTEGRATION_SEQUENCE: OrderedSequence = {
  sequence: 'integration_seq',
  lockBase: 0x4c47n * KEY_RANGE,
};

/**
 * Registers the calling transaction as a writer of `seq` that may still commit numbers ≥ the sequence's
 * current value. Call it right before `nextval` in the same transaction (PostgreSQL only).
 */
export async function registerWriter(trx: Trx, seq: OrderedSequence): Promise<void> {
  // Keyed by the first number nextval can still hand out: last_value itself is taken once is_called. A key
  // one lower held the settled head one below a row already read, so a till that had read that row was
  // told its cursor was past the head, as after a restore, and had to download everything again.
  await sql`select pg_advisory_xact_lock_shared(
              ${seq.lockBase.toString()}::bigint + last_value + case when is_called then 1 else 0 end)
            from ${sql.table(seq.sequence)}`.execute(trx);
}

/** A NOTIFY sent by the statement that allocates: `payload` with `head` set to the highest number handed out. */
export interface AllocationNotice {
  readonly channel: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Hands out `count` numbers of `seq` in increasing order (PostgreSQL only), in ONE statement: with
 * `register`, the writer's shared lock keyed by the sequence's next value is taken first (registerWriter:
 * an InitPlan that the plan's one-time filter runs before any nextval), and `notice` is sent by the same
 * statement, so a transaction that writes the feed pays one round trip for what took three.
 */
export async function allocateNumbers(
  trx: Trx,
  seq: OrderedSequence,
  count: number,
  options: { readonly register: boolean; readonly notice?: AllocationNotice | undefined },
): Promise<number[]> {
  if (count <= 0) return [];
  const result = await sql<{ seqs: string[] | null }>`
    ${allocation(seq, count, options.register)}
    select array_agg(seq order by seq) as seqs ${notification(options.notice)} from allocated`.execute(trx);
  return handedOut(seq, count, result.rows[0]?.seqs);
}

/** Rows of a table numbered by an ordered sequence, for insertNumbered. */
export interface NumberedRows<Table extends 'integration_events' | 'feed_changes'> {
  readonly table: Table;
  /** The column the sequence numbers. */
  readonly numberColumn: keyof HubDatabase[Table] & string;
  /** The other columns, as keys of every row. */
  readonly columns: readonly (keyof HubDatabase[Table] & string)[];
  /**
   * In the order they are inserted (two writers of overlapping keys wait for each other in one order),
   * each with its rank (1…n) in `numberColumn`: the row ranked i gets the i-th number handed out.
   */
  readonly rows: readonly object[];
  /** The statement's ON CONFLICT clause. */
  readonly onConflict: RawBuilder<unknown>;
}

/**
 * allocateNumbers and the insert of the rows those numbers go to, in ONE statement (PostgreSQL only): the
 * rows travel as one JSON parameter typed by the table's own row type (json_populate_recordset) and are
 * inserted in the order given. Returns the numbers in rank order. For the small appends of a push or an
 * order; a catalog import's thousands of rows keep the chunked inserts.
 */
export async function insertNumbered<Table extends 'integration_events' | 'feed_changes'>(
  trx: Trx,
  seq: OrderedSequence,
  insert: NumberedRows<Table>,
  options: { readonly register: boolean; readonly notice?: AllocationNotice | undefined },
): Promise<number[]> {
  if (insert.rows.length === 0) return [];
  const [numbers] = await insertNumberedParts(
    trx,
    [{ seq, insert, register: options.register }],
    options.notice,
  );
  return numbers!;
}

export type SomeNumberedAppend = NumberedAppend<'integration_events'> | NumberedAppend<'feed_changes'>;

/** A NumberedAppend of either table as the numbered statement reads it: its columns as plain names. */
interface NumberedPart {
  readonly seq: OrderedSequence;
  readonly insert: Omit<NumberedRows<'integration_events' | 'feed_changes'>, 'numberColumn' | 'columns'> & {
    readonly numberColumn: string;
    readonly columns: readonly string[];
  };
  readonly register: boolean;
}

/**
 * Rows of another ordered sequence the same transaction appends, which a statement it sends anyway may
 * carry (the feed's append carries the integration log's: appendFeedChanges).
 */
export interface AlongsideAppend {
  /** The append as one part of a numbered statement, when it can be (PostgreSQL, a small append). */
  readonly part: SomeNumberedAppend | undefined;
  /** Appends the rows with statements of their own; resolves to their numbers in rank order. */
  appendAlone(): Promise<number[]>;
}

/** One sequence's rows for insertNumberedTogether. */
export interface NumberedAppend<Table extends 'integration_events' | 'feed_changes'> {
  readonly seq: OrderedSequence;
  readonly insert: NumberedRows<Table>;
  /** Register as a writer of `seq` first (the storage's commitOrderGuard). */
  readonly register: boolean;
}

/**
 * Two insertNumbered in ONE statement (PostgreSQL only), each registering, allocating from its own
 * sequence and inserting as insertNumbered does, `notice` sent with the highest number of `last`: a
 * transaction that writes the integration log and the feed pays one round trip for both. Returns each
 * part's numbers in rank order.
 */
export async function insertNumberedTogether(
  trx: Trx,
  first: SomeNumberedAppend,
  last: SomeNumberedAppend,
  notice: AllocationNotice | undefined,
  /** Data-modifying statements (json-rows.ts jsonInsert's) the same statement runs first, as its CTEs. */
  writes: readonly JsonWrite[] = [],
): Promise<[number[], number[]]> {
  const parts = [first, last].filter((part) => part.insert.rows.length > 0);
  if (parts.length === 0) await writeTogether(trx, writes);
  const numbers = await insertNumberedParts(trx, parts, notice, writes);
  return first.insert.rows.length === 0
    ? [[], numbers[0] ?? []]
    : [numbers[0]!, last.insert.rows.length === 0 ? [] : numbers[1]!];
}

async function insertNumberedParts(
  trx: Trx,
  parts: readonly NumberedPart[],
  notice: AllocationNotice | undefined,
  writes: readonly JsonWrite[] = [],
): Promise<number[][]> {
  if (parts.length === 0) return [];
  const rows = parts.map((part) => jsonParameter(part.insert.rows));
  // The text is the same for every append of these columns with this clause: built once (compiledQuery).
  const shape = parts
    .map((part) => {
      const conflict = part.insert.onConflict.toOperationNode() as { sqlFragments?: readonly string[] };
      return [
        part.seq.sequence,
        part.insert.table,
        part.insert.numberColumn,
        part.insert.columns.join(','),
        part.register,
        (conflict.sqlFragments ?? []).join('\u0002'),
      ].join('\u0001');
    })
    .join('\u0003');
  const result = await numberedInsert(
    trx,
    `${writes.map((write) => write.shape).join('\u0004')}\u0003${shape}\u0003${notice === undefined ? '' : 'notice'}`,
    [
      ...writes.map((write) => write.parameter),
      ...parts.flatMap((part, index) => [
        rows[index],
        ...(part.register ? [part.seq.lockBase.toString()] : []),
      ]),
      ...(notice === undefined ? [] : [notice.channel, JSON.stringify(notice.payload)]),
    ],
    () => ({ compile: () => numberedInsertQuery(parts, rows, notice, writes).compile(trx) }),
  );
  return parts.map((part, index) =>
    handedOut(part.seq, part.insert.rows.length, result[0]?.[`seqs_${index}`] as string[] | null),
  );
}

const numberedInsert = compiledQuery<Record<string, string[] | null>>();

/**
 * The statement of insertNumberedParts (built only while its text is not known yet: see compiledQuery),
 * one chain of CTEs per part. Each hands out one number per row of its JSON parameter rather than from
 * `generate_series(1, $count)`: the planner estimates a series with a parameter bound at 1,000 rows but
 * knows a bound value's, so a prepared statement counting that way always looked dearer as a generic
 * plan and was planned afresh at every execution (0.15–0.2 ms of PostgreSQL's CPU per append). Rows
 * from a JSON function are estimated alike either way, so PostgreSQL settles on the generic plan after
 * its first five executions.
 */
function numberedInsertQuery(
  parts: readonly NumberedPart[],
  rows: readonly string[],
  notice: AllocationNotice | undefined,
  writes: readonly JsonWrite[],
): RawBuilder<Record<string, string[] | null>> {
  const chains = parts.map((part, index) => {
    const { insert } = part;
    const name = (cte: string) => sql.raw(`${cte}_${index}`);
    const columns = sql.join(insert.columns.map((column) => sql.ref(column)));
    const values = sql.join(insert.columns.map((column) => sql.ref(`r.${column}`)));
    return sql`${name('input')} as materialized (
      select * from json_populate_recordset(null::${sql.table(insert.table)}, ${rows[index]}::json)
        with ordinality as r),
    ${allocationFrom(part.seq, name('allocated'), name('input'), part.register)},
    ${name('numbered')} as (select seq, row_number() over (order by seq) as n from ${name('allocated')}),
    ${name('inserted')} as (
      insert into ${sql.table(insert.table)} (${sql.ref(insert.numberColumn)}, ${columns})
      select ${name('numbered')}.seq, ${values}
      from ${name('input')} as r
      join ${name('numbered')} on ${name('numbered')}.n = r.${sql.ref(insert.numberColumn)}
      order by r.ordinality
      ${insert.onConflict})`;
  });
  const numbers = parts.map(
    (_, index) =>
      sql`(select array_agg(seq order by seq) from ${sql.raw(`allocated_${index}`)}) as ${sql.raw(`seqs_${index}`)}`,
  );
  const head = sql`(select max(seq) from ${sql.raw(`allocated_${parts.length - 1}`)})`;
  return sql<Record<string, string[] | null>>`
    with ${
      writes.length === 0
        ? sql``
        : sql`${cteList(writes)},
    `
    }${sql.join(
      chains,
      sql`,
    `,
    )}
    select ${sql.join(numbers)} ${notification(notice, head)}`;
}

/** The CTE `allocated`: `count` numbers of `seq`, the writer registered first when asked. */
function allocation(seq: OrderedSequence, count: number, register: boolean): RawBuilder<unknown> {
  return sql`with ${allocationFrom(seq, sql`allocated`, sql`generate_series(1, ${count}::int)`, register)}`;
}

/**
 * `<name> as (...)`: one number of `seq` per row of `source`; with `register`, the writer's shared lock
 * first (an uncorrelated condition: PostgreSQL runs it once, as the plan's one-time filter, before the
 * scan that calls nextval).
 */
function allocationFrom(
  seq: OrderedSequence,
  name: RawBuilder<unknown>,
  source: RawBuilder<unknown>,
  register: boolean,
): RawBuilder<unknown> {
  const guard = register
    ? sql`where (select count(pg_advisory_xact_lock_shared(
                   ${seq.lockBase.toString()}::bigint + last_value + case when is_called then 1 else 0 end))
                 from ${sql.table(seq.sequence)}) = 1`
    : sql``;
  return sql`${name} as materialized (
      select nextval(${sql.lit(seq.sequence)}::regclass) as seq from ${source} ${guard})`;
}

/** `, pg_notify(...)`: `notice` with `head` set to `head`, by default the highest number allocated. */
function notification(
  notice: AllocationNotice | undefined,
  head: RawBuilder<unknown> = sql`max(seq)`,
): RawBuilder<unknown> {
  return notice === undefined
    ? sql``
    : sql`, pg_notify(${notice.channel},
              jsonb_set(${JSON.stringify(notice.payload)}::jsonb, '{head}', to_jsonb(${head}))::text) as notified`;
}

function handedOut(
  seq: OrderedSequence,
  count: number,
  seqs: readonly string[] | null | undefined,
): number[] {
  const numbers = (seqs ?? []).map(Number);
  if (numbers.length !== count) {
    throw new DomainError(
      'INTERNAL',
      'hub.storage.fewerNumbersHanded',
      { numbersCount: numbers.length, count, sequence: seq.sequence },
      {
        sequence: seq.sequence,
      },
    );
  }
  return numbers;
}

/**
 * The highest number `seq` has handed out, committed or not (PostgreSQL only). It never goes down while
 * the database lives, unlike the settled head, which an open writer can hold below rows already read.
 */
export async function allocatedHead(executor: Executor, seq: OrderedSequence): Promise<number> {
  const allocated = await sql<{ allocated: string }>`
    select case when is_called then last_value else last_value - 1 end as allocated
    from ${sql.table(seq.sequence)}`.execute(executor);
  return Number(allocated.rows[0]?.allocated ?? 0);
}

/**
 * The highest number at or below which every row of `seq` that will ever commit is visible to a statement
 * started after this returns (PostgreSQL only; see the module comment). Must not be called inside a
 * REPEATABLE READ or SERIALIZABLE transaction, whose snapshot would predate it.
 */
export async function settledHead(executor: Executor, seq: OrderedSequence): Promise<number> {
  return (await watermark(executor, seq)).settled;
}

/** Both heads of `seq` at once: what was handed out, and the settled head (PostgreSQL only). */
export async function watermark(
  executor: Executor,
  seq: OrderedSequence,
): Promise<{ allocated: number; settled: number }> {
  const allocated = await allocatedHead(executor, seq);
  const highest = BigInt(allocated);
  // A separate statement, so the lock table is read after the sequence (the argument above needs it).
  const pending = await sql<{ lowest: string | null }>`
    select min(((classid::bigint << 32) | objid::bigint) - ${seq.lockBase.toString()}::bigint) as lowest
    from pg_locks
    where locktype = 'advisory' and objsubid = 1
      and database = (select oid from pg_database where datname = current_database())
      and ((classid::bigint << 32) | objid::bigint)
          between ${seq.lockBase.toString()}::bigint and ${(seq.lockBase + KEY_RANGE - 1n).toString()}::bigint`.execute(
    executor,
  );
  const lowest = pending.rows[0]?.lowest;
  const settled = lowest === null || lowest === undefined ? highest : min(highest, BigInt(lowest) - 1n);
  return { allocated, settled: Number(settled) };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Whether `executor` talks to PostgreSQL (readers are handed a connection, not the storage). */
export function isPostgres(executor: Executor): boolean {
  return executor.getExecutor().adapter instanceof PostgresAdapter;
}
