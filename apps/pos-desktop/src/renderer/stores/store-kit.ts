import type { ErrorBody, Result } from '@retail/domain';

/** Every area store carries the last command failure (shown as the node's sentence) and a busy flag. */
export interface CommandState {
  readonly busy: boolean;
  readonly error: ErrorBody | null;
}

type SetCommandState = (partial: Partial<CommandState>) => void;

/**
 * Runs store actions one after another. A barcode scanner fires Enter faster than the node answers; two
 * scans must never both decide "there is no sale yet" and start two sales, so area actions queue up.
 */
export function createActionQueue() {
  let tail: Promise<unknown> | null = null;
  return function enqueue<T>(work: () => Promise<T>): Promise<T> {
    // Idle queue: start now, in the keystroke's own task, so the command leaves without waiting a turn.
    const next = tail === null ? work() : tail.then(work, work);
    const settled: Promise<unknown> = next.then(
      () => undefined,
      () => undefined,
    );
    tail = settled;
    void settled.then(() => {
      if (tail === settled) tail = null;
    });
    return next;
  };
}

/**
 * Unwraps a command result for a store: on failure the node's error becomes the area's visible error and
 * the caller gets undefined; on success the previous error is cleared.
 */
export function settle<T>(set: SetCommandState, result: Result<T>): T | undefined {
  if (!result.ok) {
    set({ error: result.error, busy: false });
    return undefined;
  }
  set({ error: null, busy: false });
  return result.value;
}

/** An error raised by the screen itself (bad input before anything is sent), in the node's envelope shape. */
export function screenError(message: string): ErrorBody {
  return { code: 'INVALID_INPUT', message };
}
