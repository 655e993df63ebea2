import { z } from 'zod';
import {
  DeliveryLaneSchema,
  DomainError,
  formatCutoff,
  type CurrencyCode,
  type DeliveryTerms,
} from '@retail/domain';
import { inHubTransaction } from '../hub-tx';
import type { HubContext } from '../hub-context';
import type { Executor } from '../storage/storage';

/** HQ's cost and SLA routing settings: node zones and cut-offs, lanes between zones (docs/orders.md). */

const zoneId = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/,
    'A zone is 1–40 letters, digits, . _ or - (e.g. "north" or "FR-75").',
  );

export const NodeDeliveryBodySchema = z.object({
  zone: zoneId,
  /** Local time of day ("HH:MM", node timezone) after which orders ship the next day; "24:00" = never. */
  cutoff: z
    .string()
    .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'The cut-off is a local time "HH:MM", e.g. "15:00".'),
});

export const LaneInputSchema = DeliveryLaneSchema.extend({ fromZone: zoneId, toZone: zoneId });

export const DeliveryLanesBodySchema = z.object({
  lanes: z
    .array(LaneInputSchema)
    .min(1, 'List at least one lane.')
    .max(1000, 'Set at most 1,000 lanes per call.')
    .refine(
      (lanes) => new Set(lanes.map((lane) => `${lane.fromZone}>${lane.toZone}`)).size === lanes.length,
      {
        message: 'Each lane (fromZone → toZone) is listed once.',
      },
    ),
});

export const DeliveryConfigSchema = z.object({
  nodes: z.array(z.object({ nodeId: z.string(), zone: z.string(), cutoff: z.string() })),
  lanes: z.array(LaneInputSchema),
});
export type DeliveryConfig = z.infer<typeof DeliveryConfigSchema>;

export async function readDeliveryConfig(executor: Executor): Promise<DeliveryConfig> {
  const nodes = await executor.selectFrom('node_delivery_terms').selectAll().orderBy('node_id').execute();
  const lanes = await executor
    .selectFrom('delivery_lanes')
    .selectAll()
    .orderBy('from_zone')
    .orderBy('to_zone')
    .execute();
  return {
    nodes: nodes.map((row) => ({
      nodeId: row.node_id,
      zone: row.zone,
      cutoff: formatCutoff(Number(row.cutoff_minute)),
    })),
    lanes: lanes.map((row) => ({
      fromZone: row.from_zone,
      toZone: row.to_zone,
      transitDays: Number(row.transit_days),
      cost: { amount: Number(row.cost), currency: row.currency as CurrencyCode },
    })),
  };
}

export async function setNodeDelivery(
  hub: HubContext,
  nodeId: string,
  body: z.output<typeof NodeDeliveryBodySchema>,
  actor: string,
): Promise<DeliveryConfig> {
  const [hours, minutes] = body.cutoff.split(':').map(Number) as [number, number];
  const cutoffMinute = hours * 60 + minutes;
  await inHubTransaction(hub, async (tx) => {
    const node = await tx.trx
      .selectFrom('nodes')
      .select('node_id')
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    if (node === undefined) throw new DomainError('NOT_FOUND', 'hub.auth.noNode', { nodeId }, { nodeId });
    await tx.trx
      .insertInto('node_delivery_terms')
      .values({
        node_id: nodeId,
        zone: body.zone,
        cutoff_minute: cutoffMinute,
        updated_by: actor,
        updated_at: tx.at,
      })
      .onConflict((conflict) =>
        conflict.column('node_id').doUpdateSet({
          zone: body.zone,
          cutoff_minute: cutoffMinute,
          updated_by: actor,
          updated_at: tx.at,
        }),
      )
      .execute();
  });
  return readDeliveryConfig(hub.storage.db);
}

export async function setDeliveryLanes(
  hub: HubContext,
  body: z.output<typeof DeliveryLanesBodySchema>,
  actor: string,
): Promise<DeliveryConfig> {
  await inHubTransaction(hub, async (tx) => {
    for (const lane of body.lanes) {
      const values = {
        transit_days: lane.transitDays,
        cost: lane.cost.amount,
        currency: lane.cost.currency,
        updated_by: actor,
        updated_at: tx.at,
      };
      await tx.trx
        .insertInto('delivery_lanes')
        .values({ from_zone: lane.fromZone, to_zone: lane.toZone, ...values })
        .onConflict((conflict) => conflict.columns(['from_zone', 'to_zone']).doUpdateSet(values))
        .execute();
    }
  });
  return readDeliveryConfig(hub.storage.db);
}

/**
 * Each node's delivery terms toward `destinationZone` (or without a lane when there is none), for the
 * routing candidates, from the zones and cut-offs HQ set (read with the candidates). Nodes HQ has not
 * placed in a zone are not listed and get none.
 */
export async function deliveryTermsOf(
  executor: Executor,
  nodes: readonly { nodeId: string; timezone: string; zone: string; cutoffMinute: number }[],
  destinationZone: string | undefined,
): Promise<Map<string, DeliveryTerms>> {
  const terms = new Map<string, DeliveryTerms>();
  if (nodes.length === 0) return terms;
  const lanes =
    destinationZone === undefined
      ? []
      : await executor
          .selectFrom('delivery_lanes')
          .selectAll()
          .where('to_zone', '=', destinationZone)
          .execute();
  const laneFrom = new Map(lanes.map((lane) => [lane.from_zone, lane]));
  for (const node of nodes) {
    const lane = laneFrom.get(node.zone);
    terms.set(node.nodeId, {
      zone: node.zone,
      timezone: node.timezone,
      cutoffMinute: Number(node.cutoffMinute),
      ...(lane === undefined
        ? {}
        : {
            lane: {
              transitDays: Number(lane.transit_days),
              cost: { amount: Number(lane.cost), currency: lane.currency as CurrencyCode },
            },
          }),
    });
  }
  return terms;
}
