import type { Executor } from '../storage/storage';

/** A sales channel's HQ-set rules; a channel HQ never configured accepts splits and has no buffers. */
export interface ChannelRules {
  readonly channel: string;
  readonly allowSplit: boolean;
}

export async function readChannelRules(executor: Executor, channel: string): Promise<ChannelRules> {
  const row = await executor
    .selectFrom('sales_channels')
    .select(['allow_split'])
    .where('channel', '=', channel)
    .executeTakeFirst();
  return { channel, allowSplit: row === undefined ? true : row.allow_split === 1 };
}
