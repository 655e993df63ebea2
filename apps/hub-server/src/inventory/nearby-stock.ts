import { DomainError, haversineMetres, nodeAtp } from '@retail/domain';
import { NEARBY_STOCK_LIMIT, type NearbyStock } from '@retail/sync';
import type { Executor } from '../storage/storage';

interface Place {
  readonly region: string;
  readonly latitude: number | null;
  readonly longitude: number | null;
}

export interface NearbyCandidate extends Place {
  readonly storeId: string;
  readonly code: string;
  readonly name: string;
  readonly onHand: number;
  readonly available: number;
}

function distance(from: Place, to: Place): number | null {
  if (from.latitude === null || from.longitude === null || to.latitude === null || to.longitude === null)
    return null;
  return haversineMetres(
    { lat: from.latitude, lon: from.longitude },
    { lat: to.latitude, lon: to.longitude },
  );
}

/**
 * Nearest first: by distance where both locations are known, then the stores without one (own region
 * first), then by code so the order is the same on every call. Pure, so the ranking is tested apart.
 */
export function rankNearby(
  from: Place,
  candidates: readonly NearbyCandidate[],
  limit = NEARBY_STOCK_LIMIT,
): NearbyStock['stores'] {
  const ranked = candidates.map((candidate) => ({
    candidate,
    distanceMetres: distance(from, candidate),
    sameRegion: candidate.region === from.region,
  }));
  ranked.sort((a, b) => {
    if (a.distanceMetres !== null && b.distanceMetres !== null && a.distanceMetres !== b.distanceMetres)
      return a.distanceMetres - b.distanceMetres;
    if ((a.distanceMetres === null) !== (b.distanceMetres === null))
      return a.distanceMetres === null ? 1 : -1;
    if (a.sameRegion !== b.sameRegion) return a.sameRegion ? -1 : 1;
    return a.candidate.code < b.candidate.code ? -1 : a.candidate.code > b.candidate.code ? 1 : 0;
  });
  return ranked.slice(0, limit).map(({ candidate, distanceMetres }) => ({
    storeId: candidate.storeId,
    code: candidate.code,
    name: candidate.name,
    region: candidate.region,
    distanceMetres,
    onHand: candidate.onHand,
    available: candidate.available,
  }));
}

/**
 * A SKU's stock at the chain's other active stores, nearest to `storeId` first (a till's price check).
 * Stores that never held the SKU are listed with nothing, so the cashier can tell "none there" from "not
 * listed".
 */
export async function readNearbyStock(
  executor: Executor,
  storeId: string,
  sku: string,
): Promise<NearbyStock> {
  const known = await executor.selectFrom('skus').select('sku').where('sku', '=', sku).executeTakeFirst();
  if (known === undefined)
    throw new DomainError('NOT_FOUND', 'hub.inventory.skuNotHubCatalog', { sku }, { sku });
  const here = await executor
    .selectFrom('nodes')
    .select(['region', 'latitude', 'longitude'])
    .where('node_id', '=', storeId)
    .executeTakeFirst();
  if (here === undefined)
    throw new DomainError('NOT_FOUND', 'hub.inventory.hubNoStore', { storeId }, { storeId });
  const rows = await executor
    .selectFrom('nodes')
    .leftJoin('stock_balances', (join) =>
      join.onRef('stock_balances.node_id', '=', 'nodes.node_id').on('stock_balances.sku', '=', sku),
    )
    .select([
      'nodes.node_id',
      'nodes.code',
      'nodes.name',
      'nodes.region',
      'nodes.latitude',
      'nodes.longitude',
      'stock_balances.sellable',
      'stock_balances.staged',
      'stock_balances.damaged',
      'stock_balances.quality_control',
      'stock_balances.committed',
      'stock_balances.safety_stock',
    ])
    .where('nodes.kind', '=', 'store')
    .where('nodes.active', '=', 1)
    .where('nodes.node_id', '<>', storeId)
    .execute();
  const candidates = rows.map((row) => {
    const sellable = Number(row.sellable ?? 0);
    return {
      storeId: row.node_id,
      code: row.code,
      name: row.name,
      region: row.region,
      latitude: row.latitude === null ? null : Number(row.latitude),
      longitude: row.longitude === null ? null : Number(row.longitude),
      onHand:
        sellable + Number(row.staged ?? 0) + Number(row.damaged ?? 0) + Number(row.quality_control ?? 0),
      available: nodeAtp({
        sellable,
        committed: Number(row.committed ?? 0),
        safetyStock: Number(row.safety_stock ?? 0),
      }),
    };
  });
  const hereLocated = here.latitude !== null && here.longitude !== null;
  return {
    sku,
    orderedBy:
      hereLocated &&
      candidates.some((candidate) => candidate.latitude !== null && candidate.longitude !== null)
        ? 'distance'
        : 'region',
    stores: rankNearby(
      {
        region: here.region,
        latitude: here.latitude === null ? null : Number(here.latitude),
        longitude: here.longitude === null ? null : Number(here.longitude),
      },
      candidates,
    ),
  };
}
