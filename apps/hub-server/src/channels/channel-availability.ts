import { sql } from 'kysely';
import { z } from 'zod';
import {
  BOPIS_CHANNELS,
  DomainError,
  channelBufferFor,
  channelSellable,
  type ChannelBuffer,
  type ResolvedBuffer,
} from '@retail/domain';
import type { HubTx } from '../hub-tx';
import type { BalanceState } from '../inventory/ledger';
import type { EventDraft } from '../integration/outbound-log';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';

/**
 * Channel availability at the hub (issue 18 item 4): per channel and SKU, sellable = network ATP − the
 * channel's buffer. Network ATP sums node ATP over the nodes that take online orders (active, pickup
 * enabled), the same nodes routing considers. Published as `channel.availability_changed` for every
 * channel HQ configured, in the transaction that moved the stock; enforced at intake under a per-SKU lock.
 */

export const ChannelSchema = z.enum(BOPIS_CHANNELS, {
  error: `A channel is one of ${BOPIS_CHANNELS.join(', ')}.`,
});

export interface ChannelAvailability {
  readonly channel: string;
  readonly sku: string;
  readonly networkAtp: number;
  readonly buffer: number;
  readonly bufferSource: ResolvedBuffer['source'];
  readonly sellable: number;
}

/** Σ node ATP per SKU over the nodes that take online orders, read in the caller's transaction. */
export async function networkAtpBySku(
  executor: Executor,
  skus: readonly string[],
): Promise<Map<string, number>> {
  const atp = new Map<string, number>(skus.map((sku) => [sku, 0]));
  const unit = sql<number>`stock_balances.sellable - stock_balances.committed - stock_balances.safety_stock`;
  for (const chunk of chunks([...new Set(skus)], 500)) {
    const rows = await executor
      .selectFrom('stock_balances')
      .innerJoin('nodes', 'nodes.node_id', 'stock_balances.node_id')
      .select([
        'stock_balances.sku as sku',
        sql<number>`sum(case when ${unit} > 0 then ${unit} else 0 end)`.as('atp'),
      ])
      .where('stock_balances.sku', 'in', chunk)
      .where('nodes.active', '=', 1)
      .where('nodes.pickup_enabled', '=', 1)
      .groupBy('stock_balances.sku')
      .execute();
    for (const row of rows) atp.set(row.sku, Number(row.atp ?? 0));
  }
  return atp;
}

export async function readChannelBuffers(executor: Executor, channel: string): Promise<ChannelBuffer[]> {
  const rows = await executor
    .selectFrom('channel_buffers')
    .select(['scope', 'scope_key', 'units'])
    .where('channel', '=', channel)
    .orderBy('scope')
    .orderBy('scope_key')
    .execute();
  return rows.map((row) => ({ scope: row.scope, key: row.scope_key, units: Number(row.units) }));
}

async function categoryLineages(executor: Executor, skus: readonly string[]): Promise<Map<string, string[]>> {
  const lineages = new Map<string, string[]>();
  for (const chunk of chunks([...new Set(skus)], 500)) {
    const rows = await executor
      .selectFrom('skus')
      .select(['sku', 'data'])
      .where('sku', 'in', chunk)
      .execute();
    for (const row of rows) {
      const data = JSON.parse(row.data) as { categoryIds?: unknown };
      lineages.set(
        row.sku,
        Array.isArray(data.categoryIds)
          ? data.categoryIds.filter((id): id is string => typeof id === 'string')
          : [],
      );
    }
  }
  return lineages;
}

/** The channel's figures for these SKUs, in the order given. */
export async function channelAvailability(
  executor: Executor,
  channel: string,
  skus: readonly string[],
  buffers?: readonly ChannelBuffer[],
): Promise<ChannelAvailability[]> {
  const set = buffers ?? (await readChannelBuffers(executor, channel));
  const [atp, lineages] = await Promise.all([
    networkAtpBySku(executor, skus),
    categoryLineages(executor, skus),
  ]);
  return skus.map((sku) => {
    const networkAtp = atp.get(sku) ?? 0;
    const buffer = channelBufferFor(sku, lineages.get(sku) ?? [], set);
    return {
      channel,
      sku,
      networkAtp,
      buffer: buffer.units,
      bufferSource: buffer.source,
      sellable: channelSellable(networkAtp, buffer.units),
    };
  });
}

/** Channels HQ configured: only they get availability events (the others sell without a buffer). */
export async function configuredChannels(executor: Executor): Promise<string[]> {
  const rows = await executor.selectFrom('sales_channels').select('channel').orderBy('channel').execute();
  return rows.map((row) => row.channel);
}

export function availabilityDraft(item: ChannelAvailability, batch: string, at: number): EventDraft {
  return {
    type: 'channel.availability_changed',
    key: `${batch}:${item.channel}:${item.sku}`,
    aggregateId: `${item.channel}:${item.sku}`,
    occurredAt: at,
    data: {
      channel: item.channel,
      sku: item.sku,
      networkAtp: item.networkAtp,
      buffer: item.buffer,
      bufferSource: item.bufferSource,
      sellable: item.sellable,
    },
  };
}

/**
 * Events for the SKUs this transaction moved, one per configured channel and SKU; called by the
 * integration layer after the balances are written, so the sums include this transaction's change.
 */
export async function channelAvailabilityDrafts(
  tx: HubTx,
  balances: readonly BalanceState[],
): Promise<EventDraft[]> {
  if (balances.length === 0) return [];
  const channels = await tx.configuredChannels();
  if (channels.length === 0) return [];
  const skus = [...new Set(balances.map((state) => state.sku))].sort();
  const batch = tx.hub.newId();
  const drafts: EventDraft[] = [];
  for (const channel of channels) {
    for (const item of await channelAvailability(tx.trx, channel, skus))
      drafts.push(availabilityDraft(item, batch, tx.at));
  }
  return drafts;
}

/**
 * Refuses an order the channel may not sell: for each SKU with a buffer, the order's units must fit in
 * network ATP − buffer. The SKUs are locked first (PostgreSQL advisory locks, in SKU order; SQLite has one
 * writer) and the sums read after, so concurrent intakes of one SKU queue here and a burst can never
 * promise the channel more than the buffer leaves, whichever nodes the orders land on.
 */
export async function guardChannelBuffer(
  tx: HubTx,
  order: {
    readonly orderNumber: string;
    readonly channel: string;
    readonly lines: readonly { sku: string; qty: number }[];
  },
  /** The channel's buffers when the caller has read them already (the intake reads them with its checks). */
  channelBuffers?: readonly ChannelBuffer[],
): Promise<void> {
  const buffers = channelBuffers ?? (await readChannelBuffers(tx.trx, order.channel));
  if (buffers.every((buffer) => buffer.units === 0)) return;
  const demand = new Map<string, number>();
  for (const line of order.lines) demand.set(line.sku, (demand.get(line.sku) ?? 0) + line.qty);
  const skus = [...demand.keys()].sort();
  const lineages = await categoryLineages(tx.trx, skus);
  const buffered = skus.filter((sku) => channelBufferFor(sku, lineages.get(sku) ?? [], buffers).units > 0);
  if (buffered.length === 0) return;
  if (tx.hub.storage.kind === 'postgres') {
    for (const sku of buffered) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`channel-buffer:${sku}`}, 0))`.execute(
        tx.trx,
      );
    }
  }
  const figures = await channelAvailability(tx.trx, order.channel, buffered, buffers);
  const short = figures.filter((item) => (demand.get(item.sku) ?? 0) > item.sellable);
  if (short.length > 0) {
    const detail = short
      .map(
        (item) =>
          `${item.sellable} of ${demand.get(item.sku)} × SKU ${item.sku} (network ${item.networkAtp}, buffer ${item.buffer})`,
      )
      .join(', ');
    throw new DomainError(
      'INSUFFICIENT_STOCK',
      'hub.channels.orderCannotPlacedChannel',
      { orderNumber: order.orderNumber, channel: order.channel, detail },
      {
        channel: order.channel,
        shortages: short.map((item) => ({
          sku: item.sku,
          required: demand.get(item.sku),
          sellable: item.sellable,
          networkAtp: item.networkAtp,
          buffer: item.buffer,
        })),
      },
    );
  }
}
