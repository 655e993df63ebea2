import type { PullRequest, PushRequest, SnapshotRequest } from '../server/protocol';
import type { RandomSource, SyncScheduler } from '../client/scheduler';
import { SyncTransportError, TRANSPORT_MESSAGES } from '../client/sync-error';
import { ListenerSet, type ConnectionEvent, type SyncTransport } from '../client/transport';

/**
 * - `drop`: the request never reaches the hub; the client times out.
 * - `lostAck`: the hub applies the request; the answer is lost and the client times out.
 * - `duplicate`: the request reaches the hub twice (a socket.io retry); the client gets the second answer.
 * - `reorder`: the request is held back and reaches the hub later, after requests sent after it; the
 *   client times out meanwhile.
 * - `delay`: the answer arrives late but within the time limit.
 * - `disconnect`: the connection breaks mid-request; the request may or may not have reached the hub.
 * - `busy`: the hub turns the request away with a retryAfter.
 */
export const CALL_FAULTS = [
  'drop',
  'lostAck',
  'duplicate',
  'reorder',
  'delay',
  'disconnect',
  'busy',
] as const;
export type CallFault = (typeof CALL_FAULTS)[number];

export interface FaultPlan {
  /** Probability that one call suffers one fault, then picked uniformly from `faults`. */
  readonly callFaultRate: number;
  readonly faults: readonly CallFault[];
  /** Probability that a connection attempt fails. */
  readonly connectFailRate: number;
  /** Probabilities that a poke is lost, or delivered twice. */
  readonly pokeDropRate: number;
  readonly pokeDuplicateRate: number;
  /** After this many injected faults the transport behaves (bounded chaos). */
  readonly maxFaults: number;
  /** How long the client waits before a call counts as timed out. */
  readonly timeoutMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_FAULT_PLAN: FaultPlan = {
  callFaultRate: 0.3,
  faults: CALL_FAULTS,
  connectFailRate: 0.2,
  pokeDropRate: 0.3,
  pokeDuplicateRate: 0.2,
  maxFaults: 200,
  timeoutMs: 10_000,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 20_000,
};

export interface FaultRecord {
  readonly fault: CallFault | 'connectFail' | 'pokeDrop' | 'pokeDuplicate';
  readonly call: string;
}

export interface FaultTransport extends SyncTransport {
  /** Stops injecting faults; calls in flight finish as planned. */
  heal(): void;
  /** Breaks the connection now, as a network loss would. */
  breakConnection(reason?: string): void;
  readonly injected: readonly FaultRecord[];
}

/**
 * Wraps a transport with seeded, bounded faults. Every fault is one the real transports can produce, so
 * the agent must survive all of them: the guarantees come from deviceSeq/lastSeq and the cursor, not
 * from the network.
 */
export function createFaultTransport(
  inner: SyncTransport,
  options: { random: RandomSource; scheduler: SyncScheduler; plan?: Partial<FaultPlan> },
): FaultTransport {
  const plan: FaultPlan = { ...DEFAULT_FAULT_PLAN, ...options.plan };
  const { random, scheduler } = options;
  let healed = false;
  let connected = false;
  const injected: FaultRecord[] = [];
  const pokes = new ListenerSet<void>();
  const connection = new ListenerSet<ConnectionEvent>();
  const inFlight = new Set<(error: SyncTransportError) => void>();

  const budgetLeft = () => !healed && injected.length < plan.maxFaults;
  const chance = (rate: number) => budgetLeft() && random() < rate;
  const pick = <T>(items: readonly T[]): T =>
    items[Math.min(items.length - 1, Math.floor(random() * items.length))]!;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => scheduler.setTimer(resolve, ms));
  }

  function rejectInFlight(): void {
    const error = new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected);
    for (const reject of [...inFlight]) reject(error);
    inFlight.clear();
  }

  function breakConnection(reason = 'network lost'): void {
    if (!connected) return;
    connected = false;
    inner.disconnect();
    rejectInFlight();
    connection.emit({ type: 'disconnected', reason });
  }

  inner.onPoke(() => {
    if (!connected) return;
    if (chance(plan.pokeDropRate)) {
      injected.push({ fault: 'pokeDrop', call: 'poke' });
      return;
    }
    const twice = chance(plan.pokeDuplicateRate);
    if (twice) injected.push({ fault: 'pokeDuplicate', call: 'poke' });
    // Pokes arrive on their own schedule, never inside the hub's transaction that caused them.
    scheduler.setTimer(() => pokes.emit(), 0);
    if (twice) scheduler.setTimer(() => pokes.emit(), Math.floor(random() * plan.maxDelayMs));
  });
  inner.onConnectionChange((event) => {
    if (event.type === 'disconnected' && connected) {
      connected = false;
      rejectInFlight();
      connection.emit(event);
    }
  });

  function call<Req, Res>(name: string, request: Req, send: (request: Req) => Promise<Res>): Promise<Res> {
    if (!connected || !inner.connected) {
      return Promise.reject(new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable));
    }
    const fault = chance(plan.callFaultRate) ? pick(plan.faults) : undefined;
    if (fault !== undefined) injected.push({ fault, call: name });
    const deliverQuietly = () => {
      send(request).catch(() => undefined);
    };
    const timeout = () => new SyncTransportError('timeout', TRANSPORT_MESSAGES.timeout);
    return new Promise<Res>((resolve, reject) => {
      let settled = false;
      const abort = (error: SyncTransportError) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      inFlight.add(abort);
      const finish = (outcome: Promise<Res>) => {
        outcome.then(
          (value) => {
            inFlight.delete(abort);
            if (settled) return;
            settled = true;
            resolve(value);
          },
          (error: unknown) => {
            inFlight.delete(abort);
            if (settled) return;
            settled = true;
            reject(error);
          },
        );
      };
      switch (fault) {
        case undefined:
          finish(send(request));
          return;
        case 'drop':
          finish(sleep(plan.timeoutMs).then(() => Promise.reject(timeout())));
          return;
        case 'lostAck':
          finish(
            send(request).then(
              () => sleep(plan.timeoutMs).then(() => Promise.reject(timeout())),
              () => sleep(plan.timeoutMs).then(() => Promise.reject(timeout())),
            ),
          );
          return;
        case 'duplicate':
          deliverQuietly();
          finish(send(request));
          return;
        case 'reorder':
          scheduler.setTimer(
            () => {
              if (connected && inner.connected) deliverQuietly();
            },
            Math.floor(random() * plan.timeoutMs * 2),
          );
          finish(sleep(plan.timeoutMs).then(() => Promise.reject(timeout())));
          return;
        case 'delay':
          finish(
            sleep(Math.floor(random() * plan.maxDelayMs)).then(() =>
              connected && inner.connected
                ? send(request)
                : Promise.reject(new SyncTransportError('unreachable', TRANSPORT_MESSAGES.disconnected)),
            ),
          );
          return;
        case 'disconnect':
          if (random() < 0.5) deliverQuietly();
          scheduler.setTimer(() => breakConnection('disconnected mid-request'), 0);
          return;
        case 'busy': {
          const retryAfterMs = 1_000 + Math.floor(random() * plan.maxRetryAfterMs);
          finish(
            Promise.reject(new SyncTransportError('busy', TRANSPORT_MESSAGES.busy, {}, { retryAfterMs })),
          );
          return;
        }
      }
    });
  }

  return {
    get connected() {
      return connected && inner.connected;
    },
    async connect() {
      if (connected && inner.connected) return;
      if (chance(plan.connectFailRate)) {
        injected.push({ fault: 'connectFail', call: 'connect' });
        await sleep(Math.floor(random() * plan.maxDelayMs));
        throw new SyncTransportError('unreachable', TRANSPORT_MESSAGES.unreachable);
      }
      await inner.connect();
      connected = true;
    },
    disconnect() {
      connected = false;
      inner.disconnect();
      rejectInFlight();
    },
    push: (request: PushRequest) => call('push', request, (r) => inner.push(r)),
    pull: (request: PullRequest) => call('pull', request, (r) => inner.pull(r)),
    snapshot: (request: SnapshotRequest) => call('snapshot', request, (r) => inner.snapshot(r)),
    onPoke: (listener) => pokes.add(listener),
    onConnectionChange: (listener) => connection.add(listener),
    heal() {
      healed = true;
    },
    breakConnection,
    get injected() {
      return injected;
    },
  };
}
