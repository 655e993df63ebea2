import { sql, type QueryCreator } from 'kysely';
import { configuredChannels } from './channels/channel-availability';
import { raiseExceptions, type RaiseException } from './exceptions/exception-queue';
import { appendFeedChanges, type FeedChangeInput } from './feed/feed-store';
import type { FollowUp, HubContext } from './hub-context';
import { TransactionEvents } from './integration/transaction-events';
import { TransactionLedger } from './inventory/ledger';
import { stockLevelOf } from './inventory/stock-levels';
import { chunks } from './storage/chunks';
import { compiledQuery } from './storage/compiled-query';
import type { JsonWrite } from './storage/json-rows';
import type { HubDatabase } from './storage/schema';
import type { Trx } from './storage/storage';

/**
 * One hub transaction (unit of work). Its stock is `ledger` (inventory/ledger.ts: balances locked up
 * front, movements and deltas in memory, written when it finishes); the transaction itself collects the
 * exceptions to raise, the feed changes, the outbound integration events and the work to do after
 * commit. `finish` has the ledger write, then raises the exceptions (the stock conditions the ledger
 * names included), appends the integration log and the feed (always last: see appendFeedChanges).
 */
export class HubTx {
  readonly at: number;
  /** The transaction's stock: its balances, movements and deltas, and their writes (inventory/ledger.ts). */
  readonly ledger: TransactionLedger;
  private readonly feed: FeedChangeInput[] = [];
  private readonly raised: RaiseException[] = [];
  /** Work to hand to the hub's hooks once this transaction has committed. */
  readonly followUps = new Set<FollowUp>();
  /**
   * Checks that must see what concurrent transactions committed beside this one (each runs once, in a
   * transaction of its own, after this one commits, before inHubTransaction returns): on PostgreSQL two
   * transactions can each miss the other's uncommitted rows, and the later check sees both.
   */
  readonly recheckAfterCommit = new Set<(hub: HubContext) => Promise<void>>();
  /** Canonical events for the outbound integration log, appended by `finish` in this transaction. */
  readonly events = new TransactionEvents();
  /** See configuredChannels. */
  private channels: Promise<string[]> | undefined;
  /** See writeAtFinish. */
  private readonly finishWrites: JsonWrite[] = [];

  constructor(
    readonly trx: Trx,
    readonly hub: HubContext,
  ) {
    this.at = hub.now();
    this.ledger = new TransactionLedger(trx, this.at, hub.storage.kind === 'postgres');
  }

  publish(change: FeedChangeInput): void {
    this.feed.push(change);
  }

  raise(exception: RaiseException): void {
    this.raised.push(exception);
  }

  /**
   * PostgreSQL: rows no statement of this transaction reads before it finishes (a new order's: nothing
   * else can know them yet), as data-modifying statements (storage/json-rows.ts jsonInsert). `finish` sends
   * them with a statement it sends anyway, together with the ledger's balance write: one round trip for
   * what took one per table, all while the balances are locked.
   */
  writeAtFinish(writes: readonly JsonWrite[]): void {
    this.finishWrites.push(...writes);
  }

  /** Asks for `kind` of work after commit (never inside: it would run on a transaction that may roll back). */
  requestFollowUp(kind: FollowUp): void {
    this.followUps.add(kind);
  }

  /**
   * Has the ledger write the movements and balances, raises exceptions (its stock conditions included),
   * publishes the stock levels that moved, appends the outbound integration log and the feed. Runs once,
   * last. `last`: nothing of the transaction can fail after it (`inHubTransaction`), so on PostgreSQL
   * the feed's statement goes out with the COMMIT.
   */
  async finish(options: { last?: boolean } = {}): Promise<void> {
    const {
      balances: dirty,
      conditions,
      carried: writes,
    } = await this.ledger.finish(this.finishWrites.splice(0));
    // Victims that are BOPIS orders are re-routed by the BOPIS runtime once this has committed.
    if (conditions.some((condition) => condition.type === 'OVERSELL')) this.requestFollowUp('bopis');
    this.raised.push(...conditions);
    const exceptionIds = await raiseExceptions(this.trx, this.raised, this.at, this.hub.newId);
    // The balances' locking read also read the devices and channels, and still holds for them
    // (TransactionLedger.settledAtLock): no devices read, and with no channel to publish availability for
    // (its events read the balances written) the writes go with the feed's statement, the last.
    const atLock = dirty.length > 0 && writes.length > 0 ? this.ledger.settledAtLock(dirty) : undefined;
    const channels = atLock === undefined ? undefined : ((await this.channels) ?? atLock.channels);
    const withFeed = atLock !== undefined && channels!.length === 0 ? writes : [];
    let deviceSeqs: ReadonlyMap<string, Record<string, number>> | undefined;
    if (withFeed.length > 0) {
      this.channels ??= Promise.resolve(channels!);
      deviceSeqs = atLock!.deviceSeqs;
    } else if (dirty.length > 0) {
      deviceSeqs = await this.deviceSeqsByNode(new Set(dirty.map((state) => state.nodeId)), writes);
    }
    if (deviceSeqs !== undefined) {
      for (const state of dirty) {
        this.publish({
          entity: 'stock_level',
          key: `${state.nodeId}:${state.sku}`,
          op: 'upsert',
          scope: state.nodeId,
          data: stockLevelOf(state, deviceSeqs.get(state.nodeId) ?? {}),
        });
      }
    }
    // The log's append goes with the feed's (one statement on PostgreSQL), the feed always last.
    const log = await this.events.flush(this, { balances: dirty, exceptionIds, feed: this.feed });
    await appendFeedChanges(this.trx, this.hub.storage, this.feed, this.at, log, {
      ...options,
      writes: withFeed,
    });
  }

  /**
   * Channels HQ configured, read at most once per transaction: the integration layer publishes channel
   * availability for each when balances moved (channels/channel-availability.ts).
   */
  configuredChannels(): Promise<string[]> {
    return (this.channels ??= configuredChannels(this.trx));
  }

  /**
   * The lastSeq of every device of these nodes: what the stock levels published now reflect. Balances
   * moved, so the channel availability events will need the configured channels: read by the same
   * statement (rows without a node), saving a round trip per transaction.
   */
  private async deviceSeqsByNode(
    nodeIds: Set<string>,
    /** Data-modifying statements the first read runs too, as its CTEs (see finish). */
    writes: readonly JsonWrite[],
  ): Promise<Map<string, Record<string, number>>> {
    const result = new Map<string, Record<string, number>>();
    let pending = writes;
    for (const chunk of chunks([...nodeIds], 500)) {
      const carried = pending;
      pending = [];
      const withChannels = this.channels === undefined;
      const rows = await deviceRows(
        this.trx,
        `${carried.map((write) => write.shape).join('\u0001')}:${chunk.length}:${withChannels}`,
        [...carried.map((write) => write.parameter), ...chunk],
        () => this.devicesQuery(carried, chunk, withChannels),
      );
      const channels: string[] = [];
      for (const row of rows) {
        if (row.node_id === null) {
          channels.push(row.device_id);
          continue;
        }
        const seqs = result.get(row.node_id) ?? {};
        seqs[row.device_id] = Number(row.last_seq);
        result.set(row.node_id, seqs);
      }
      if (withChannels) this.channels = Promise.resolve(channels.sort());
    }
    return result;
  }

  /** The statement of deviceSeqsByNode (built only while its text is not known yet: see compiledQuery). */
  private devicesQuery(writes: readonly JsonWrite[], nodeIds: readonly string[], withChannels: boolean) {
    let creator: QueryCreator<HubDatabase> = this.trx;
    for (const [index, write] of writes.entries()) {
      creator = creator.with(
        `written_${index}`,
        () => sql`(${write.sql})` as never,
      ) as unknown as QueryCreator<HubDatabase>;
    }
    const devices = creator
      .selectFrom('devices')
      .select((eb) => [eb.ref('node_id').$castTo<string | null>().as('node_id'), 'device_id', 'last_seq'])
      .where('node_id', 'in', nodeIds);
    return withChannels
      ? devices.unionAll(
          this.trx
            .selectFrom('sales_channels')
            .select([
              sql<string | null>`null`.as('node_id'),
              'channel as device_id',
              sql<number>`0`.as('last_seq'),
            ]),
        )
      : devices;
  }
}

const deviceRows = compiledQuery<{ node_id: string | null; device_id: string; last_seq: number | string }>();

/** Runs `work` as one hub transaction (retried as a whole on PostgreSQL serialization failures). */
export async function inHubTransaction<T>(hub: HubContext, work: (tx: HubTx) => Promise<T>): Promise<T> {
  let committed: HubTx | undefined;
  const result = await hub.storage.transaction(async (trx) => {
    const tx = new HubTx(trx, hub);
    const value = await work(tx);
    // Nothing below can fail: the feed's append, finish's last statement, carries the COMMIT.
    await tx.finish({ last: true });
    // A retried attempt replaces the earlier one: only the attempt that commits asks for follow-ups.
    committed = tx;
    return value;
  });
  for (const kind of committed?.followUps ?? []) hub.hooks.followUp?.(kind);
  for (const recheck of committed?.recheckAfterCommit ?? []) await recheck(hub);
  return result;
}
