import { z } from 'zod';
import { DomainError, currencyCodeSchema } from '@retail/domain';
import { StoreNodeSchema, type StoreNode } from '../feed/feed-entities';
import { CHAIN_SCOPE } from '../feed/feed-store';
import { publishStoreSettings } from '../settings/hq-settings';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import type { Executor } from '../storage/storage';
import type { NodeTable } from '../storage/schema';

const code = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{0,19}$/, 'Use 1–20 capital letters, digits or dashes (e.g. S001 or WH-EAST).');

export const NodeInputSchema = z.object({
  /** Optional stable id; generated when absent. Events name their store by this id. */
  nodeId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/)
    .optional(),
  code,
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['store', 'warehouse']),
  region: z.string().trim().min(1).max(100),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  pickupEnabled: z.boolean().default(false),
  pickCapacity: z.number().int().min(0).max(100_000).default(0),
  /** Ship-to-home orders may be routed here (ship-from-store or a warehouse). */
  shipEnabled: z.boolean().default(false),
  /** Open ship picks at once, counted apart from pickup picks; 0 = no limit. */
  shipPickCapacity: z.number().int().min(0).max(100_000).default(0),
  jurisdiction: z.string().trim().min(1).max(100),
  currency: currencyCodeSchema('This currency is not supported.'),
  timezone: z.string().min(1).max(64).default('UTC'),
  active: z.boolean().default(true),
});
/** Ship settings may be left out by callers that predate ship-to-home: such a node ships nothing. */
export type NodeInput = Omit<z.infer<typeof NodeInputSchema>, 'shipEnabled' | 'shipPickCapacity'> &
  Partial<Pick<z.infer<typeof NodeInputSchema>, 'shipEnabled' | 'shipPickCapacity'>>;

export const NodeUpdateSchema = NodeInputSchema.omit({ nodeId: true, code: true })
  .partial()
  .extend({ expectedVersion: z.number().int().min(1) });
export type NodeUpdate = z.infer<typeof NodeUpdateSchema>;

export function toStoreNode(row: NodeTable): StoreNode {
  return StoreNodeSchema.parse({
    nodeId: row.node_id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    region: row.region,
    ...(row.latitude === null ? {} : { latitude: row.latitude }),
    ...(row.longitude === null ? {} : { longitude: row.longitude }),
    pickupEnabled: row.pickup_enabled === 1,
    pickCapacity: row.pick_capacity,
    shipEnabled: row.ship_enabled === 1,
    shipPickCapacity: row.ship_pick_capacity ?? 0,
    jurisdiction: row.jurisdiction,
    currency: row.currency,
    timezone: row.timezone,
    active: row.active === 1,
    version: row.version,
  });
}

function publishNode(tx: HubTx, node: StoreNode): void {
  // Every store sees every node: BOPIS lookups and transfers name other nodes.
  tx.publish({ entity: 'store', key: node.nodeId, op: 'upsert', scope: CHAIN_SCOPE, data: node });
}

export async function createNode(hub: HubContext, input: NodeInput): Promise<StoreNode> {
  return inHubTransaction(hub, async (tx) => {
    const nodeId = input.nodeId ?? hub.newId();
    const clash = await tx.trx
      .selectFrom('nodes')
      .select(['node_id', 'code'])
      .where((eb) => eb.or([eb('node_id', '=', nodeId), eb('code', '=', input.code)]))
      .executeTakeFirst();
    if (clash !== undefined) {
      throw new DomainError(
        'CONFLICT',
        clash.code === input.code ? 'hub.nodes.nodeCodeAlreadyExists' : 'hub.nodes.nodeIdAlreadyExists',
        clash.code === input.code ? { inputCode: input.code } : { nodeId },
        { code: input.code, nodeId },
      );
    }
    const row: NodeTable = {
      node_id: nodeId,
      code: input.code,
      name: input.name,
      kind: input.kind,
      region: input.region,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      pickup_enabled: input.pickupEnabled ? 1 : 0,
      pick_capacity: input.pickCapacity,
      ship_enabled: input.shipEnabled === true ? 1 : 0,
      ship_pick_capacity: input.shipPickCapacity ?? 0,
      jurisdiction: input.jurisdiction,
      currency: input.currency,
      timezone: input.timezone,
      active: input.active ? 1 : 0,
      version: 1,
      created_at: tx.at,
      updated_at: tx.at,
    };
    await tx.trx.insertInto('nodes').values(row).execute();
    const node = toStoreNode(row);
    publishNode(tx, node);
    if (row.kind === 'store') {
      await publishStoreSettings(tx, { nodeId, region: row.region }, { deleteUnset: false });
    }
    return node;
  });
}

export async function updateNode(hub: HubContext, nodeId: string, update: NodeUpdate): Promise<StoreNode> {
  return inHubTransaction(hub, async (tx) => {
    const current = await tx.trx
      .selectFrom('nodes')
      .selectAll()
      .where('node_id', '=', nodeId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    if (current === undefined) throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId }, { nodeId });
    if (current.version !== update.expectedVersion) {
      throw new DomainError(
        'CONFLICT',
        'hub.nodes.nodeChangedSomeoneElse',
        { currentCode: current.code, version: current.version },
        { nodeId, version: current.version },
      );
    }
    const row: NodeTable = {
      ...current,
      ...(update.name === undefined ? {} : { name: update.name }),
      ...(update.kind === undefined ? {} : { kind: update.kind }),
      ...(update.region === undefined ? {} : { region: update.region }),
      ...(update.latitude === undefined ? {} : { latitude: update.latitude }),
      ...(update.longitude === undefined ? {} : { longitude: update.longitude }),
      ...(update.pickupEnabled === undefined ? {} : { pickup_enabled: update.pickupEnabled ? 1 : 0 }),
      ...(update.pickCapacity === undefined ? {} : { pick_capacity: update.pickCapacity }),
      ...(update.shipEnabled === undefined ? {} : { ship_enabled: update.shipEnabled ? 1 : 0 }),
      ...(update.shipPickCapacity === undefined ? {} : { ship_pick_capacity: update.shipPickCapacity }),
      ...(update.jurisdiction === undefined ? {} : { jurisdiction: update.jurisdiction }),
      ...(update.currency === undefined ? {} : { currency: update.currency }),
      ...(update.timezone === undefined ? {} : { timezone: update.timezone }),
      ...(update.active === undefined ? {} : { active: update.active ? 1 : 0 }),
      version: current.version + 1,
      updated_at: tx.at,
    };
    const { node_id: _id, created_at: _created, ...changes } = row;
    await tx.trx.updateTable('nodes').set(changes).where('node_id', '=', nodeId).execute();
    const node = toStoreNode(row);
    publishNode(tx, node);
    if (row.kind === 'store' && (row.region !== current.region || current.kind !== 'store')) {
      // Values it had from its old region go, the new region's come.
      await publishStoreSettings(tx, { nodeId, region: row.region }, { deleteUnset: true });
    }
    return node;
  });
}

export async function listNodes(executor: Executor): Promise<StoreNode[]> {
  const rows = await executor.selectFrom('nodes').selectAll().orderBy('code').execute();
  return rows.map(toStoreNode);
}

export async function getNode(executor: Executor, nodeId: string): Promise<StoreNode> {
  const row = await executor.selectFrom('nodes').selectAll().where('node_id', '=', nodeId).executeTakeFirst();
  if (row === undefined) throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId }, { nodeId });
  return toStoreNode(row);
}

export async function findNodeByCode(executor: Executor, nodeCode: string): Promise<StoreNode> {
  const row = await executor.selectFrom('nodes').selectAll().where('code', '=', nodeCode).executeTakeFirst();
  if (row === undefined)
    throw new DomainError('NOT_FOUND', 'hub.nodes.noNodeCode', { nodeCode }, { code: nodeCode });
  return toStoreNode(row);
}
