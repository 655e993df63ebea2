import { DomainError } from '@retail/domain';
import type { EventEnvelope } from '../envelope';
import type { FeedChange } from '../feed';
import {
  assertPushIdentity,
  ingestPush,
  type ApplyOutcome,
  type DeviceIngestTransaction,
  type DevicePrincipal,
  type IngestPort,
  type ValidPayload,
} from '../server/ingest';
import {
  PullRequestSchema,
  PushRequestSchema,
  SnapshotRequestSchema,
  type PullPage,
  type PushAck,
  type SnapshotPage,
} from '../server/protocol';
import { feedKey } from './memory-feed-store';

/** Chain-wide feed rows; any other scope is the store id a row is for. */
export const CHAIN_SCOPE = '*';

export interface HubFeedInput {
  readonly entity: string;
  readonly key: string;
  readonly op: 'upsert' | 'delete';
  readonly data?: unknown;
  readonly scope?: string;
}

interface FeedRow extends FeedChange {
  readonly scope: string;
}

interface DeviceLedger {
  lastSeq: number;
  /** deviceSeq → eventId of everything dealt with (applied or rejected with advance). */
  readonly bySeq: Map<number, string>;
}

interface AppliedRecord {
  readonly deviceId: string;
  readonly deviceSeq: number;
  readonly eventId: string;
  readonly status: 'applied' | 'rejected';
}

interface HubState {
  epochNo: number;
  hubSeq: number;
  readonly feed: Map<string, FeedRow>;
  readonly devices: Map<string, DeviceLedger>;
  /** Everything applied or rejected, in the order it happened. */
  readonly log: AppliedRecord[];
  readonly rejections: { eventId: string; deviceSeq: number; reason: string; advances: boolean }[];
}

export type HubBackup = Readonly<HubState>;

export interface ReferenceHubOptions {
  /** Decides each valid event; the default applies everything (offline facts are never refused). */
  readonly apply?: (event: EventEnvelope, payload: ValidPayload) => ApplyOutcome;
}

function parseRequest<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  value: unknown,
  what: string,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DomainError(
    'INVALID_INPUT',
    `The ${what} request is invalid at ${issue?.path.join('.') || 'its top level'}: ${issue?.message ?? 'invalid'}.`,
  );
}

/**
 * An in-memory hub built on the real protocol code (`ingestPush`, `planBatch`): per-device lastSeq
 * stored atomically with the effects, pushes serialised per device, a compacted change feed with
 * epochs, paged snapshots, pokes, and backup/restore. The model-based tests run the client against it;
 * the apps' tests can use it as a hub that is known to follow the protocol.
 */
export class ReferenceHub {
  private state: HubState = {
    epochNo: 1,
    hubSeq: 0,
    feed: new Map(),
    devices: new Map(),
    log: [],
    rejections: [],
  };
  private readonly pokeListeners = new Map<string, Set<() => void>>();
  private readonly deviceLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ReferenceHubOptions = {}) {}

  get epoch(): string {
    return `epoch-${this.state.epochNo}`;
  }

  get head(): number {
    let head = 0;
    for (const row of this.state.feed.values()) head = Math.max(head, row.hubSeq);
    return head;
  }

  private readonly port: IngestPort = {
    withDevice: async <T>(
      deviceId: string,
      work: (tx: DeviceIngestTransaction) => Promise<T>,
    ): Promise<T> => {
      // One push per device at a time, like the row lock a real hub takes.
      const previous = this.deviceLocks.get(deviceId) ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(() => this.transaction(deviceId, work));
      this.deviceLocks.set(deviceId, run);
      return run;
    },
  };

  private async transaction<T>(
    deviceId: string,
    work: (tx: DeviceIngestTransaction) => Promise<T>,
  ): Promise<T> {
    const base = this.state;
    const ledger = base.devices.get(deviceId) ?? { lastSeq: 0, bySeq: new Map<number, string>() };
    const draft = {
      lastSeq: ledger.lastSeq,
      bySeq: new Map(ledger.bySeq),
      log: [] as AppliedRecord[],
      rejections: [] as HubState['rejections'],
    };
    const tx: DeviceIngestTransaction = {
      lastSeq: ledger.lastSeq,
      appliedEventIds: async (seqs) =>
        new Map(seqs.flatMap((seq) => (draft.bySeq.has(seq) ? [[seq, draft.bySeq.get(seq)!] as const] : []))),
      rejectionReasons: async (eventIds) => {
        const wanted = new Set(eventIds);
        return new Map(
          [...base.rejections, ...draft.rejections]
            .filter((rejection) => rejection.advances && wanted.has(rejection.eventId))
            .map((rejection) => [rejection.eventId, rejection.reason] as const),
        );
      },
      apply: async (event, payload) => {
        const outcome = this.options.apply?.(event, payload) ?? { status: 'applied' as const };
        if (outcome.status === 'applied') {
          draft.bySeq.set(event.deviceSeq, event.eventId);
          draft.log.push({ deviceId, deviceSeq: event.deviceSeq, eventId: event.eventId, status: 'applied' });
        }
        return outcome;
      },
      reject: async (event, reason, advances) => {
        draft.rejections.push({ eventId: event.eventId, deviceSeq: event.deviceSeq, reason, advances });
        if (advances) {
          draft.bySeq.set(event.deviceSeq, event.eventId);
          draft.log.push({
            deviceId,
            deviceSeq: event.deviceSeq,
            eventId: event.eventId,
            status: 'rejected',
          });
        }
      },
      finish: async ({ lastSeq }) => {
        draft.lastSeq = lastSeq;
      },
    };
    const result = await work(tx);
    if (this.state !== base) {
      // A restore replaced the state while this push ran: its effects belong to a world that is gone.
      throw new DomainError('HUB_UNAVAILABLE', 'The hub restarted during this push; push again.');
    }
    this.state.devices.set(deviceId, { lastSeq: draft.lastSeq, bySeq: draft.bySeq });
    this.state.log.push(...draft.log);
    this.state.rejections.push(...draft.rejections);
    return result;
  }

  async push(principal: DevicePrincipal, body: unknown): Promise<PushAck> {
    const request = parseRequest(PushRequestSchema, body, 'push');
    assertPushIdentity(request, principal);
    return ingestPush(request, this.port);
  }

  async pull(principal: DevicePrincipal, body: unknown): Promise<PullPage> {
    const request = parseRequest(PullRequestSchema, body, 'pull');
    const lastSeq = this.state.devices.get(principal.deviceId)?.lastSeq ?? 0;
    const head = this.head;
    if ((request.epoch !== undefined && request.epoch !== this.epoch) || request.cursor > head) {
      return { epoch: this.epoch, changes: [], cursor: 0, upToDate: false, lastSeq, mustRefetch: true };
    }
    const rows = this.rowsFor(principal.storeId).filter((row) => row.hubSeq > request.cursor);
    const page = rows.slice(0, request.limit);
    const full = rows.length > request.limit || page.length === request.limit;
    return {
      epoch: this.epoch,
      changes: page.map(toChange),
      cursor: full ? page.at(-1)!.hubSeq : head,
      upToDate: !full,
      lastSeq,
      mustRefetch: false,
    };
  }

  async snapshot(principal: DevicePrincipal, body: unknown): Promise<SnapshotPage> {
    const request = parseRequest(SnapshotRequestSchema, body, 'snapshot');
    const upTo = request.upTo ?? this.head;
    const live = this.rowsFor(principal.storeId).filter((row) => row.op === 'upsert' && row.hubSeq <= upTo);
    const rows = live.filter((row) => row.hubSeq > request.after).slice(0, request.limit);
    const done = rows.length < request.limit;
    return {
      epoch: this.epoch,
      upTo,
      changes: rows.map(toChange),
      after: done ? upTo : rows.at(-1)!.hubSeq,
      done,
      total: live.length,
    };
  }

  private rowsFor(storeId: string): FeedRow[] {
    return [...this.state.feed.values()]
      .filter((row) => row.scope === CHAIN_SCOPE || row.scope === storeId)
      .sort((a, b) => a.hubSeq - b.hubSeq);
  }

  /** Appends changes to the compacted feed (newest row per entity key) and pokes the stores they concern. */
  change(...inputs: HubFeedInput[]): void {
    const scopes = new Set<string>();
    for (const input of inputs) {
      this.state.hubSeq += 1;
      const row: FeedRow = {
        hubSeq: this.state.hubSeq,
        entity: input.entity,
        key: input.key,
        op: input.op,
        ...(input.op === 'upsert' ? { data: structuredClone(input.data) } : {}),
        scope: input.scope ?? CHAIN_SCOPE,
      };
      this.state.feed.set(feedKey(input.entity, input.key), row);
      scopes.add(row.scope);
    }
    this.poke(scopes);
  }

  /** Starts a new feed epoch with renumbered rows (a rebuilt feed): every store must re-snapshot. */
  rotateEpoch(): void {
    this.state.epochNo += 1;
    const rows = [...this.state.feed.values()].sort((a, b) => a.hubSeq - b.hubSeq);
    this.state.hubSeq = 0;
    this.state.feed.clear();
    for (const row of rows) {
      this.state.hubSeq += 1;
      this.state.feed.set(feedKey(row.entity, row.key), { ...row, hubSeq: this.state.hubSeq });
    }
    this.poke(new Set([CHAIN_SCOPE]));
  }

  backup(): HubBackup {
    return structuredClone(this.state);
  }

  /**
   * Puts a backup back, as an operator would after losing the hub's disk. A restored hub must start a
   * new feed epoch: stores may hold hubSeqs the restored feed never issued.
   */
  restore(backup: HubBackup): void {
    const epochNo = Math.max(this.state.epochNo, backup.epochNo) + 1;
    this.state = { ...structuredClone(backup), epochNo };
    this.poke(new Set([CHAIN_SCOPE]));
  }

  onPoke(storeId: string, listener: () => void): () => void {
    const set = this.pokeListeners.get(storeId) ?? new Set();
    set.add(listener);
    this.pokeListeners.set(storeId, set);
    return () => set.delete(listener);
  }

  private poke(scopes: Set<string>): void {
    for (const [storeId, listeners] of this.pokeListeners) {
      if (!scopes.has(CHAIN_SCOPE) && !scopes.has(storeId)) continue;
      for (const listener of [...listeners]) listener();
    }
  }

  lastSeq(deviceId: string): number {
    return this.state.devices.get(deviceId)?.lastSeq ?? 0;
  }

  /** What the hub did with one device's events, in the order it did it. */
  history(deviceId: string): readonly AppliedRecord[] {
    return this.state.log.filter((record) => record.deviceId === deviceId);
  }

  rejections(): readonly { eventId: string; deviceSeq: number; reason: string; advances: boolean }[] {
    return this.state.rejections;
  }

  /** The hub data a store should hold: the live rows of its scope, keyed like MemoryFeedStore. */
  dataFor(storeId: string): Map<string, unknown> {
    const data = new Map<string, unknown>();
    for (const row of this.rowsFor(storeId))
      if (row.op === 'upsert') data.set(feedKey(row.entity, row.key), row.data);
    return data;
  }
}

function toChange(row: FeedRow): FeedChange {
  const change: FeedChange = { hubSeq: row.hubSeq, entity: row.entity, key: row.key, op: row.op };
  return row.data === undefined ? change : { ...change, data: structuredClone(row.data) };
}
