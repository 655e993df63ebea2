import { isDomainError } from '@retail/domain';
import type { DevicePrincipal } from '@retail/sync';
import type { HubMetrics } from '../api/metrics';
import { raiseException } from '../exceptions/exception-queue';
import type { HubContext } from '../hub-context';

export interface RefusedPushOptions {
  /** One device's refused pushes touch the exception queue at most this often. */
  readonly traceEveryMs?: number;
}

export const DEFAULT_REFUSED_PUSH_TRACE_MS = 60_000;
/** Devices remembered for throttling; the oldest is forgotten first (costs at most one extra write). */
const MAX_TRACKED_DEVICES = 10_000;
const MAX_ISSUES = 5;

interface Tally {
  tracedAt: number;
  sinceTrace: number;
}

/**
 * A push refused whole (its body does not parse, or it names another device) applies nothing and gets a
 * 400/403, so without this nothing at HQ would say that a till is stuck sending a batch the hub will never
 * take. Only authenticated devices get here (the route authenticates before reading a byte of the body),
 * and each device has ONE open `PUSH_REFUSED` exception that further refusals update, written at most
 * once per `traceEveryMs`: a misbehaving till costs a row update a minute, not a row per request.
 */
export class RefusedPushTrace {
  private readonly tallies = new Map<string, Tally>();

  constructor(
    private readonly hub: HubContext,
    private readonly options: RefusedPushOptions = {},
    private readonly metrics?: HubMetrics,
  ) {}

  /** Records `error` (what the device was answered) against the device; never throws. */
  async note(device: DevicePrincipal, error: unknown): Promise<void> {
    if (!isDomainError(error) || (error.code !== 'INVALID_INPUT' && error.code !== 'FORBIDDEN')) return;
    this.metrics?.pushesRefused.inc({ code: error.code });
    const now = this.hub.now();
    const tally = this.tallies.get(device.deviceId);
    if (
      tally !== undefined &&
      now - tally.tracedAt < (this.options.traceEveryMs ?? DEFAULT_REFUSED_PUSH_TRACE_MS)
    ) {
      tally.sinceTrace += 1;
      return;
    }
    const refusals = (tally?.sinceTrace ?? 0) + 1;
    this.tallies.delete(device.deviceId);
    this.tallies.set(device.deviceId, { tracedAt: now, sinceTrace: 0 });
    if (this.tallies.size > MAX_TRACKED_DEVICES) {
      this.tallies.delete(this.tallies.keys().next().value as string);
    }
    try {
      await raiseException(
        this.hub.storage.db,
        {
          type: 'PUSH_REFUSED',
          severity: 'critical',
          nodeId: device.storeId,
          causeEventIds: [],
          conditionKey: `PUSH_REFUSED:${device.deviceId}`,
          details: {
            message: `Device ${device.deviceId} sent a batch of events the hub refused whole (${error.code}: ${error.message}). Nothing of it was applied and the till will keep sending it: update the till's software or contact support with this device id.`,
            deviceId: device.deviceId,
            code: error.code,
            issues: issuesOf(error.details),
            refusalsSinceLastTrace: refusals,
          },
        },
        now,
        this.hub.newId,
      );
    } catch {
      // The trace is best effort: the device already gets its refusal, and the next refusal tries again.
      this.tallies.delete(device.deviceId);
    }
  }
}

function issuesOf(details: Record<string, unknown> | undefined): unknown[] {
  const issues = details?.issues;
  if (Array.isArray(issues)) return issues.slice(0, MAX_ISSUES);
  return details === undefined ? [] : [details];
}
