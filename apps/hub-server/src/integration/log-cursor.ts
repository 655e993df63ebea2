import { DomainError } from '@retail/domain';
import { readFeedEpoch, type Executor } from '../storage/storage';
import { integrationHead, positionBefore } from './outbound-log';

/**
 * A consumer's place in the outbound log: `<position>.<epoch>.<servedAt>`. The position alone is enough
 * while the hub keeps its history. The other two parts make the cursor survive a restore from a backup:
 * the restored hub has started a new feed epoch (docs/sync.md §6) and may hand out positions again that a
 * consumer already passed, for facts it derives again as tills re-send their events. A cursor of another
 * epoch therefore resumes at the first event recorded after the cursor was served (less a margin for the
 * clocks of several hub processes), or at its own position if that is earlier: some events may come
 * twice (consumers de-duplicate by event id, which is stable), none is skipped.
 */
export interface LogCursor {
  readonly position: number;
  /** First 8 characters of the feed epoch the cursor was served in. */
  readonly epoch?: string;
  /** When it was served, epoch milliseconds. */
  readonly servedAt?: number;
}

const EPOCH_TAG_LENGTH = 8;
/** How far hub processes' clocks may disagree. */
export const CLOCK_MARGIN_MS = 5 * 60_000;

export const CURSOR_PATTERN = /^\s*(\d{1,15})(?:\.([0-9a-f-]{1,36})\.(\d{1,15}))?\s*$/;

export function formatCursor(cursor: Required<LogCursor>): string {
  return `${cursor.position}.${cursor.epoch}.${cursor.servedAt}`;
}

export function parseCursor(text: string): LogCursor {
  const match = CURSOR_PATTERN.exec(text.trim());
  if (match === null) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.integration.cursorNotHubHanded',
      {},
      { issues: [{ path: 'query.after', message: 'not a cursor' }] },
    );
  }
  const position = Number(match[1]);
  return match[2] === undefined
    ? { position }
    : { position, epoch: match[2].slice(0, EPOCH_TAG_LENGTH), servedAt: Number(match[3]) };
}

export async function currentEpochTag(executor: Executor): Promise<string> {
  return (await readFeedEpoch(executor)).slice(0, EPOCH_TAG_LENGTH);
}

/** Where a read from `cursor` starts in this hub's log. */
export async function resumePosition(
  executor: Executor,
  cursor: LogCursor,
  epochTag: string,
): Promise<number> {
  const head = await integrationHead(executor);
  const sameHistory = cursor.epoch === undefined || cursor.epoch === epochTag;
  if (sameHistory && cursor.position <= head) return cursor.position;
  if (cursor.servedAt === undefined) {
    // A bare position beyond the head: this hub lost history the consumer saw and cannot tell since when.
    throw new DomainError(
      'CONFLICT',
      'hub.integration.positionBeyondHubLog',
      { position: cursor.position, head },
      { position: cursor.position, head },
    );
  }
  return Math.min(cursor.position, await positionBefore(executor, cursor.servedAt - CLOCK_MARGIN_MS));
}
