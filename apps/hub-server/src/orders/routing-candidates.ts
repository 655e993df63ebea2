import { sql } from 'kysely';
import type { FulfilmentType, RoutingCandidate } from '@retail/domain';
import type { HubTx } from '../hub-tx';
import { chunks } from '../storage/chunks';
import { compiledQuery } from '../storage/compiled-query';
import type { NodeTable } from '../storage/schema';
import { deliveryTermsOf } from './delivery-config';

/** Statuses in which an order is an open pick task at its node (what pick capacity limits). */
export const OPEN_PICK_STATUSES = ['ROUTED', 'ACCEPTED', 'PICKING'] as const;

export interface CandidateOptions {
  /**
   * A node whose tills have all been silent this long is offline for routing: its stock may have been
   * sold offline, and it would not see the order until it reconnects. Store agents pull at least once a
   * minute while connected, so a few minutes of silence means the store is really out of touch.
   */
  readonly offlineAfterMs: number;
  /**
   * Nodes listed even without stock of these SKUs: the customer's chosen store (routing explains it, and
   * measures distance from it).
   */
  readonly alsoNodeIds?: readonly string[];
  /** The order's destination shipping zone: candidates get the lane's cost and transit days toward it. */
  readonly destinationZone?: string;
  /**
   * Without destinationZone: the zone of this node is the destination (the customer's chosen pickup
   * store, which alsoNodeIds lists, so its zone comes with the candidates' read).
   */
  readonly destinationNodeId?: string;
  /**
   * Ship orders go to nodes with ship-from-store on, within their ship pick capacity; pickup orders to
   * pickup-enabled ones within their pickup capacity. The two capacities are counted apart.
   */
  readonly fulfilment?: FulfilmentType;
}

/**
 * The network as routing sees it for these SKUs, read inside the transaction. Balances this transaction
 * has locked are taken from the transaction (they may hold changes not written yet, e.g. a reservation
 * just marked short); the rest are read as committed. Only nodes that hold a balance row for one of the
 * SKUs are listed (plus the chosen store): the others stock none of it and would only say so.
 *
 * Hub pick capacity 0 means "no limit" (the CLI's default), unlike the domain's 0 = takes none.
 */
export async function loadCandidates(
  tx: HubTx,
  skus: readonly string[],
  options: CandidateOptions,
  /** The rows of this read, when another statement of this transaction brought them (see candidatesPart). */
  read?: CandidatesRead,
): Promise<RoutingCandidate[]> {
  const asked = candidatesAsked(skus, options);
  const { skus: wanted, also, fulfilment } = asked;
  const nodes = new Map<string, CandidateRow>();
  const stockByNode = new Map<string, Map<string, RoutingCandidate['stock'][number]>>();
  const preread = read !== undefined && sameAsked(read.asked, asked) ? read.rows : undefined;
  // One statement per 500 SKUs (one for any order: it has at most 200 lines) for everything routing
  // weighs: each node holding a balance of one of the SKUs (or named in alsoNodeIds) with those balances,
  // its open picks of this fulfilment type, when its tills were last heard and its delivery terms.
  for (const chunk of preread !== undefined ? [wanted] : wanted.length === 0 ? [[]] : chunks(wanted, 500)) {
    if (chunk.length === 0 && also.length === 0) continue;
    const rows =
      preread ??
      (await candidateRows(
        tx.trx,
        candidatesShape(chunk, also, fulfilment),
        candidatesParameters(chunk, also, fulfilment, tx.hub.storage.kind === 'postgres'),
        () => candidatesQuery(tx, chunk, also, fulfilment),
      ));
    for (const row of rows) {
      if (!nodes.has(row.node_id)) nodes.set(row.node_id, row);
      if (row.sku === null) continue;
      const locked = tx.ledger.lockedBalance(row.node_id, row.sku);
      const figures = locked ?? {
        sellable: Number(row.stock_sellable),
        committed: Number(row.stock_committed),
        safety_stock: Number(row.stock_safety),
      };
      const byNode = stockByNode.get(row.node_id) ?? new Map();
      byNode.set(row.sku, {
        sku: row.sku,
        sellable: figures.sellable,
        // A reservation can never make committed negative; clamp defensively so routing never throws.
        committed: Math.max(0, figures.committed),
        safetyStock: Math.max(0, figures.safety_stock),
      });
      stockByNode.set(row.node_id, byNode);
    }
  }
  if (nodes.size === 0) return [];

  const destinationZone =
    options.destinationZone ??
    (options.destinationNodeId === undefined
      ? undefined
      : (nodes.get(options.destinationNodeId)?.zone ?? undefined));
  const delivery = await deliveryTermsOf(
    tx.trx,
    [...nodes.values()].flatMap((node) =>
      node.zone === null || node.cutoff_minute === null
        ? []
        : [
            {
              nodeId: node.node_id,
              timezone: node.timezone,
              zone: node.zone,
              cutoffMinute: node.cutoff_minute,
            },
          ],
    ),
    destinationZone,
  );
  const candidates: RoutingCandidate[] = [];
  for (const node of nodes.values()) {
    const heard = node.last_heard === null ? undefined : Number(node.last_heard);
    const offline = heard !== undefined && tx.at - heard >= options.offlineAfterMs;
    const capacity = fulfilment === 'ship' ? (node.ship_pick_capacity ?? 0) : node.pick_capacity;
    candidates.push({
      nodeId: node.node_id,
      active: node.active === 1,
      // The domain's "pickup enabled" is "takes orders of this fulfilment type" here.
      pickupEnabled: fulfilment === 'ship' ? node.ship_enabled === 1 : node.pickup_enabled === 1,
      ...(offline ? { offlineSince: heard } : {}),
      ...(node.latitude !== null && node.longitude !== null
        ? { location: { lat: Number(node.latitude), lon: Number(node.longitude) } }
        : {}),
      ...(delivery.has(node.node_id) ? { delivery: delivery.get(node.node_id) } : {}),
      ...(capacity > 0 ? { pickCapacity: capacity } : {}),
      openPicks: Number(node.open_picks ?? 0),
      stock: [...(stockByNode.get(node.node_id)?.values() ?? [])],
    });
  }
  return candidates;
}

/** What a candidates read asks for: the SKUs (each once, in order), the nodes listed anyway, the fulfilment. */
export interface CandidatesAsked {
  readonly skus: readonly string[];
  readonly also: readonly string[];
  readonly fulfilment: FulfilmentType;
}

/** The rows of a candidates read another statement brought (see candidatesPart), and what it asked. */
export interface CandidatesRead {
  readonly asked: CandidatesAsked;
  readonly rows: readonly CandidateReadRow[];
}

export type CandidateReadRow = CandidateRow & CandidateStock;

export function candidatesAsked(
  skus: readonly string[],
  options: Pick<CandidateOptions, 'alsoNodeIds' | 'fulfilment'>,
): CandidatesAsked {
  return {
    skus: [...new Set(skus)],
    also: [...new Set(options.alsoNodeIds ?? [])],
    fulfilment: options.fulfilment ?? 'pickup',
  };
}

function sameAsked(a: CandidatesAsked, b: CandidatesAsked): boolean {
  const same = (x: readonly string[], y: readonly string[]) =>
    x.length === y.length && x.every((value, index) => value === y[index]);
  return a.fulfilment === b.fulfilment && same(a.skus, b.skus) && same(a.also, b.also);
}

function candidatesShape(
  skus: readonly string[],
  also: readonly string[],
  fulfilment: FulfilmentType,
): string {
  return `${skus.length}:${also.length}:${fulfilment}`;
}

function candidatesParameters(
  skus: readonly string[],
  also: readonly string[],
  fulfilment: FulfilmentType,
  postgres: boolean,
): unknown[] {
  return postgres
    ? [...skus, ...skus, ...also]
    : [0, ...OPEN_PICK_STATUSES, fulfilment, ...skus, ...skus, ...also];
}

/**
 * The candidates read as one SELECT of another statement (PostgreSQL; at most 500 SKUs): one row per
 * candidate row, `kind` 'candidate', the row as JSON text in `scope` (candidateRowsOf reads it back), so
 * the intake asks for its candidates in its first statement instead of a statement of their own. Routing
 * reads the candidates without locks either way and checks the chosen node's ATP again under its lock.
 */
export function candidatesPart(tx: HubTx, asked: CandidatesAsked) {
  return {
    shape: `candidates:${candidatesShape(asked.skus, asked.also, asked.fulfilment)}`,
    parameters: candidatesParameters(
      asked.skus,
      asked.also,
      asked.fulfilment,
      tx.hub.storage.kind === 'postgres',
    ),
    query: () =>
      tx.trx
        .selectFrom(candidatesQuery(tx, asked.skus, asked.also, asked.fulfilment).as('c'))
        .select([
          sql<string>`'candidate'`.as('kind'),
          sql<string>`c.node_id`.as('key'),
          sql<number>`0`.as('value'),
          sql<string>`row_to_json(c)::text`.as('scope'),
        ]),
  };
}

/** The rows candidatesPart brought, as loadCandidates reads them (JSON numbers are numbers already). */
export function candidateRowsOf(jsonRows: readonly string[]): CandidateReadRow[] {
  return jsonRows.map((text) => JSON.parse(text) as CandidateReadRow);
}

interface CandidateStock {
  readonly sku: string | null;
  readonly stock_sellable: number | string | null;
  readonly stock_committed: number | string | null;
  readonly stock_safety: number | string | null;
}

interface CandidateRow extends NodeTable {
  readonly zone: string | null;
  readonly cutoff_minute: number | null;
  readonly open_picks: number | string | null;
  readonly last_heard: number | string | null;
}

/** The statement of loadCandidates (built only while its text is not known yet: see compiledQuery). */
function candidatesQuery(
  tx: HubTx,
  chunk: readonly string[],
  also: readonly string[],
  fulfilment: FulfilmentType,
) {
  // On PostgreSQL the open-picks count's constants are written into the text (which is per fulfilment
  // type anyway): as parameters, the generic plan's estimate of that per-node count differed from a
  // custom plan's, so PostgreSQL planned the intake's first statement of every ship order afresh.
  const postgres = tx.hub.storage.kind === 'postgres';
  const constant = <T extends string | number>(value: T) => (postgres ? sql.lit(value) : value);
  return tx.trx
    .selectFrom('nodes')
    .$if(chunk.length > 0, (query) =>
      query.leftJoin('stock_balances', (join) =>
        join.onRef('stock_balances.node_id', '=', 'nodes.node_id').on('stock_balances.sku', 'in', chunk),
      ),
    )
    .leftJoin('node_delivery_terms', 'node_delivery_terms.node_id', 'nodes.node_id')
    .selectAll('nodes')
    .select((eb) => [
      chunk.length > 0 ? sql<string | null>`stock_balances.sku`.as('sku') : sql<null>`null`.as('sku'),
      chunk.length > 0
        ? sql<number | null>`stock_balances.sellable`.as('stock_sellable')
        : sql<null>`null`.as('stock_sellable'),
      chunk.length > 0
        ? sql<number | null>`stock_balances.committed`.as('stock_committed')
        : sql<null>`null`.as('stock_committed'),
      chunk.length > 0
        ? sql<number | null>`stock_balances.safety_stock`.as('stock_safety')
        : sql<null>`null`.as('stock_safety'),
      'node_delivery_terms.zone as zone',
      'node_delivery_terms.cutoff_minute as cutoff_minute',
      // Counted only where a capacity limits them (0 is no limit): routing weighs nothing else by them.
      eb
        .case()
        .when(fulfilment === 'ship' ? 'nodes.ship_pick_capacity' : 'nodes.pick_capacity', '>', constant(0))
        .then(
          eb
            .selectFrom('bopis_orders')
            .select((count) => count.fn.countAll<number>().as('open'))
            .whereRef('bopis_orders.node_id', '=', 'nodes.node_id')
            .where('bopis_orders.status', 'in', OPEN_PICK_STATUSES.map(constant))
            .where('bopis_orders.fulfilment', '=', constant(fulfilment)),
        )
        .end()
        .as('open_picks'),
      eb
        .selectFrom('devices')
        .select((heard) =>
          heard.fn.max(heard.fn.coalesce('devices.last_seen_at', 'devices.enrolled_at')).as('heard'),
        )
        .whereRef('devices.node_id', '=', 'nodes.node_id')
        .where('devices.revoked_at', 'is', null)
        .as('last_heard'),
    ])
    .where((eb) =>
      eb.or([
        ...(chunk.length > 0
          ? [
              eb(
                'nodes.node_id',
                'in',
                eb.selectFrom('stock_balances as held').select('held.node_id').where('held.sku', 'in', chunk),
              ),
            ]
          : []),
        ...(also.length > 0 ? [eb('nodes.node_id', 'in', also)] : []),
      ]),
    );
}

const candidateRows = compiledQuery<CandidateRow & CandidateStock>();
