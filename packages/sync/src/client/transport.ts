import type { z } from 'zod';
import { areFeedChanges } from '../feed';
import {
  PullPageSchema,
  PushAckSchema,
  SnapshotPageSchema,
  type PullPage,
  type PullRequest,
  type PushAck,
  type PushRequest,
  type SnapshotPage,
  type SnapshotRequest,
} from '../server/protocol';
import { SyncTransportError } from './sync-error';

export type ConnectionEvent =
  { readonly type: 'connected' } | { readonly type: 'disconnected'; readonly reason: string };

/**
 * How the agent talks to the hub. Implementations: socket.io (`createSocketIoTransport`), HTTP
 * (`createHttpTransport`), and in-process ones for tests (`testing/`).
 *
 * Contract:
 * - Every call settles: it resolves with a response already validated against the protocol schema, or
 *   rejects with a SyncTransportError (a timeout is a rejection, never a hang).
 * - A call made while not connected rejects with failure `unreachable` and sends nothing; nothing is
 *   queued for a later connection (the agent decides what to send after a reconnect).
 * - A disconnect rejects the calls in flight.
 * - Pokes are hints: they may be lost, duplicated or late. The agent never depends on them.
 */
export interface SyncTransport {
  /** Resolves once connected; rejects with a SyncTransportError (e.g. `unauthorized`, `unreachable`). */
  connect(): Promise<void>;
  /** Closes the connection; idempotent. Does not emit `disconnected` for a close the agent asked for. */
  disconnect(): void;
  readonly connected: boolean;
  push(request: PushRequest): Promise<PushAck>;
  pull(request: PullRequest): Promise<PullPage>;
  snapshot(request: SnapshotRequest): Promise<SnapshotPage>;
  /** The hub's feed for this store advanced. Returns an unsubscribe function. */
  onPoke(listener: () => void): () => void;
  /** The connection dropped or came back on its own. Returns an unsubscribe function. */
  onConnectionChange(listener: (event: ConnectionEvent) => void): () => void;
}

/** Validates a hub answer at the edge: anything off-protocol becomes a `protocol` failure. */
export function parseHubResponse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw new SyncTransportError('protocol', 'sync.hubSentMalformedAnswer', {
    what,
    atPath: path === '' ? 'no' : 'yes',
    path,
    issue: issue?.message ?? 'invalid',
  });
}

export const parsePushAck = (value: unknown): PushAck => parseHubResponse(PushAckSchema, value, 'push');
export const parsePullPage = (value: unknown): PullPage => parseHubResponse(PullPageSchema, value, 'pull');

const SNAPSHOT_PAGE_KEYS: ReadonlySet<string> = new Set([
  'epoch',
  'upTo',
  'changes',
  'after',
  'done',
  'total',
]);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * SnapshotPageSchema's rules by hand: true only for a page the schema accepts and returns unchanged. A
 * snapshot page holds up to a thousand changes, and a zod object per change was a tenth of a first sync's
 * time on the till; every other page goes through the schema, for its error.
 */
function isSnapshotPage(value: unknown): value is SnapshotPage {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return false;
  }
  let keys = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || !SNAPSHOT_PAGE_KEYS.has(key)) return false;
    keys += 1;
  }
  const page = value as Record<string, unknown>;
  return (
    keys === SNAPSHOT_PAGE_KEYS.size &&
    typeof page.epoch === 'string' &&
    isCount(page.upTo) &&
    isCount(page.after) &&
    typeof page.done === 'boolean' &&
    isCount(page.total) &&
    areFeedChanges(page.changes)
  );
}

export const parseSnapshotPage = (value: unknown): SnapshotPage =>
  isSnapshotPage(value) ? value : parseHubResponse(SnapshotPageSchema, value, 'snapshot');

/**
 * A snapshot page as the socket.io transport asks for it (`encoding: 'json-bytes'`): the UTF-8 bytes of
 * its JSON, which the hub writes from the feed rows it stores as JSON text without parsing them, and
 * socket.io carries as a binary attachment without walking or escaping it. A hub that does not know the
 * encoding answers the page as an object, which is taken as before. Either way it is checked as any page.
 */
export function parseSnapshotPayload(value: unknown): SnapshotPage {
  if (!(value instanceof Uint8Array) && !(value instanceof ArrayBuffer)) return parseSnapshotPage(value);
  let page: unknown;
  try {
    page = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value)) as unknown;
  } catch (error) {
    throw new SyncTransportError('protocol', 'sync.hubSentMalformedAnswer', {
      what: 'snapshot',
      atPath: 'no',
      path: '',
      issue: error instanceof Error ? error.message : 'not JSON',
    });
  }
  return parseSnapshotPage(page);
}

/** A small typed listener set shared by the transports. */
export class ListenerSet<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // One faulty listener must not stop the others or the transport that notifies them.
      }
    }
  }
}
