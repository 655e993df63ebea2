import type { z } from 'zod';
import {
  PullRequestSchema,
  PushRequestSchema,
  SnapshotRequestSchema,
  type DevicePrincipal,
  type PullPage,
  type PullRequest,
  type PushAck,
  type PushRequest,
  type SnapshotPage,
  type SnapshotRequest,
} from '@retail/sync';
import { invalidInput } from '../api/http-errors';
import type { HubMetrics } from '../api/metrics';
import { feedHead } from '../feed/feed-store';
import type { HubContext } from '../hub-context';
import { pushEvents } from '../ingest/hub-ingest';
import { CatchUpAdmission, DEFAULT_CATCH_UP_ADMISSION, type CatchUpAdmissionOptions } from './admission';
import { RefusedPushTrace, type RefusedPushOptions } from './refused-pushes';
import { pullFeed, snapshotPage, SnapshotTotals } from './sync-service';

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
      case 'snapshot':
        return this.snapshot(principal, this.parse('snapshot', body));
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
