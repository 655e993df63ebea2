import { DomainError, toErrorBody, type ErrorBody } from '@retail/domain';
import { createBackoff, DEFAULT_BACKOFF, type Backoff, type BackoffOptions } from './backoff';
import { isDeviceRestoredError, type DeviceRestoredError } from './device-restore';
import { createFeedPuller } from './feed-puller';
import { createOutboxPusher, type DeviceIdentity } from './outbox-pusher';
import {
  createRefetchGuard,
  DEFAULT_REFETCH_GUARD,
  type RefetchGuard,
  type RefetchGuardOptions,
} from './refetch-guard';
import { systemScheduler, toIso, type RandomSource, type SyncScheduler, type TimerHandle } from './scheduler';
import type { FeedStore, OutboxStore, OutboxSummary, RejectedEvent } from './stores';
import { isSyncTransportError } from './sync-error';
import type { SyncTransport } from './transport';

/**
 * - `stopped`: not started, or stopped.
 * - `offline`: no connection to the hub; waiting to try again (sales continue, events queue).
 * - `connecting`: a connection attempt is under way.
 * - `catching_up`: connected; pulling the feed and pushing the outbox since the last (re)connect, or
 *   retrying after a failure.
 * - `live`: connected, the feed was up to date and the outbox drained at least once since connecting;
 *   pokes and local commits keep it so.
 * - `error`: something only a person can fix (credential refused, client too old, hub lost events this
 *   till no longer has, a refetch loop). The agent retries slowly; `error` says what to do.
 */
export const SYNC_STATES = ['stopped', 'offline', 'connecting', 'catching_up', 'live', 'error'] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export interface SyncAgentStatus {
  readonly state: SyncState;
  readonly pendingEvents: number;
  readonly oldestPendingAt: string | null;
  readonly lastPullAt: string | null;
  readonly lastPushAt: string | null;
  readonly rejected: readonly RejectedEvent[];
  /** A snapshot download in progress. */
  readonly snapshot: { readonly received: number; readonly total: number } | null;
  /** Why the state is `error`, or the failure being retried; null when all is well. */
  readonly error: ErrorBody | null;
  /** When the next automatic retry happens, if one is scheduled. */
  readonly nextRetryAt: string | null;
}

/** The subset of pino's API the agent logs through. */
export interface SyncLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface SyncAgentOptions {
  readonly transport: SyncTransport;
  readonly outbox: OutboxStore;
  readonly feed: FeedStore;
  readonly identity: DeviceIdentity;
  readonly scheduler?: SyncScheduler;
  readonly random?: RandomSource;
  readonly backoff?: BackoffOptions;
  readonly refetchGuard?: RefetchGuardOptions | RefetchGuard;
  readonly batchSize?: number;
  /**
   * Push batches in flight at once (default 1). More hides the round trip and the local reads of a long
   * catch-up behind the hub's work; acks are still recorded in deviceSeq order (outbox-pusher.ts).
   */
  readonly pushWindow?: number;
  readonly pullLimit?: number;
  readonly snapshotLimit?: number;
  /** Pull (and push) this often while connected even without a poke: pokes are hints and get lost. */
  readonly livePullIntervalMs?: number;
  /** Keep acknowledged events this long, so a hub restored from a backup can be sent them again. */
  readonly outboxRetentionMs?: number;
  readonly pruneIntervalMs?: number;
  /** How long an `error` state waits before trying again by itself. */
  readonly errorRetryMs?: number;
  readonly logger?: SyncLogger;
  /**
   * The push side found that this device's data is a restored copy the hub is ahead of. The agent stops
   * pushing (state `error`, the error says why) and calls this once per finding; the store node
   * re-enrolls as a new device and starts a new agent. Without it the agent only shows the error.
   */
  readonly onDeviceRestored?: (error: DeviceRestoredError) => void;
}

export interface SyncAgent {
  start(): void;
  /** Stops timers, closes the connection and waits for the calls in flight to settle. */
  stop(): Promise<void>;
  /** Staff pressed "sync now": forget backoffs and error waits, reconnect if needed, pull and push. */
  syncNow(): void;
  status(): SyncAgentStatus;
  onStatus(listener: (status: SyncAgentStatus) => void): () => void;
}

const DAY_MS = 24 * 60 * 60_000;
/** Codes the pusher and puller raise for conditions a retry in seconds cannot fix. */
const FATAL_CODES = new Set(['SEQUENCE_GAP', 'LIMIT_EXCEEDED', 'CONFLICT']);

type LoopName = 'push' | 'pull';

interface Loop {
  readonly name: LoopName;
  readonly body: () => Promise<void>;
  readonly backoff: Backoff;
  running: Promise<void> | null;
  requested: boolean;
  retryTimer: TimerHandle | null;
  retryAt: number | null;
  /** The retry waits for the hub's retryAfter; a reconnect does not cut it short. */
  retryIsHubRequest: boolean;
  fatal: ErrorBody | null;
  lastError: ErrorBody | null;
  caughtUp: boolean;
}

export function createSyncAgent(options: SyncAgentOptions): SyncAgent {
  const { transport, outbox, feed, identity } = options;
  const scheduler = options.scheduler ?? systemScheduler;
  const random = options.random ?? Math.random;
  const backoffOptions = options.backoff ?? DEFAULT_BACKOFF;
  const guard =
    options.refetchGuard !== undefined && 'tryAcquire' in options.refetchGuard
      ? options.refetchGuard
      : createRefetchGuard(options.refetchGuard ?? DEFAULT_REFETCH_GUARD);
  const livePullIntervalMs = options.livePullIntervalMs ?? 60_000;
  const retentionMs = options.outboxRetentionMs ?? 30 * DAY_MS;
  const pruneIntervalMs = options.pruneIntervalMs ?? 60 * 60_000;
  const errorRetryMs = options.errorRetryMs ?? backoffOptions.capMs;
  const log = options.logger;
  const nowIso = () => toIso(scheduler.now());
  const ids = { deviceId: identity.deviceId, storeId: identity.storeId };

  let stopped = true;
  let connected = false;
  let connecting = false;
  /** Bumped on every connect and disconnect, so failures of calls from an old connection are told apart. */
  let connectionGen = 0;
  let attemptGen = 0;
  const connectionBackoff = createBackoff(random, backoffOptions);
  let reconnectTimer: TimerHandle | null = null;
  let reconnectAt: number | null = null;
  let connectionFatal: ErrorBody | null = null;
  let connectionError: ErrorBody | null = null;
  let tickTimer: TimerHandle | null = null;
  let unsubscribe: (() => void)[] = [];

  let lastPullAt: string | null = null;
  let lastPushAt: string | null = null;
  let lastPruneAt: number | null = null;
  let snapshotProgress: SyncAgentStatus['snapshot'] = null;
  let summary: OutboxSummary | null = null;
  let lastEmitted = '';
  const listeners = new Set<(status: SyncAgentStatus) => void>();

  const pusher = createOutboxPusher({
    outbox,
    transport,
    identity,
    nowIso,
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.pushWindow === undefined ? {} : { window: options.pushWindow }),
    onAck: () => {
      lastPushAt = nowIso();
      connectionBackoff.succeeded();
      // Staff watch the backlog shrink batch by batch during a long catch-up.
      refreshSummary();
    },
    // The outbox says a local transaction committed new events: push them.
    onCommitted: () => {
      request(loops.push);
      refreshSummary();
    },
  });
  const puller = createFeedPuller({
    feed,
    transport,
    guard,
    now: () => scheduler.now(),
    ...(options.pullLimit === undefined ? {} : { pageLimit: options.pullLimit }),
    ...(options.snapshotLimit === undefined ? {} : { snapshotLimit: options.snapshotLimit }),
    onLastSeqEcho: async (lastSeq) => {
      try {
        const outcome = await pusher.settleEcho(lastSeq);
        if (outcome === 'verify') request(loops.push);
      } catch (error) {
        // An echo problem is the push side's business; the feed keeps flowing.
        fail(loops.push, error, connectionGen);
      }
    },
    onSnapshotProgress: (progress) => {
      snapshotProgress = progress === null ? null : { received: progress.received, total: progress.total };
      publish();
    },
  });

  function newLoop(name: LoopName, body: () => Promise<void>): Loop {
    return {
      name,
      body,
      backoff: createBackoff(random, backoffOptions),
      running: null,
      requested: false,
      retryTimer: null,
      retryAt: null,
      retryIsHubRequest: false,
      fatal: null,
      lastError: null,
      caughtUp: false,
    };
  }

  const loops: Record<LoopName, Loop> = {
    push: newLoop('push', async () => {
      await pusher.pushUntilDrained();
      const now = scheduler.now();
      if (lastPruneAt === null || now - lastPruneAt >= pruneIntervalMs) {
        lastPruneAt = now;
        const pruned = await outbox.prune(toIso(now - retentionMs));
        if (pruned > 0) log?.info({ ...ids, pruned }, 'sync: pruned acknowledged outbox events');
      }
    }),
    pull: newLoop('pull', async () => {
      const result = await puller.pullUntilUpToDate();
      lastPullAt = nowIso();
      // Only an answered call proves the hub is there: an HTTP "connect" always succeeds, and resetting
      // the reconnect backoff on it would turn an outage into a retry every second.
      connectionBackoff.succeeded();
      if (result.snapshots > 0) {
        log?.info(
          { ...ids, epoch: result.position.epoch, cursor: result.position.cursor },
          'sync: snapshot done',
        );
      }
    }),
  };

  let current: SyncAgentStatus = computeStatus();

  function computeStatus(): SyncAgentStatus {
    const loopList = [loops.push, loops.pull];
    const fatal = connectionFatal ?? loopList.find((loop) => loop.fatal !== null)?.fatal ?? null;
    let state: SyncState;
    if (stopped) state = 'stopped';
    else if (fatal !== null) state = 'error';
    else if (!connected) state = connecting ? 'connecting' : 'offline';
    else state = loopList.every((loop) => loop.caughtUp) ? 'live' : 'catching_up';
    const retries = [reconnectAt, ...loopList.map((loop) => loop.retryAt)].filter(
      (at): at is number => at !== null,
    );
    const error =
      fatal ??
      (connected ? null : connectionError) ??
      loopList.find((loop) => loop.lastError !== null)?.lastError ??
      null;
    return {
      state,
      pendingEvents: summary?.pending ?? 0,
      oldestPendingAt: summary?.oldestPendingAt ?? null,
      lastPullAt,
      lastPushAt,
      rejected: summary?.rejected ?? [],
      snapshot: snapshotProgress,
      error,
      nextRetryAt: stopped || retries.length === 0 ? null : toIso(Math.min(...retries)),
    };
  }

  function publish(): void {
    const next = computeStatus();
    const text = JSON.stringify(next);
    if (text === lastEmitted) return;
    if (next.state !== current.state) {
      log?.info({ ...ids, from: current.state, to: next.state, error: next.error?.code }, 'sync: state');
    }
    lastEmitted = text;
    current = next;
    for (const listener of [...listeners]) {
      try {
        listener(next);
      } catch (error) {
        log?.warn({ ...ids, err: String(error) }, 'sync: a status listener failed');
      }
    }
  }

  let summaryReading = false;
  let summaryDirty = false;
  /** Re-reads the outbox counts; overlapping requests collapse into one more read. */
  function refreshSummary(): void {
    if (summaryReading) {
      summaryDirty = true;
      return;
    }
    summaryReading = true;
    summaryDirty = false;
    outbox
      .summary()
      .then(
        (next) => {
          summary = next;
        },
        (error: unknown) =>
          log?.warn({ ...ids, err: String(error) }, 'sync: reading the outbox summary failed'),
      )
      .finally(() => {
        summaryReading = false;
        publish();
        if (summaryDirty) refreshSummary();
      });
  }

  function request(loop: Loop): void {
    if (stopped) return;
    loop.requested = true;
    if (!connected || loop.running !== null || loop.retryTimer !== null || loop.fatal !== null) return;
    run(loop);
  }

  function run(loop: Loop): void {
    loop.requested = false;
    const gen = connectionGen;
    loop.running = (async () => {
      try {
        await loop.body();
        loop.backoff.succeeded();
        loop.lastError = null;
        if (gen === connectionGen) loop.caughtUp = true;
      } catch (error) {
        fail(loop, error, gen);
      } finally {
        loop.running = null;
        refreshSummary();
        publish();
        if (loop.requested) request(loop);
      }
    })();
  }

  function scheduleLoopRetry(loop: Loop, delayMs: number, action: () => void): void {
    loop.retryTimer?.cancel();
    loop.retryAt = scheduler.now() + delayMs;
    loop.retryTimer = scheduler.setTimer(() => {
      loop.retryTimer = null;
      loop.retryAt = null;
      action();
      publish();
    }, delayMs);
  }

  function fail(loop: Loop, error: unknown, gen: number): void {
    if (stopped) return;
    const body = toErrorBody(error);
    loop.caughtUp = false;
    if (isSyncTransportError(error)) {
      switch (error.failure) {
        case 'unreachable':
          loop.requested = true;
          if (gen === connectionGen) connectionLost(body);
          return;
        case 'unauthorized':
        case 'too_old':
          loop.requested = true;
          if (gen === connectionGen) connectionRefused(body);
          return;
        case 'timeout':
        case 'busy':
        case 'rejected':
        case 'protocol': {
          loop.lastError = body;
          loop.retryIsHubRequest = error.failure === 'busy';
          const delay = loop.backoff.next(error.retryAfterMs);
          log?.warn(
            { ...ids, loop: loop.name, code: body.code, delayMs: delay },
            `sync: ${loop.name} failed`,
          );
          scheduleLoopRetry(loop, delay, () => request(loop));
          return;
        }
      }
    }
    if (error instanceof DomainError && FATAL_CODES.has(error.code)) {
      loop.fatal = body;
      if (isDeviceRestoredError(error)) {
        log?.error({ ...ids, ...error.evidence }, 'sync: this device was restored from a backup');
        try {
          options.onDeviceRestored?.(error);
        } catch (hookError) {
          log?.error({ ...ids, err: String(hookError) }, 'sync: the restore handler failed');
        }
      }
      const retryAt =
        typeof body.details?.['retryAt'] === 'string' ? Date.parse(body.details['retryAt']) : NaN;
      const delay = Number.isFinite(retryAt) ? Math.max(0, retryAt - scheduler.now()) : errorRetryMs;
      log?.error(
        { ...ids, loop: loop.name, code: body.code, message: body.message },
        'sync: stopped by an error',
      );
      scheduleLoopRetry(loop, delay, () => {
        loop.fatal = null;
        request(loop);
      });
      return;
    }
    // A local failure (the store's database, a bug): keep the detail in the log, retry with backoff.
    loop.lastError = body;
    loop.retryIsHubRequest = false;
    const delay = loop.backoff.next();
    log?.error(
      { ...ids, loop: loop.name, err: String(error), delayMs: delay },
      `sync: ${loop.name} failed locally`,
    );
    scheduleLoopRetry(loop, delay, () => request(loop));
  }

  function scheduleReconnect(delayMs: number): void {
    reconnectTimer?.cancel();
    reconnectAt = scheduler.now() + delayMs;
    reconnectTimer = scheduler.setTimer(() => {
      reconnectTimer = null;
      reconnectAt = null;
      connect();
    }, delayMs);
  }

  function markDisconnected(): void {
    connected = false;
    connectionGen += 1;
    for (const loop of Object.values(loops)) loop.caughtUp = false;
  }

  function connectionLost(body: ErrorBody): void {
    if (stopped || !connected) return;
    markDisconnected();
    connectionError = body;
    transport.disconnect();
    const delay = connectionBackoff.next();
    log?.warn({ ...ids, code: body.code, delayMs: delay }, 'sync: connection lost');
    scheduleReconnect(delay);
    publish();
  }

  function connectionRefused(body: ErrorBody): void {
    if (stopped) return;
    if (connected) markDisconnected();
    connectionFatal = body;
    transport.disconnect();
    log?.error({ ...ids, code: body.code, message: body.message }, 'sync: the hub refused this device');
    scheduleReconnect(errorRetryMs);
    publish();
  }

  function onConnected(): void {
    connecting = false;
    connected = true;
    connectionGen += 1;
    connectionFatal = null;
    connectionError = null;
    reconnectTimer?.cancel();
    reconnectTimer = null;
    reconnectAt = null;
    for (const loop of Object.values(loops)) {
      loop.caughtUp = false;
      // Always pull (and push) on (re)connect: socket.io delivery is a hint, and whatever failed on the
      // old connection deserves a fresh try, unless the hub itself asked for a pause.
      if (loop.retryTimer !== null && loop.fatal === null && !loop.retryIsHubRequest) {
        loop.retryTimer.cancel();
        loop.retryTimer = null;
        loop.retryAt = null;
      }
    }
    log?.info(ids, 'sync: connected');
    request(loops.pull);
    request(loops.push);
    publish();
  }

  function connect(): void {
    if (stopped || connected || connecting) return;
    reconnectTimer?.cancel();
    reconnectTimer = null;
    reconnectAt = null;
    connecting = true;
    attemptGen += 1;
    const attempt = attemptGen;
    publish();
    transport.connect().then(
      () => {
        if (stopped || attempt !== attemptGen) return;
        // The transport may already have announced the connection through onConnectionChange.
        if (connected) {
          connecting = false;
          return;
        }
        onConnected();
      },
      (error: unknown) => {
        if (stopped || attempt !== attemptGen) return;
        connecting = false;
        const body = toErrorBody(error);
        if (
          isSyncTransportError(error) &&
          (error.failure === 'unauthorized' || error.failure === 'too_old')
        ) {
          connectionRefused(body);
          return;
        }
        connectionError = body;
        const retryAfter = isSyncTransportError(error) ? error.retryAfterMs : undefined;
        const delay = connectionBackoff.next(retryAfter);
        log?.warn({ ...ids, code: body.code, delayMs: delay }, 'sync: connection attempt failed');
        scheduleReconnect(delay);
        publish();
      },
    );
  }

  function scheduleTick(): void {
    tickTimer = scheduler.setTimer(() => {
      tickTimer = null;
      if (stopped) return;
      if (connected) {
        request(loops.pull);
        request(loops.push);
      }
      refreshSummary();
      scheduleTick();
    }, livePullIntervalMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = [
        transport.onPoke(() => request(loops.pull)),
        transport.onConnectionChange((event) => {
          if (stopped) return;
          if (event.type === 'connected') {
            if (!connected) onConnected();
            return;
          }
          if (!connected) return;
          markDisconnected();
          connectionError = new DomainError('HUB_UNAVAILABLE', 'sync.connectionHubDropped', {
            reason: event.reason,
          }).toJSON();
          const delay = connectionBackoff.next();
          log?.warn({ ...ids, reason: event.reason, delayMs: delay }, 'sync: disconnected');
          scheduleReconnect(delay);
          publish();
        }),
      ];
      pusher.start();
      scheduleTick();
      refreshSummary();
      connect();
      publish();
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      attemptGen += 1;
      for (const off of unsubscribe) off();
      unsubscribe = [];
      pusher.stop();
      tickTimer?.cancel();
      tickTimer = null;
      reconnectTimer?.cancel();
      reconnectTimer = null;
      reconnectAt = null;
      for (const loop of Object.values(loops)) {
        loop.retryTimer?.cancel();
        loop.retryTimer = null;
        loop.retryAt = null;
        loop.requested = false;
      }
      connecting = false;
      if (connected) markDisconnected();
      transport.disconnect();
      await Promise.allSettled(Object.values(loops).map((loop) => loop.running));
      for (const loop of Object.values(loops)) {
        loop.fatal = null;
        loop.lastError = null;
      }
      connectionFatal = null;
      snapshotProgress = null;
      publish();
    },

    syncNow() {
      if (stopped) return;
      connectionFatal = null;
      connectionBackoff.succeeded();
      for (const loop of Object.values(loops)) {
        loop.retryTimer?.cancel();
        loop.retryTimer = null;
        loop.retryAt = null;
        loop.fatal = null;
        loop.backoff.succeeded();
      }
      if (connected) {
        request(loops.pull);
        request(loops.push);
      } else {
        connect();
      }
      publish();
    },

    status: () => current,

    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
