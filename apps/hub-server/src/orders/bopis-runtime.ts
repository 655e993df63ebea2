import type { HubContext } from '../hub-context';
import { DEFAULT_BOPIS_SETTINGS, type BopisSettings } from './order-change';
import { expireDueOrders, nextExpiryAt, resolveShortPicks } from './order-lifecycle';
import { resolveOpenOversells, type OversellResolution } from './oversell';

/**
 * The hub's BOPIS timers, in one loop: resolve oversells raised by ingest, re-route short-picked
 * orders, expire ready orders past their deadline. Each pass is safe to repeat (every step re-checks the
 * order under its lock), so the loop simply runs when kicked (after a transaction asked for follow-up
 * work), when the next expiry is due, and at least every `intervalMs` as a safety net. Customer
 * notifications are delivered by the integration runtime's delivery engine.
 */

export interface BopisRuntimeLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface BopisRuntimeOptions {
  readonly settings?: BopisSettings;
  /** The longest the loop sleeps (default 5 s). */
  readonly intervalMs?: number;
  readonly logger?: BopisRuntimeLogger;
}

export interface BopisPassReport {
  readonly oversells: readonly OversellResolution[];
  readonly shortPicksRerouted: number;
  readonly expired: number;
}

export interface BopisRuntime {
  /** Run a pass soon (coalesced with one already running). */
  kick(): void;
  /** One full pass, awaited: what tests and the CLI's shutdown use. */
  runOnce(): Promise<BopisPassReport>;
  /** Resolves when no pass is running or queued. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function runBopisPass(
  hub: HubContext,
  options: Pick<BopisRuntimeOptions, 'settings'> = {},
): Promise<BopisPassReport> {
  const settings = options.settings ?? DEFAULT_BOPIS_SETTINGS;
  const oversells = await resolveOpenOversells(hub, settings);
  const shortPicksRerouted = await resolveShortPicks(hub, settings);
  const expired = await expireDueOrders(hub);
  return { oversells, shortPicksRerouted, expired };
}

export function startBopisRuntime(hub: HubContext, options: BopisRuntimeOptions = {}): BopisRuntime {
  const intervalMs = options.intervalMs ?? 5000;
  let running: Promise<BopisPassReport> | undefined;
  let again = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const pass = async (): Promise<BopisPassReport> => {
    const report = await runBopisPass(hub, options);
    const busy = report.oversells.length > 0 || report.shortPicksRerouted > 0 || report.expired > 0;
    if (busy) {
      options.logger?.info(
        {
          oversells: report.oversells.map((entry) => ({
            exceptionId: entry.exceptionId,
            outcome: entry.outcome,
          })),
          shortPicksRerouted: report.shortPicksRerouted,
          expired: report.expired,
        },
        'BOPIS pass',
      );
    }
    return report;
  };

  const schedule = async () => {
    if (stopped) return;
    const now = hub.now();
    const expiry = await nextExpiryAt(hub).catch(() => undefined);
    const wake = Math.min(now + intervalMs, expiry ?? Infinity);
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => start(), Math.max(0, wake - now));
    timer.unref();
  };

  const start = (): Promise<BopisPassReport> => {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = pass()
      .catch((error: unknown) => {
        options.logger?.error({ err: error }, 'BOPIS pass failed');
        return { oversells: [], shortPicksRerouted: 0, expired: 0 };
      })
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          void start();
        } else {
          void schedule();
        }
      });
    return running;
  };

  hub.hooks.followUp = () => {
    if (!stopped) void start();
  };
  void start();

  return {
    kick: () => {
      if (!stopped) void start();
    },
    runOnce: async () => {
      if (running !== undefined) await running.catch(() => undefined);
      return runBopisPass(hub, options);
    },
    async idle() {
      while (running !== undefined) await running.catch(() => undefined);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (hub.hooks.followUp !== undefined) delete hub.hooks.followUp;
      while (running !== undefined) await running.catch(() => undefined);
    },
  };
}
