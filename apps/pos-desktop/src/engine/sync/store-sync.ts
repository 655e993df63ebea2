import { DomainError } from '@retail/domain';
import {
  createBackoff,
  createHttpTransport,
  createSocketIoTransport,
  createSyncAgent,
  systemScheduler,
  SALE_LOOKUP_PATH,
  SaleLookupSchema,
  type BackoffOptions,
  type RandomSource,
  MAX_RESTORE_EVENTS_BY_CODE,
  type DeviceRestoredError,
  type EnrollResponse,
  type SaleLookup,
  type SyncAgent,
  type SyncAgentOptions,
  type SyncAgentStatus,
  type SyncLogger,
  type SyncScheduler,
  type SyncTransport,
  type TimerHandle,
} from '@retail/sync';
import { sql } from '../context';
import type { Db } from '../database';
import type { NodeIdentity } from '../identity';
import type { Migration } from '../migrations';
import { startHubProbe, type HubProbe } from './hub-probe';
import { adoptSuccessor, holdNumbering, restoreReport } from './device-succession';
import { enrollWithHub, reEnrollWithHub } from './enrollment';
import { SqliteFeedStore } from './sqlite-feed-store';
import { hasSyncSchema } from './sync-schema';
import type { SqliteOutboxStore } from '../outbox/outbox';

/** Where and as whom this till syncs: the hub URL and the device credential from enrollment. */
export interface HubConnection {
  readonly hubUrl: string;
  readonly credential: string;
}

/** Agent knobs a deployment or a test may change; the rest are docs/sync.md's defaults. */
export type SyncTuning = Pick<
  SyncAgentOptions,
  | 'backoff'
  | 'batchSize'
  | 'pushWindow'
  | 'pullLimit'
  | 'snapshotLimit'
  | 'livePullIntervalMs'
  | 'outboxRetentionMs'
  | 'pruneIntervalMs'
  | 'errorRetryMs'
  | 'refetchGuard'
>;

export interface StoreSyncOptions {
  /** Builds the transport for a connection; the default is socket.io (`transport: 'http'` for HTTP). */
  readonly transport?: 'socket.io' | 'http' | ((connection: HubConnection) => SyncTransport);
  readonly scheduler?: SyncScheduler;
  readonly random?: RandomSource;
  readonly tuning?: SyncTuning;
  /** For receipt lookups and /healthz probes at the hub; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Mean wait between two /healthz probes while the agent waits to retry (default 5 s). */
  readonly hubProbeIntervalMs?: number;
  /** Sent to the hub so it can refuse a till too old for its feed. */
  readonly clientVersion?: string;
}

export interface StoreSyncHost {
  readonly db: Db;
  /** The node's outbox; the engine tells it of each commit that appended events, and the agent listens. */
  readonly outbox: SqliteOutboxStore;
  /** Who this till is now (it changes once if the till was restored from a backup and became a new device). */
  readonly identity: () => NodeIdentity;
  /** The till became a new device of its store (restored from a backup): use this identity from now on. */
  readonly onIdentityChanged?: (identity: NodeIdentity) => void;
  readonly now: () => number;
  /** The store schema the engine runs, for the staging database snapshots are built in. */
  readonly migrations?: readonly Migration[];
  readonly logger?: SyncLogger;
  /** A feed page changed the stock of these SKUs at this node (empty after a snapshot). */
  readonly onFeedApplied: (stockSkus: readonly string[], kind: 'page' | 'snapshot') => void;
}

/**
 * The store node's link to the hub: the packages/sync agent over this node's SQLite outbox and replica.
 * Nothing runs until a hub URL and a device credential are configured (enrollment); commands keep
 * working offline regardless, and the agent sends what they wrote when the hub is back. Commands never
 * call this: the agent's pusher hears of their events from the outbox itself (`SqliteOutboxStore`).
 */
export interface StoreSync {
  /** Whether a hub URL and a credential are configured. */
  configured(): boolean;
  /** Starts the agent if configured and not running. */
  start(): void;
  /** Stops the agent: timers cancelled, connection closed, calls in flight settled. */
  stop(): Promise<void>;
  /** Releases what the link holds open besides the database (a snapshot's staging database). */
  dispose(): void;
  /** Records the hub to sync with and (re)starts the agent with it. The credential is never logged. */
  configure(connection: HubConnection): Promise<void>;
  /** Staff pressed "sync now". */
  syncNow(): void;
  /** The agent's status, or null when no agent runs. */
  status(): SyncAgentStatus | null;
  /** Connected to the hub right now (card refunds need it). */
  online(): boolean;
  onStatus(listener: (status: SyncAgentStatus | null) => void): () => void;
  /** A sale of any store by receipt number, from the hub; null when the hub has none. Needs `online()`. */
  lookupSale(receiptNumber: string): Promise<SaleLookup | null>;
  /**
   * Enrolls this till again with a one-time code from HQ as a NEW device of its store, carrying the
   * events the hub lacks (a restored till whose device was revoked, or whose own re-enrollment cannot
   * run). The hub revokes the old device; the agent restarts as the new one.
   */
  replaceWithCode(hubUrl: string, code: string, deviceName?: string): Promise<NodeIdentity>;
}

export function readHubConnection(db: Db): HubConnection | null {
  if (!hasSyncSchema(db)) return null;
  const row = sql(db, 'SELECT hub_url AS hubUrl, device_credential AS credential FROM sync_state').get() as {
    hubUrl: string | null;
    credential: string | null;
  };
  return row.hubUrl !== null && row.credential !== null
    ? { hubUrl: row.hubUrl, credential: row.credential }
    : null;
}

export function writeHubConnection(db: Db, connection: HubConnection): void {
  sql(db, 'UPDATE sync_state SET hub_url = ?, device_credential = ?').run(
    connection.hubUrl,
    connection.credential,
  );
}

const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * A till's retries never wait more than 30 s: after a long outage the package default (minutes) left a
 * store's sales unsent for up to 5 minutes after the hub was back. The hub's admission control, not a long
 * sleep at each till, is what protects it from a reconnect storm; the jitter still spreads the fleet.
 */
export const STORE_SYNC_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };

/**
 * Over socket.io a till keeps up to 4 push batches in flight: during a catch-up it reads and sends the next batch of its
 * outbox while the hub applies the one before, instead of leaving the hub idle for a round trip and a local
 * read after each batch (docs/performance.md, Catch-up). Acks are still recorded in deviceSeq order.
 */
export const STORE_SYNC_PUSH_WINDOW = 4;

/** How often, on average, a waiting till asks the hub's /healthz whether it is back. */
export const HUB_PROBE_INTERVAL_MS = 5_000;

export function createStoreSync(host: StoreSyncHost, options: StoreSyncOptions = {}): StoreSync {
  const { db, outbox } = host;
  const feed = new SqliteFeedStore({
    db,
    identity: host.identity,
    now: host.now,
    onApplied: host.onFeedApplied,
    ...(host.migrations === undefined ? {} : { migrations: host.migrations }),
  });
  const listeners = new Set<(status: SyncAgentStatus | null) => void>();
  let agent: SyncAgent | null = null;
  let connection: HubConnection | null = readHubConnection(db);
  let unsubscribe: (() => void) | null = null;
  let probe: HubProbe | null = null;
  // One early retry per outage: if the hub answers /healthz but sync still fails, the agent's own
  // (capped) backoff takes over instead of a retry at every probe.
  let probedThisOutage = false;

  /** While the agent is offline and waiting to retry, a /healthz answer makes it retry at once. */
  function watchForHub(status: SyncAgentStatus): void {
    if (status.state === 'live' || status.state === 'catching_up') probedThisOutage = false;
    const waiting = status.state === 'offline' && status.nextRetryAt !== null;
    if (!waiting || probedThisOutage || connection === null || options.fetch === null) {
      if (!waiting) stopProbe();
      return;
    }
    if (probe !== null) return;
    probe = startHubProbe({
      url: `${connection.hubUrl.replace(/\/+$/, '')}/healthz`,
      fetch: options.fetch ?? fetch,
      scheduler: options.scheduler ?? systemScheduler,
      random: options.random ?? Math.random,
      intervalMs: options.hubProbeIntervalMs ?? HUB_PROBE_INTERVAL_MS,
      timeoutMs: LOOKUP_TIMEOUT_MS,
      onAlive: () => {
        probe = null;
        probedThisOutage = true;
        host.logger?.info(
          { deviceId: host.identity().deviceId },
          'sync: hub answers /healthz again; retrying now',
        );
        agent?.syncNow();
      },
    });
  }

  function stopProbe(): void {
    probe?.stop();
    probe = null;
  }

  function transportFor(target: HubConnection): SyncTransport {
    const choice = options.transport ?? 'socket.io';
    if (typeof choice === 'function') return choice(target);
    const clientVersion = options.clientVersion === undefined ? {} : { clientVersion: options.clientVersion };
    return choice === 'http'
      ? createHttpTransport({ baseUrl: target.hubUrl, credential: target.credential, ...clientVersion })
      : createSocketIoTransport({ url: target.hubUrl, credential: target.credential, ...clientVersion });
  }

  function emit(status: SyncAgentStatus | null): void {
    for (const listener of [...listeners]) {
      try {
        listener(status);
      } catch (error) {
        host.logger?.warn({ err: String(error) }, 'sync: a status listener failed');
      }
    }
  }

  let recovering: Promise<void> | null = null;
  // The till completes no sale while it waits to become a new device, so a failed re-enrollment (the hub
  // busy or restarting, the link dropped) is asked again from a second on, not only at the agent's
  // error retry.
  const recoveryBackoff = createBackoff(options.random ?? Math.random, STORE_SYNC_BACKOFF);
  let recoveryRetry: TimerHandle | null = null;

  function cancelRecoveryRetry(): void {
    recoveryRetry?.cancel();
    recoveryRetry = null;
  }

  /** The agent found this till's data is a restored copy the hub is ahead of: become a new device. */
  function onDeviceRestored(found: DeviceRestoredError): void {
    if (recovering !== null || connection === null) return;
    cancelRecoveryRetry();
    const target = connection;
    recovering = recoverAsSuccessor(target, found)
      .then(() => recoveryBackoff.succeeded())
      .catch((error: unknown) => {
        // Receipts stay on hold; the agent's next push finds the restore again and calls back here.
        const delayMs = recoveryBackoff.next();
        host.logger?.error(
          { err: error instanceof Error ? error.message : String(error), retryInMs: delayMs },
          'sync: re-enrolling this restored till failed; it will try again',
        );
        recoveryRetry = (options.scheduler ?? systemScheduler).setTimer(() => {
          recoveryRetry = null;
          agent?.syncNow();
        }, delayMs);
      })
      .finally(() => {
        recovering = null;
      });
  }

  async function recoverAsSuccessor(target: HubConnection, found: DeviceRestoredError): Promise<void> {
    // No receipt number from the old counters from here on, whatever happens next.
    db.transaction(() => {
      const { acked } = sql(db, 'SELECT last_acked_seq AS acked FROM sync_state').get() as { acked: number };
      holdNumbering(db, acked);
    }).immediate();
    const restored = restoreReport(db);
    const enrolled = await reEnrollWithHub({
      hubUrl: target.hubUrl,
      credential: target.credential,
      restored,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    await adopt(target.hubUrl, enrolled);
    host.logger?.warn(
      {
        ...found.evidence,
        oldDeviceId: enrolled.replaced?.deviceId,
        deviceId: enrolled.deviceId,
        deviceNo: enrolled.deviceNo,
        keptUpTo: enrolled.replaced?.keptUpTo,
        exceptionId: enrolled.replaced?.exceptionId,
      },
      'sync: this till was restored from a backup and is now a new device of its store',
    );
  }

  /**
   * Stops the agent, makes this till the hub's new device in one transaction, and starts the agent again
   * as that device if it was running (a one-shot `pos-store re-enroll` leaves it for the next start).
   */
  async function adopt(hubUrl: string, enrolled: EnrollResponse): Promise<NodeIdentity> {
    const wasRunning = agent !== null;
    await stopAgent();
    const next = adoptSuccessor(db, enrolled, new Date(host.now()).toISOString());
    host.onIdentityChanged?.(next);
    connection = { hubUrl, credential: enrolled.credential };
    writeHubConnection(db, connection);
    if (wasRunning) startAgent();
    return next;
  }

  function startAgent(): void {
    if (agent !== null || connection === null) return;
    const identity = host.identity();
    const next = createSyncAgent({
      transport: transportFor(connection),
      outbox,
      feed,
      identity: { deviceId: identity.deviceId, storeId: identity.storeId },
      onDeviceRestored,
      ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(host.logger === undefined ? {} : { logger: host.logger }),
      backoff: STORE_SYNC_BACKOFF,
      // HTTP pushes travel on separate connections and reach the hub in any order: one at a time there.
      pushWindow: options.transport === 'http' ? 1 : STORE_SYNC_PUSH_WINDOW,
      ...options.tuning,
    });
    const stopEmit = next.onStatus(emit);
    const stopWatch = next.onStatus(watchForHub);
    unsubscribe = () => {
      stopEmit();
      stopWatch();
    };
    agent = next;
    next.start();
    host.logger?.info(
      { hubUrl: connection.hubUrl, deviceId: identity.deviceId, storeId: identity.storeId },
      'sync: agent started',
    );
  }

  async function stopAgent(): Promise<void> {
    cancelRecoveryRetry();
    const running = agent;
    agent = null;
    stopProbe();
    probedThisOutage = false;
    if (running === null) return;
    await running.stop();
    unsubscribe?.();
    unsubscribe = null;
    emit(null);
  }

  return {
    configured: () => connection !== null,
    start: startAgent,
    stop: stopAgent,
    dispose: () => feed.close(),
    async configure(next) {
      await stopAgent();
      writeHubConnection(db, next);
      connection = next;
      startAgent();
    },
    syncNow() {
      agent?.syncNow();
    },
    status: () => agent?.status() ?? null,
    online() {
      const state = agent?.status().state;
      return state === 'live' || state === 'catching_up';
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async replaceWithCode(hubUrl, code, deviceName) {
      const enrolled = await enrollWithHub({
        hubUrl,
        code,
        // The enrollment request is read before the code is checked, so it stays small.
        replaces: restoreReport(db, MAX_RESTORE_EVENTS_BY_CODE),
        ...(deviceName === undefined ? {} : { deviceName }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
      return adopt(hubUrl, enrolled);
    },
    async lookupSale(receiptNumber) {
      if (connection === null) return null;
      const fetchImpl = options.fetch ?? fetch;
      const url = `${connection.hubUrl.replace(/\/+$/, '')}${SALE_LOOKUP_PATH}/${encodeURIComponent(receiptNumber)}`;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          headers: { authorization: `Bearer ${connection.credential}`, accept: 'application/json' },
          signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
        });
      } catch {
        throw new DomainError('HUB_UNAVAILABLE', 'sync.receiptNotTillHub', { receiptNumber });
      }
      if (response.status === 404) return null;
      const body = (await response.json().catch(() => undefined)) as
        { ok?: boolean; value?: unknown } | undefined;
      const parsed = SaleLookupSchema.safeParse(body?.value);
      if (!response.ok || body?.ok !== true || !parsed.success) {
        throw new DomainError('HUB_UNAVAILABLE', 'sync.hubCouldNotLook', {
          receiptNumber,
          responseStatus: response.status,
        });
      }
      return parsed.data;
    },
  };
}
