import { DomainError } from '@retail/domain';
import type { DevicePrincipal } from '../server/ingest';
import type { PullRequest, PushRequest, SnapshotRequest } from '../server/protocol';
import { SyncTransportError, TRANSPORT_MESSAGES, transportErrorFromBody } from '../client/sync-error';
import {
  ListenerSet,
  parsePullPage,
  parsePushAck,
  parseSnapshotPage,
  type ConnectionEvent,
  type SyncTransport,
} from '../client/transport';
import type { ReferenceHub } from './reference-hub';

export interface HubTransport extends SyncTransport {
  /** The hub side drops the connection (hub restart, network loss). */
  drop(reason?: string): void;
  /** While down, connection attempts fail as `unreachable`. */
  setHubDown(down: boolean): void;
}

/**
 * A transport that calls a ReferenceHub in the same process. Requests and answers are deep-copied and
 * answers validated like the real transports do, so nothing is shared between "device" and "hub".
 */
export function createHubTransport(hub: ReferenceHub, principal: DevicePrincipal): HubTransport {
  let connected = false;
  let hubDown = false;
  let stopPokes: (() => void) | null = null;
  const pokes = new ListenerSet<void>();
  const connection = new ListenerSet<ConnectionEvent>();
  const inFlight = new Set<(error: SyncTransportError) => void>();

  function close(): void {
    connected = false;
    stopPokes?.();
    stopPokes = null;
    const error = new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected);
    for (const reject of [...inFlight]) reject(error);
    inFlight.clear();
  }

  function call<T>(invoke: () => Promise<unknown>, parse: (value: unknown) => T): Promise<T> {
    if (!connected)
      return Promise.reject(new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable));
    return new Promise<T>((resolve, reject) => {
      inFlight.add(reject);
      invoke().then(
        (value) => {
          if (!inFlight.delete(reject)) return;
          try {
            resolve(parse(structuredClone(value)));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          if (!inFlight.delete(reject)) return;
          reject(
            error instanceof DomainError
              ? transportErrorFromBody(error.toJSON())
              : new SyncTransportError('rejected', 'The hub failed to answer the request.'),
          );
        },
      );
    });
  }

  return {
    get connected() {
      return connected;
    },
    async connect() {
      if (hubDown) throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable);
      if (connected) return;
      connected = true;
      stopPokes = hub.onPoke(principal.storeId, () => pokes.emit());
    },
    disconnect() {
      close();
    },
    push: (request: PushRequest) => call(() => hub.push(principal, structuredClone(request)), parsePushAck),
    pull: (request: PullRequest) => call(() => hub.pull(principal, structuredClone(request)), parsePullPage),
    snapshot: (request: SnapshotRequest) =>
      call(() => hub.snapshot(principal, structuredClone(request)), parseSnapshotPage),
    onPoke: (listener) => pokes.add(listener),
    onConnectionChange: (listener) => connection.add(listener),
    drop(reason = 'hub closed the connection') {
      if (!connected) return;
      close();
      connection.emit({ type: 'disconnected', reason });
    },
    setHubDown(down) {
      hubDown = down;
      if (down) this.drop('hub down');
    },
  };
}
