import { z } from 'zod';
import { MAX_STOCK_QTY } from '../bounds';

/**
 * Channel availability (issue 18 item 4): what a sales channel may sell of a SKU is the network's ATP
 * minus a safety buffer HQ holds back from that channel, so a marketplace's lag or a web flash sale cannot
 * take the last units the stores need. The buffer is set per SKU or per category; the SKU's own buffer
 * wins, then its nearest category's (its category first, then the ancestors), else none.
 */

export const CHANNEL_BUFFER_SCOPES = ['sku', 'category'] as const;
export type ChannelBufferScope = (typeof CHANNEL_BUFFER_SCOPES)[number];

export const ChannelBufferSchema = z.object({
  scope: z.enum(CHANNEL_BUFFER_SCOPES),
  /** The SKU or the category id. */
  key: z.string().min(1).max(100),
  units: z
    .number()
    .int('A buffer is a whole number of units (or grams for kg SKUs).')
    .min(0, 'A buffer cannot be negative.')
    .max(MAX_STOCK_QTY),
});
export type ChannelBuffer = z.infer<typeof ChannelBufferSchema>;

export interface ResolvedBuffer {
  readonly units: number;
  /** Where the figure came from: the SKU's own buffer, a category's, or none set. */
  readonly source: 'sku' | 'category' | 'none';
  readonly key?: string;
}

export function channelBufferFor(
  sku: string,
  categoryLineage: readonly string[],
  buffers: readonly ChannelBuffer[],
): ResolvedBuffer {
  const own = buffers.find((buffer) => buffer.scope === 'sku' && buffer.key === sku);
  if (own !== undefined) return { units: own.units, source: 'sku', key: sku };
  for (const categoryId of categoryLineage) {
    const set = buffers.find((buffer) => buffer.scope === 'category' && buffer.key === categoryId);
    if (set !== undefined) return { units: set.units, source: 'category', key: categoryId };
  }
  return { units: 0, source: 'none' };
}

/** Units the channel may still sell: never negative, never more than the network can promise. */
export function channelSellable(networkAtp: number, buffer: number): number {
  return Math.max(0, Math.max(0, networkAtp) - Math.max(0, buffer));
}
