import { z } from 'zod';
import { ChannelBufferSchema, DomainError, type ChannelBuffer } from '@retail/domain';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';
import { availabilityDraft, channelAvailability, readChannelBuffers } from './channel-availability';
import { readChannelRules } from './channel-rules';

/** HQ's settings for a sales channel (issue 18): split policy and safety buffers. */

export const MAX_BUFFERS_PER_CALL = 1000;

export const ChannelRulesBodySchema = z.object({
  /** Whether an order from this channel may be split over several nodes (with the customer's consent). */
  allowSplit: z.boolean(),
});

export const ChannelBuffersBodySchema = z.object({
  /** Set (or with units 0, remove) these buffers; others stay as they are. */
  buffers: z
    .array(ChannelBufferSchema)
    .min(1, 'List at least one buffer.')
    .max(MAX_BUFFERS_PER_CALL, `Set at most ${MAX_BUFFERS_PER_CALL} buffers per call.`)
    .refine(
      (buffers) => new Set(buffers.map((buffer) => `${buffer.scope}:${buffer.key}`)).size === buffers.length,
      { message: 'Each SKU or category is listed once.' },
    ),
});

export const ChannelConfigViewSchema = z.object({
  channel: z.string(),
  /** HQ has set this channel up: it gets availability events. */
  configured: z.boolean(),
  allowSplit: z.boolean(),
  buffers: z.array(ChannelBufferSchema),
});
export type ChannelConfigView = z.infer<typeof ChannelConfigViewSchema>;

export async function readChannelConfig(executor: Executor, channel: string): Promise<ChannelConfigView> {
  const configured = await executor
    .selectFrom('sales_channels')
    .select('channel')
    .where('channel', '=', channel)
    .executeTakeFirst();
  const rules = await readChannelRules(executor, channel);
  return {
    channel,
    configured: configured !== undefined,
    allowSplit: rules.allowSplit,
    buffers: await readChannelBuffers(executor, channel),
  };
}

async function ensureChannel(tx: HubTx, channel: string, actor: string, allowSplit?: boolean): Promise<void> {
  await tx.trx
    .insertInto('sales_channels')
    .values({ channel, allow_split: allowSplit === false ? 0 : 1, updated_by: actor, updated_at: tx.at })
    .onConflict((conflict) =>
      allowSplit === undefined
        ? conflict.column('channel').doNothing()
        : conflict
            .column('channel')
            .doUpdateSet({ allow_split: allowSplit ? 1 : 0, updated_by: actor, updated_at: tx.at }),
    )
    .execute();
}

export async function setChannelRules(
  hub: HubContext,
  channel: string,
  body: z.output<typeof ChannelRulesBodySchema>,
  actor: string,
): Promise<ChannelConfigView> {
  await inHubTransaction(hub, async (tx) => {
    await ensureChannel(tx, channel, actor, body.allowSplit);
  });
  return readChannelConfig(hub.storage.db, channel);
}

async function assertKeysExist(tx: HubTx, buffers: readonly ChannelBuffer[]): Promise<void> {
  const problems: { path: string; message: string }[] = [];
  for (const scope of ['sku', 'category'] as const) {
    const keys = [...new Set(buffers.filter((buffer) => buffer.scope === scope).map((buffer) => buffer.key))];
    const known = new Set<string>();
    for (const chunk of chunks(keys, 500)) {
      const rows =
        scope === 'sku'
          ? await tx.trx.selectFrom('skus').select('sku as key').where('sku', 'in', chunk).execute()
          : await tx.trx
              .selectFrom('categories')
              .select('category_id as key')
              .where('category_id', 'in', chunk)
              .execute();
      for (const row of rows) known.add(row.key);
    }
    buffers.forEach((buffer, index) => {
      if (buffer.scope === scope && !known.has(buffer.key)) {
        problems.push({
          path: `buffers.${index}.key`,
          message: `There is no ${scope === 'sku' ? 'SKU' : 'category'} ${buffer.key} in the catalog.`,
        });
      }
    });
  }
  if (problems.length > 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.channels.buffersNotSet',
      { problems: problems.map((problem) => `${problem.path}: ${problem.message}`).join(' ') },
      { problems },
    );
  }
}

/** The SKUs whose buffer may have changed: the SKUs named, and every SKU in a category named. */
async function affectedSkus(tx: HubTx, buffers: readonly ChannelBuffer[]): Promise<string[]> {
  const skus = new Set(buffers.filter((buffer) => buffer.scope === 'sku').map((buffer) => buffer.key));
  const categories = new Set(
    buffers.filter((buffer) => buffer.scope === 'category').map((buffer) => buffer.key),
  );
  if (categories.size > 0) {
    // A category buffer is an HQ action, rare enough to read the catalog's SKUs for their lineage.
    const rows = await tx.trx.selectFrom('skus').select(['sku', 'data']).execute();
    for (const row of rows) {
      const lineage = (JSON.parse(row.data) as { categoryIds?: unknown }).categoryIds;
      if (Array.isArray(lineage) && lineage.some((id) => typeof id === 'string' && categories.has(id)))
        skus.add(row.sku);
    }
  }
  return [...skus].sort();
}

/**
 * Sets buffers for a channel (units 0 removes one) and publishes the channel's new figures for every SKU
 * the change reaches, in the same transaction.
 */
export async function setChannelBuffers(
  hub: HubContext,
  channel: string,
  body: z.output<typeof ChannelBuffersBodySchema>,
  actor: string,
): Promise<ChannelConfigView> {
  await inHubTransaction(hub, async (tx) => {
    await assertKeysExist(tx, body.buffers);
    await ensureChannel(tx, channel, actor);
    for (const buffer of body.buffers) {
      await tx.trx
        .deleteFrom('channel_buffers')
        .where('channel', '=', channel)
        .where('scope', '=', buffer.scope)
        .where('scope_key', '=', buffer.key)
        .execute();
      if (buffer.units > 0) {
        await tx.trx
          .insertInto('channel_buffers')
          .values({
            channel,
            scope: buffer.scope,
            scope_key: buffer.key,
            units: buffer.units,
            updated_by: actor,
            updated_at: tx.at,
          })
          .execute();
      }
    }
    const batch = hub.newId();
    for (const chunk of chunks(await affectedSkus(tx, body.buffers), 500)) {
      for (const item of await channelAvailability(tx.trx, channel, chunk)) {
        tx.events.emit(availabilityDraft(item, batch, tx.at));
      }
    }
  });
  return readChannelConfig(hub.storage.db, channel);
}
