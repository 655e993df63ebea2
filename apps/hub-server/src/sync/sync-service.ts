import { DomainError } from '@retail/domain';
import type { DevicePrincipal, PullPage, PullRequest, SnapshotPage, SnapshotRequest } from '@retail/sync';
import { feedHead, readFeed, readSnapshot } from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { readFeedEpoch } from '../storage/storage';

/** Seen-at is informational; writing it at most every few seconds keeps pulls read-only most of the time. */
const SEEN_RESOLUTION_MS = 5000;

async function deviceState(
  hub: HubContext,
  principal: DevicePrincipal,
): Promise<{ lastSeq: number; region: string }> {
  const device = await hub.storage.db
    .selectFrom('devices')
    .innerJoin('nodes', 'nodes.node_id', 'devices.node_id')
    .select(['devices.last_seq', 'devices.last_seen_at', 'nodes.region'])
    .where('devices.device_id', '=', principal.deviceId)
    .executeTakeFirst();
  if (device === undefined) throw new DomainError('UNAUTHORIZED', 'This device is not enrolled at the hub.');
  const now = hub.now();
  if (device.last_seen_at === null || now - Number(device.last_seen_at) >= SEEN_RESOLUTION_MS) {
    await hub.storage.db
      .updateTable('devices')
      .set({ last_seen_at: now })
      .where('device_id', '=', principal.deviceId)
      .execute();
  }
  return { lastSeq: Number(device.last_seq), region: device.region };
}

/**
 * One page of the store's feed (DESIGN §4). A cursor from another feed epoch, or one ahead of anything
 * this hub has (it was restored from a backup), answers `mustRefetch`: the store re-snapshots.
 */
export async function pullFeed(
  hub: HubContext,
  principal: DevicePrincipal,
  request: PullRequest,
): Promise<PullPage> {
  const [epoch, { lastSeq, region }] = await Promise.all([
    readFeedEpoch(hub.storage.db),
    deviceState(hub, principal),
  ]);
  const stale = request.epoch !== undefined && request.epoch !== epoch;
  if (stale || request.cursor > (await feedHead(hub.storage.db))) {
    return { epoch, changes: [], cursor: 0, upToDate: false, lastSeq, mustRefetch: true };
  }
  const page = await readFeed(
    hub.storage.db,
    { nodeId: principal.storeId, region },
    request.cursor,
    request.limit,
  );
  return {
    epoch,
    changes: page.changes,
    cursor: page.cursor,
    upToDate: page.upToDate,
    lastSeq,
    mustRefetch: false,
  };
}

/** Paged snapshot of everything a new node needs; then it follows the feed from `upTo`. */
export async function snapshotPage(
  hub: HubContext,
  principal: DevicePrincipal,
  request: SnapshotRequest,
): Promise<SnapshotPage> {
  const epoch = await readFeedEpoch(hub.storage.db);
  const head = await feedHead(hub.storage.db);
  const upTo = request.upTo ?? head;
  if (upTo > head) {
    throw new DomainError(
      'CONFLICT',
      'This snapshot position is ahead of the hub; start the snapshot again.',
      { upTo, head },
    );
  }
  if (request.after > upTo) {
    throw new DomainError('INVALID_INPUT', '`after` must not be past `upTo`.', { path: 'query.after' });
  }
  const { region } = await deviceState(hub, principal);
  const slice = await readSnapshot(
    hub.storage.db,
    { nodeId: principal.storeId, region },
    upTo,
    request.after,
    request.limit,
  );
  return { epoch, upTo, changes: slice.changes, after: slice.after, done: slice.done, total: slice.total };
}
