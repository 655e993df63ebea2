import type { RandomSource, SyncScheduler, TimerHandle } from '@retail/sync';

export interface HubProbeOptions {
  /** The hub's liveness URL (`<hub>/healthz`). */
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly scheduler: SyncScheduler;
  readonly random: RandomSource;
  /** Mean time between two probes; each wait is jittered by ±50 % so a fleet does not probe in step. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** The hub answered 2xx. Called once; the probe stops itself. */
  readonly onAlive: () => void;
}

export interface HubProbe {
  stop(): void;
}

/**
 * While the sync agent waits out a backoff, asks the hub's `/healthz` now and then: the moment the hub is
 * back the agent retries, instead of sleeping out a delay that grew during a long outage. `/healthz` is
 * unauthenticated and costs the hub nothing, so probing is cheap even for many stores.
 */
export function startHubProbe(options: HubProbeOptions): HubProbe {
  let stopped = false;
  let timer: TimerHandle | null = null;
  const schedule = () => {
    if (stopped) return;
    const wait = Math.round(options.intervalMs * (0.5 + options.random()));
    timer = options.scheduler.setTimer(() => void probe(), wait);
  };
  async function probe(): Promise<void> {
    timer = null;
    let alive: boolean;
    try {
      const response = await options.fetch(options.url, { signal: AbortSignal.timeout(options.timeoutMs) });
      alive = response.ok;
      await response.body?.cancel();
    } catch {
      alive = false;
    }
    if (stopped) return;
    if (!alive) {
      schedule();
      return;
    }
    stopped = true;
    options.onAlive();
  }
  schedule();
  return {
    stop() {
      stopped = true;
      timer?.cancel();
      timer = null;
    },
  };
}
