import { DomainError } from '@retail/domain';
import type { DevicePrincipal, PullPage, PullRequest, SnapshotPage, SnapshotRequest } from '@retail/sync';
import {
  feedChangeJson,
  feedHead,
  issuedFeedHead,
  readFeed,
  readSnapshotRows,
  toFeedChange,
  type SnapshotRows,
} from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { readFeedEpoch } from '../storage/storage';

/** Seen-at is informational; writing it at most every few seconds keeps pulls read-only most of the time. */
const SEEN_RESOLUTION_MS = 5000;

export interface DeviceState {
  readonly lastSeq: number;
  readonly region: string;
}

/**
 * The device's push high-water mark and its store's region, refusing a device revoked since it
 * authenticated (a socket.io connection authenticates once, at its handshake).
 */
export async function deviceState(hub: HubContext, principal: DevicePrincipal): Promise<DeviceState> {
  const device = await hub.storage.db
    .selectFrom('devices')
    .innerJoin('nodes', 'nodes.node_id', 'devices.node_id')
    .select(['devices.last_seq', 'devices.last_seen_at', 'devices.revoked_at', 'nodes.region'])
    .where('devices.device_id', '=', principal.deviceId)
    .executeTakeFirst();
  if (device === undefined || device.revoked_at !== null) {
    throw new DomainError('UNAUTHORIZED', 'hub.auth.deviceNotEnrolled');
  }
  const now = hub.now();
  if (device.last_seen_at === null || now - Number(device.last_seen_at) >= SEEN_RESOLUTION_MS) {
    // A push of this device holds its row for the whole batch, which on a busy hub takes longer than the
    // till waits for an answer; a pull queued behind it kept its pooled connection while it waited, and
    // the till's retries of pulls it had given up on filled the pool (docs/sync.md, soak). That push
    // writes last_seen_at itself when it commits, so a locked row is skipped, never waited for.
    await hub.storage.db
      .updateTable('devices')
      .set({ last_seen_at: now })
      .where('device_id', '=', principal.deviceId)
      .$if(hub.storage.kind === 'postgres', (query) =>
        query.where('device_id', 'in', (eb) =>
          eb
            .selectFrom('devices as unlocked')
            .select('unlocked.device_id')
            .where('unlocked.device_id', '=', principal.deviceId)
            .forUpdate()
            .skipLocked(),
        ),
      )
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
  // Against what was ever handed out, not the settled head: while a writer is open that head can sit
  // below the cursor of a till that just read up to it, and a refetch there would cost the till a full
  // snapshot (and, three in an hour, stop its pulls: the refetch guard).
  if (stale || request.cursor > (await issuedFeedHead(hub.storage.db))) {
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

/**
 * The size of each snapshot in progress, counted once at its first page: a snapshot has hundreds of
 * pages, and counting the store's rows for each of them was most of the hub's cost of serving it. Rows
 * compacted away above `upTo` meanwhile make the figure an upper bound; it only drives a progress bar.
 */
export class SnapshotTotals {
  private readonly totals = new Map<string, number>();

  constructor(private readonly capacity = 1_000) {}

  get(key: string): number | undefined {
    return this.totals.get(key);
  }

  set(key: string, total: number): void {
    this.totals.delete(key);
    this.totals.set(key, total);
    if (this.totals.size > this.capacity) this.totals.delete(this.totals.keys().next().value as string);
  }
}

/** Paged snapshot of everything a new node needs; then it follows the feed from `upTo`. */
export async function snapshotPage(
  hub: HubContext,
  principal: DevicePrincipal,
  request: SnapshotRequest,
  totals?: SnapshotTotals,
): Promise<SnapshotPage> {
  const { epoch, upTo, slice } = await snapshotRows(hub, principal, request, totals);
  return {
    epoch,
    upTo,
    changes: slice.rows.map(toFeedChange),
    after: slice.after,
    done: slice.done,
    total: slice.total,
  };
}

/**
 * snapshotPage as the JSON text of the page (what the socket.io transport asks for with `encoding:
 * 'json-bytes'`), written around each row's stored data text: no row is parsed or serialized again.
 * JSON.parse of it equals snapshotPage's answer.
 */
export async function snapshotPageJson(
  hub: HubContext,
  principal: DevicePrincipal,
  request: SnapshotRequest,
  totals?: SnapshotTotals,
): Promise<string> {
  const { epoch, upTo, slice } = await snapshotRows(hub, principal, request, totals);
  return (
    `{"epoch":${JSON.stringify(epoch)},"upTo":${upTo},"changes":[${slice.rows.map(feedChangeJson).join(',')}],` +
    `"after":${slice.after},"done":${slice.done},"total":${slice.total}}`
  );
}

async function snapshotRows(
  hub: HubContext,
  principal: DevicePrincipal,
  request: SnapshotRequest,
  totals: SnapshotTotals | undefined,
): Promise<{ epoch: string; upTo: number; slice: SnapshotRows }> {
  const epoch = await readFeedEpoch(hub.storage.db);
  // A resumed snapshot can name an upTo above the head: the hub was restored from a backup since the
  // snapshot's first page. It is served, not refused: a resume request carries no epoch, so only the page
  // can tell the till about the restore's new epoch, and the till then starts over (docs/sync.md §5). A
  // refusal left the till retrying the same request for ever (found by the store's model sync test).
  const upTo = request.upTo ?? (await feedHead(hub.storage.db));
  if (request.after > upTo) {
    throw new DomainError('INVALID_INPUT', 'hub.sync.afterMustNotPast', {}, { path: 'query.after' });
  }
  const { region } = await deviceState(hub, principal);
  const totalKey = `${epoch}|${principal.storeId}|${region}|${upTo}`;
  const slice = await readSnapshotRows(
    hub.storage.db,
    { nodeId: principal.storeId, region },
    upTo,
    request.after,
    request.limit,
    totals?.get(totalKey),
  );
  totals?.set(totalKey, slice.total);
  return { epoch, upTo, slice };
}
