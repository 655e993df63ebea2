import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace } from 'socket.io';
import { Decoder, Encoder } from 'socket.io-parser';
import type { z } from 'zod';
import { DomainError, type ErrorBody } from '@retail/domain';
import {
  PullRequestSchema,
  PushRequestSchema,
  SNAPSHOT_JSON_BYTES,
  SnapshotRequestSchema,
  SYNC_EVENTS,
  SYNC_NAMESPACE,
  type DevicePrincipal,
  type PullPage,
  type PullRequest,
  type PushAck,
  type PushRequest,
  type SnapshotPage,
  type SnapshotRequest,
} from '@retail/sync';
import { errorBodyOf, invalidInput } from '../api/http-errors';
import { DEFAULT_MAX_JSON_DEPTH, jsonNestedDeeperThan } from '../api/json-body';
import type { HubMetrics } from '../api/metrics';
import { authenticateDevice } from '../auth/devices';
import { feedHead, feedWatermark } from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { CatchUpAdmission, DEFAULT_CATCH_UP_ADMISSION, type CatchUpAdmissionOptions } from './admission';
import { PokeDispatcher, roomOfDevice, roomsOfDevice } from './pokes';
import { pushRequestAsSent } from './push-request';
import { RefusedPushTrace, type RefusedPushOptions } from './refused-pushes';
import { pullFeed, snapshotPage, snapshotPageJson, SnapshotTotals } from './sync-service';

/*
 * The hub's sync endpoint: the gateway both transports call (HTTP routes in api/routes/sync-routes.ts,
 * and the socket.io namespace below), and that namespace, where tills connect, authenticate and are poked.
 */

/** The slice of pino a sync call logs through (a request's logger, or a socket's child logger). */
export interface SyncLog {
  info(fields: Record<string, unknown>, message: string): void;
}

export interface SyncGatewayOptions {
  readonly hub: HubContext;
  readonly metrics?: HubMetrics;
  readonly admission?: CatchUpAdmission | CatchUpAdmissionOptions;
  readonly refusedPushes?: RefusedPushOptions;
}

export type SyncCall = 'push' | 'pull' | 'snapshot';

const REQUEST_SCHEMAS = {
  push: PushRequestSchema,
  pull: PullRequestSchema,
  snapshot: SnapshotRequestSchema,
} as const satisfies Record<SyncCall, z.ZodType>;

/**
 * The one code path behind both sync transports (docs/sync.md §7): HTTP routes and the socket.io
 * `/sync` namespace call the same methods with the same validated requests, so push, pull and snapshot
 * behave identically whichever way a till connects. Catch-ups (a snapshot page, or a pull more than a
 * page behind the head) pass admission control; pushes and live pulls never wait for it.
 */
export class SyncGateway {
  readonly admission: CatchUpAdmission;
  private readonly totals = new SnapshotTotals();
  private readonly refusedPushes: RefusedPushTrace;

  constructor(private readonly options: SyncGatewayOptions) {
    const admission = options.admission ?? DEFAULT_CATCH_UP_ADMISSION;
    this.admission = admission instanceof CatchUpAdmission ? admission : new CatchUpAdmission(admission);
    this.refusedPushes = new RefusedPushTrace(options.hub, options.refusedPushes, options.metrics);
  }

  /** A push refused whole before it reached `push` (the HTTP route's body check) leaves its trace too. */
  noteRefusedPush(principal: DevicePrincipal, error: unknown): Promise<void> {
    return this.refusedPushes.note(principal, error);
  }

  /** Validates a request that arrived without a schema check (a socket.io payload), as HTTP routes do. */
  parse<C extends SyncCall>(call: C, body: unknown): z.output<(typeof REQUEST_SCHEMAS)[C]> {
    if (call === 'push') {
      // A catch-up's pushes carry 500 envelopes each: taken as sent when the schema would return them so.
      const asSent = pushRequestAsSent(body);
      if (asSent !== undefined) return asSent as z.output<(typeof REQUEST_SCHEMAS)[C]>;
    }
    const parsed = REQUEST_SCHEMAS[call].safeParse(body ?? {});
    if (!parsed.success) throw invalidInput('body', parsed.error);
    return parsed.data as z.output<(typeof REQUEST_SCHEMAS)[C]>;
  }

  async push(principal: DevicePrincipal, request: PushRequest, log?: SyncLog): Promise<PushAck> {
    let ack: PushAck;
    const endTimer = this.options.metrics?.pushDuration.startTimer();
    try {
      ack = await pushEvents(this.options.hub, principal, request);
    } catch (error) {
      endTimer?.({ outcome: 'failed' });
      await this.refusedPushes.note(principal, error);
      throw error;
    }
    endTimer?.({ outcome: 'acknowledged' });
    this.options.metrics?.countIngest(ack.results);
    log?.info(
      {
        deviceId: ack.deviceId,
        storeId: request.storeId,
        events: request.events.length,
        lastSeq: ack.lastSeq,
        resumeFrom: ack.resumeFrom,
        rejected: ack.results.filter((r) => r.status === 'rejected').map((r) => r.eventId),
      },
      'push applied',
    );
    return ack;
  }

  async pull(principal: DevicePrincipal, request: PullRequest): Promise<PullPage> {
    const head = await feedHead(this.options.hub.storage.db);
    // A till starting from nothing or more than a page behind is catching up: that is what a storm of
    // reconnecting tills costs, so it waits its turn. A till near the head reads one cheap page.
    const catchUp = request.cursor === 0 || head - request.cursor > request.limit;
    if (!catchUp) return pullFeed(this.options.hub, principal, request);
    return this.admitted('pull', () => pullFeed(this.options.hub, principal, request));
  }

  async snapshot(principal: DevicePrincipal, request: SnapshotRequest): Promise<SnapshotPage> {
    return this.admitted('snapshot', () => snapshotPage(this.options.hub, principal, request, this.totals));
  }

  /** The same page as the UTF-8 bytes of its JSON (`encoding: 'json-bytes'`, asked over socket.io). */
  async snapshotBytes(principal: DevicePrincipal, request: SnapshotRequest): Promise<Buffer> {
    const text = await this.admitted('snapshot', () =>
      snapshotPageJson(this.options.hub, principal, request, this.totals),
    );
    return Buffer.from(text, 'utf8');
  }

  /** Runs a call arriving with an unchecked body: what the socket.io namespace does for each event. */
  async handle(call: SyncCall, principal: DevicePrincipal, body: unknown, log?: SyncLog): Promise<unknown> {
    switch (call) {
      case 'push': {
        let request: PushRequest;
        try {
          request = this.parse('push', body);
        } catch (error) {
          await this.refusedPushes.note(principal, error);
          throw error;
        }
        return this.push(principal, request, log);
      }
      case 'pull':
        return this.pull(principal, this.parse('pull', body));
      case 'snapshot': {
        const request = this.parse('snapshot', body);
        return request.encoding === SNAPSHOT_JSON_BYTES
          ? this.snapshotBytes(principal, request)
          : this.snapshot(principal, request);
      }
    }
  }

  private async admitted<T>(call: 'pull' | 'snapshot', work: () => Promise<T>): Promise<T> {
    try {
      const result = await this.admission.run(work);
      this.options.metrics?.catchUps.inc({ call, outcome: 'served' });
      return result;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'RATE_LIMITED') {
        this.options.metrics?.catchUps.inc({ call, outcome: 'busy' });
      }
      throw error;
    }
  }
}

// The socket.io transport: the /sync namespace in front of the gateway.

/** The slice of pino the namespace logs through. */
export interface SyncSocketLogger extends SyncLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface SyncSocketOptions {
  readonly hub: HubContext;
  readonly gateway: SyncGateway;
  readonly metrics?: HubMetrics;
  readonly logger?: SyncSocketLogger;
  /** Pokes for one room within this window go out once (see PokeDispatcher). */
  readonly pokeCoalesceMs?: number;
  /**
   * Tills announcing an older `clientVersion` (dotted numbers) are refused with SCHEMA_VERSION: they
   * would misread the feed. Unset: every version is served.
   */
  readonly minClientVersion?: string;
  /** A push of 500 events fits comfortably. */
  readonly maxMessageBytes?: number;
}

export interface SyncSocketServer {
  readonly io: Server;
  readonly namespace: Namespace;
  readonly pokes: PokeDispatcher;
  /** Connected tills. */
  connections(): number;
  /** Disconnects every till and stops listening for feed changes; the HTTP server stays up. */
  close(): void;
}

const CALLS: readonly SyncCall[] = ['push', 'pull', 'snapshot'];

/**
 * socket.io's decoder behind the same nesting limit as HTTP JSON bodies: a message is parsed before the
 * namespace knows who sent it (the handshake itself is one), and parsing a deeply nested one blocks every
 * request for seconds. A message past the limit closes the connection, as any malformed packet does.
 */
class DepthLimitedDecoder extends Decoder {
  override add(chunk: unknown): void {
    if (typeof chunk === 'string' && jsonNestedDeeperThan(chunk, DEFAULT_MAX_JSON_DEPTH)) {
      throw new Error(`socket.io message nested more than ${DEFAULT_MAX_JSON_DEPTH} levels deep`);
    }
    super.add(chunk);
  }
}

/** Compares dotted version numbers ("1.10.0" > "1.9.3"); missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const partsA = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const partsB = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i += 1) {
    const difference = (partsA[i] ?? 0) - (partsB[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

function handshakeError(body: ErrorBody): Error & { data: ErrorBody } {
  return Object.assign(new Error(body.message), { data: body });
}

/**
 * The socket.io transport of the sync protocol (docs/sync.md §7) on the hub's HTTP server: namespace
 * `/sync`, the device credential in the handshake `auth` checked exactly as the HTTP endpoints check
 * the bearer token, `push` / `pull` / `snapshot` as ack'd emits answered with result envelopes by the
 * same SyncGateway the HTTP routes use, and data-less `poke`s to the tills whose feed advanced.
 *
 * Pokes across hub processes: every process hears of every feed write (Storage.onFeedAppended: after
 * commit in the writing process, LISTEN/NOTIFY from the others on PostgreSQL) and pokes its own
 * connected tills, each room once the rows announced for it are visible to a pull (PokeDispatcher
 * `watermark`). No socket.io adapter is needed because no emit has to cross processes: the event
 * that does is the database's own NOTIFY, sent inside the writing transaction, so it is delivered once,
 * only on commit, and never for a rolled-back write (see docs/sync.md, deployment).
 */
export function attachSyncSocket(server: HttpServer, options: SyncSocketOptions): SyncSocketServer {
  const { hub, gateway, metrics, logger } = options;
  const io = new Server(server, {
    serveClient: false,
    parser: { Encoder, Decoder: DepthLimitedDecoder },
    maxHttpBufferSize: options.maxMessageBytes ?? 16 * 1024 * 1024,
  });
  const namespace = io.of(SYNC_NAMESPACE);

  namespace.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as { credential?: unknown; clientVersion?: unknown };
    const minimum = options.minClientVersion;
    if (
      minimum !== undefined &&
      (typeof auth.clientVersion !== 'string' || compareVersions(auth.clientVersion, minimum) < 0)
    ) {
      next(
        handshakeError(
          new DomainError(
            'SCHEMA_VERSION',
            'hub.sync.tillTooOld',
            typeof auth.clientVersion === 'string'
              ? { minimum, known: 'yes', clientVersion: auth.clientVersion }
              : { minimum, known: 'no' },
            { minClientVersion: minimum },
          ).toJSON(),
        ),
      );
      return;
    }
    if (typeof auth.credential !== 'string' || auth.credential === '') {
      next(handshakeError(new DomainError('UNAUTHORIZED', 'hub.sync.noDeviceCredential').toJSON()));
      return;
    }
    authenticateDevice(hub.storage.db, auth.credential).then(
      async (principal) => {
        const node = await hub.storage.db
          .selectFrom('nodes')
          .select('region')
          .where('node_id', '=', principal.storeId)
          .executeTakeFirst();
        socket.data.principal = principal;
        socket.data.rooms = [
          ...roomsOfDevice(principal.storeId, node?.region),
          roomOfDevice(principal.deviceId),
        ];
        next();
      },
      (error: unknown) => {
        metrics?.handshakes.inc({ outcome: 'refused' });
        next(handshakeError(errorBodyOf(error)));
      },
    );
  });

  namespace.on('connection', (socket) => {
    const principal = socket.data.principal as DevicePrincipal;
    void socket.join(socket.data.rooms as string[]);
    metrics?.handshakes.inc({ outcome: 'connected' });
    // A till may send its next push batches before the first is answered (packages/sync's push window).
    // On PostgreSQL they start one at a time in the order they arrived, each once the one before it has
    // been answered: the device row lock would serialise them anyway, but only after each had taken a
    // pooled connection to wait on it (DEVICE_LOCK_WAIT_MS), and the lock is not granted in arrival order
    // for certain. SQLite's group commit already runs them in arrival order, and lets them share a commit.
    const serialisePushes = hub.storage.kind === 'postgres';
    let pushes: Promise<unknown> = Promise.resolve();
    for (const call of CALLS) {
      socket.on(call, (body: unknown, ack: unknown) => {
        // Without an ack callback nobody would learn the outcome: do nothing at all.
        if (typeof ack !== 'function') return;
        let handled: Promise<unknown>;
        if (call === 'push' && serialisePushes) {
          handled = pushes.then(() => gateway.handle(call, principal, body, logger));
          pushes = handled.catch(() => undefined);
        } else {
          handled = gateway.handle(call, principal, body, logger);
        }
        handled.then(
          (value) => ack({ ok: true, value }),
          (error: unknown) => {
            const failure = errorBodyOf(error);
            if (failure.code === 'HUB_UNAVAILABLE') {
              logger?.warn({ deviceId: principal.deviceId, call, err: String(error) }, failure.message);
            } else if (failure.code === 'INTERNAL') {
              logger?.error(
                { deviceId: principal.deviceId, call, err: String(error) },
                'sync call failed unexpectedly',
              );
            }
            ack({ ok: false, error: failure });
          },
        );
      });
    }
  });

  const pokes = new PokeDispatcher({
    emit: (room) => namespace.to(room).emit(SYNC_EVENTS.poke),
    emitAll: () => namespace.emit(SYNC_EVENTS.poke),
    ...(options.pokeCoalesceMs === undefined ? {} : { coalesceMs: options.pokeCoalesceMs }),
    // PostgreSQL writers commit in any order: a till poked for a row still behind another store's open
    // writer would pull nothing and wait for its periodic pull. Poke it when the watermark passes.
    ...(hub.storage.kind === 'postgres' && hub.storage.commitOrderGuard
      ? {
          watermark: () => feedWatermark(hub.storage.db),
          connected: () => namespace.sockets.size > 0,
          onWatermarkError: (error: unknown) =>
            logger?.warn({ err: String(error) }, 'could not read the feed watermark; poked the tills anyway'),
        }
      : {}),
  });
  const stopListening = hub.storage.onFeedAppended((event) => pokes.feedAppended(event));
  // A revoked till is cut off at once, wherever it is connected: it hears no more pokes and must
  // handshake again, which its revoked credential cannot pass.
  const stopRevocations = hub.storage.onDeviceRevoked((deviceId) => {
    if (deviceId !== null) {
      namespace.in(roomOfDevice(deviceId)).disconnectSockets(true);
      return;
    }
    void disconnectRevoked().catch((error: unknown) =>
      logger?.error({ err: String(error) }, 'could not check connected tills for revocations'),
    );
  });

  /** After revocations may have been missed: every connected till whose credential is now revoked goes. */
  async function disconnectRevoked(): Promise<void> {
    const connected = [...namespace.sockets.values()].map(
      (socket) => (socket.data.principal as DevicePrincipal).deviceId,
    );
    for (let start = 0; start < connected.length; start += 500) {
      const revoked = await hub.storage.db
        .selectFrom('devices')
        .select('device_id')
        .where('device_id', 'in', connected.slice(start, start + 500))
        .where('revoked_at', 'is not', null)
        .execute();
      for (const row of revoked) namespace.in(roomOfDevice(row.device_id)).disconnectSockets(true);
    }
  }

  return {
    io,
    namespace,
    pokes,
    connections: () => namespace.sockets.size,
    close() {
      stopListening();
      stopRevocations();
      pokes.close();
      namespace.disconnectSockets(true);
      io.engine.close();
    },
  };
}
