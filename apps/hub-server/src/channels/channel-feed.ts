import { z } from 'zod';
import { CURSOR_PATTERN, currentEpochTag, formatCursor } from '../integration/log-cursor';
import { integrationHead } from '../integration/outbound-log';
import { pullEvents } from '../integration/pull';
import type { Executor } from '../storage/storage';
import { channelAvailability } from './channel-availability';

/**
 * `GET /api/channels/{channel}/availability`: without `after`, a snapshot of every active SKU in SKU order
 * (page on with `afterSku`) and the cursor to follow changes from; with `after`, the channel's
 * `channel.availability_changed` events since that cursor. The snapshot's cursor is taken before its
 * figures are read, so a change that lands meanwhile is seen again rather than missed.
 */

export const ChannelAvailabilityQuerySchema = z.object({
  after: z
    .string()
    .max(80)
    .regex(CURSOR_PATTERN, {
      error: 'Pass the `cursor` of the last page you read, or leave it out for a snapshot.',
    })
    .optional(),
  /** Snapshot paging: the last SKU of the previous snapshot page. */
  afterSku: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ChannelAvailabilityQuery = z.output<typeof ChannelAvailabilityQuerySchema>;

const ItemSchema = z.object({
  sku: z.string(),
  networkAtp: z.number().int(),
  buffer: z.number().int(),
  bufferSource: z.enum(['sku', 'category', 'none']),
  sellable: z.number().int(),
  /** Changes only: when the figure was published. */
  occurredAt: z.string().optional(),
});

export const ChannelAvailabilityPageSchema = z.object({
  channel: z.string(),
  mode: z.enum(['snapshot', 'changes']),
  items: z.array(ItemSchema),
  /** Pass as `after` to read the changes since this page. */
  cursor: z.string(),
  /** Snapshot only: pass as `afterSku` for the next snapshot page; null when the snapshot is complete. */
  nextSku: z.string().nullable(),
  upToDate: z.boolean(),
});
export type ChannelAvailabilityPage = z.infer<typeof ChannelAvailabilityPageSchema>;

export async function readChannelAvailabilityPage(
  executor: Executor,
  channel: string,
  query: ChannelAvailabilityQuery,
  now: number,
): Promise<ChannelAvailabilityPage> {
  if (query.after !== undefined) {
    const page = await pullEvents(
      executor,
      { after: query.after, types: ['channel.availability_changed'], limit: query.limit },
      now,
    );
    const items = page.events.flatMap((event) => {
      const data = event.data as z.infer<typeof ItemSchema> & { channel: string };
      if (data.channel !== channel) return [];
      const { channel: _channel, ...figures } = data;
      return [{ ...figures, occurredAt: event.occurredAt }];
    });
    return { channel, mode: 'changes', items, cursor: page.cursor, nextSku: null, upToDate: page.upToDate };
  }
  const epoch = await currentEpochTag(executor);
  const head = await integrationHead(executor);
  const rows = await executor
    .selectFrom('skus')
    .select('sku')
    .where('active', '=', 1)
    .$if(query.afterSku !== undefined, (q) => q.where('sku', '>', query.afterSku as string))
    .orderBy('sku')
    .limit(query.limit)
    .execute();
  const items = await channelAvailability(
    executor,
    channel,
    rows.map((row) => row.sku),
  );
  const full = rows.length === query.limit;
  return {
    channel,
    mode: 'snapshot',
    items: items.map(({ channel: _channel, ...figures }) => figures),
    cursor: formatCursor({ position: head, epoch, servedAt: now }),
    nextSku: full ? (rows[rows.length - 1]?.sku ?? null) : null,
    upToDate: !full,
  };
}
