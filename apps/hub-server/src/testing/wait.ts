/**
 * Waits for a condition instead of a fixed time: polls `probe` (every 50 ms by default) until it returns something
 * other than undefined or false, and returns that. A probe that throws fails the wait at once, so an
 * assertion inside a probe keeps its force. The deadline only bounds a test that would otherwise hang;
 * it is generous because the machine may be slow, and shorter than vitest's test timeout so the failure
 * names what never happened.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  return poll(what, probe, timeoutMs, intervalMs, false);
}

/**
 * As `until`, but a probe that throws counts as not yet (a hub still starting, a row not written yet);
 * its last error is named if the deadline passes.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  return poll(what, probe, timeoutMs, intervalMs, true);
}

async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  intervalMs: number,
  retryErrors: boolean,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      if (!retryErrors) throw error;
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`never happened: ${what}${last === undefined ? '' : ` (${String(last)})`}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
