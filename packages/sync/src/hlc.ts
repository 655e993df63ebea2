import { DomainError, invalid } from '@retail/domain';

/**
 * Hybrid logical clock (Kulkarni et al.; the variant Actual Budget ships as its "HULC"): a timestamp that
 * stays close to the wall clock but never goes backwards on one node, and that orders causally related
 * events across nodes. Event envelopes carry it as `hlc`; `deviceSeq` stays the per-device order, the
 * HLC is for ordering events of different devices (e.g. a return against a sale rung up on another lane).
 *
 * Text form: `{wallMs, 18 digits}:{counter, 5 digits}:{nodeId}`. Fixed widths make the plain string order
 * equal to the timestamp order, so databases can sort and compare the text directly.
 */
export interface Hlc {
  /** Milliseconds since the Unix epoch: the largest wall time this node has seen. */
  readonly wallMs: number;
  /** Orders events within one `wallMs`. */
  readonly counter: number;
  /** The node (device) that produced the timestamp: the final tie-breaker. */
  readonly nodeId: string;
}

export const HLC_MAX_COUNTER = 0xffff;
const WALL_DIGITS = 18;
const COUNTER_DIGITS = 5;
const HLC_TEXT = /^(\d{18}):(\d{5}):(.+)$/;

function assertValidParts(wallMs: number, counter: number, nodeId: string): void {
  if (!Number.isSafeInteger(wallMs) || wallMs < 0) {
    throw invalid('sync.clockTimeMustWhole', {}, { wallMs });
  }
  if (!Number.isInteger(counter) || counter < 0 || counter > HLC_MAX_COUNTER) {
    throw invalid('sync.hlcCounterMustBetween', { HLC_MAX_COUNTER }, { counter });
  }
  if (nodeId.length === 0 || nodeId.length > 100) {
    throw invalid('sync.hlcNodeIdMust', {}, { nodeId });
  }
}

export function formatHlc(hlc: Hlc): string {
  assertValidParts(hlc.wallMs, hlc.counter, hlc.nodeId);
  return `${String(hlc.wallMs).padStart(WALL_DIGITS, '0')}:${String(hlc.counter).padStart(COUNTER_DIGITS, '0')}:${hlc.nodeId}`;
}

export function parseHlc(text: string): Hlc {
  const match = HLC_TEXT.exec(text);
  if (!match) throw invalid('sync.notHybridLogicalClock', { text: JSON.stringify(text) }, { text });
  const [, wall = '', counterText = '', nodeId = ''] = match;
  const wallMs = Number(wall);
  const counter = Number(counterText);
  assertValidParts(wallMs, counter, nodeId);
  return { wallMs, counter, nodeId };
}

export function compareHlc(a: Hlc, b: Hlc): -1 | 0 | 1 {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.nodeId === b.nodeId) return 0;
  return a.nodeId < b.nodeId ? -1 : 1;
}

/**
 * Moves to (wallMs, counter) and keeps the counter in range. A counter overflow borrows the next
 * millisecond instead of failing: refusing to timestamp a sale because 65,536 events happened in one
 * millisecond would be worse than running 1 ms ahead of the wall clock.
 */
function advance(wallMs: number, counter: number, nodeId: string): Hlc {
  return counter > HLC_MAX_COUNTER ? { wallMs: wallMs + 1, counter: 0, nodeId } : { wallMs, counter, nodeId };
}

/** The timestamp for a local event (or a send): strictly greater than `last`, even if the wall clock stepped back. */
export function tickHlc(last: Hlc | undefined, wallMs: number, nodeId: string): Hlc {
  assertValidParts(Math.floor(wallMs), 0, nodeId);
  const wall = Math.floor(wallMs);
  if (last === undefined || wall > last.wallMs) return { wallMs: wall, counter: 0, nodeId };
  return advance(last.wallMs, last.counter + 1, nodeId);
}

export interface ReceiveOptions {
  /**
   * Refuse a remote timestamp this far ahead of our wall clock (Actual uses 5 minutes). Left unset, any
   * skew is accepted: deviceSeq and the hub's own order carry correctness, the HLC only orders events.
   */
  readonly maxDriftMs?: number;
}

/** The timestamp after receiving `remote`: greater than both `last` and `remote`. */
export function receiveHlc(
  last: Hlc | undefined,
  remote: Hlc,
  wallMs: number,
  nodeId: string,
  options: ReceiveOptions = {},
): Hlc {
  assertValidParts(Math.floor(wallMs), 0, nodeId);
  const wall = Math.floor(wallMs);
  if (options.maxDriftMs !== undefined && remote.wallMs - wall > options.maxDriftMs) {
    const minutes = Math.ceil((remote.wallMs - wall) / 60_000);
    throw new DomainError(
      'INVALID_INPUT',
      'sync.deviceClockAboutMinute',
      { nodeId: remote.nodeId, minutes },
      { remoteWallMs: remote.wallMs, localWallMs: wall, maxDriftMs: options.maxDriftMs },
    );
  }
  const lastWall = last?.wallMs ?? -1;
  const top = Math.max(wall, lastWall, remote.wallMs);
  if (top === lastWall && top === remote.wallMs) {
    return advance(top, Math.max(last?.counter ?? 0, remote.counter) + 1, nodeId);
  }
  if (top === lastWall) return advance(top, (last?.counter ?? 0) + 1, nodeId);
  if (top === remote.wallMs) return advance(top, remote.counter + 1, nodeId);
  return { wallMs: top, counter: 0, nodeId };
}

export interface HlcClock {
  /** Timestamp a local event. */
  tick(): string;
  /** Merge a timestamp received from another node and return our next one. */
  receive(remote: string): string;
  /** The last timestamp issued, if any. */
  last(): Hlc | undefined;
}

/**
 * A stateful clock for one node. Seed `last` with the newest timestamp this node ever persisted so a
 * restart with a clock that stepped back still continues upwards.
 */
export function createHlcClock(options: {
  nodeId: string;
  now: () => number;
  last?: Hlc | string;
  maxDriftMs?: number;
}): HlcClock {
  let last = typeof options.last === 'string' ? parseHlc(options.last) : options.last;
  const drift = options.maxDriftMs === undefined ? {} : { maxDriftMs: options.maxDriftMs };
  return {
    tick() {
      last = tickHlc(last, options.now(), options.nodeId);
      return formatHlc(last);
    },
    receive(remote) {
      last = receiveHlc(last, parseHlc(remote), options.now(), options.nodeId, drift);
      return formatHlc(last);
    },
    last: () => last,
  };
}
