import type { HubContext } from '../hub-context';
import { runLoyaltyPass, type LoyaltyPassReport } from './loyalty-service';

/**
 * The hub's loyalty timer: every `intervalMs` it records what time did to the accounts that are due
 * (points becoming usable after the return window, points expiring, redemption holds timing out).
 * `pos-hub serve` starts it next to the BOPIS runtime. A pass is safe to repeat.
 */

export interface LoyaltyRuntimeLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface LoyaltyRuntime {
  runOnce(): Promise<LoyaltyPassReport>;
  stop(): Promise<void>;
}

export function startLoyaltyRuntime(
  hub: HubContext,
  options: { intervalMs?: number; logger?: LoyaltyRuntimeLogger } = {},
): LoyaltyRuntime {
  const intervalMs = options.intervalMs ?? 10_000;
  let running: Promise<LoyaltyPassReport> | undefined;
  let stopped = false;

  const pass = (): Promise<LoyaltyPassReport> => {
    running ??= runLoyaltyPass(hub)
      .then((report) => {
        if (report.entries > 0) options.logger?.info({ ...report }, 'loyalty pass');
        return report;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (stopped) return;
    pass().catch((error: unknown) => options.logger?.error({ err: error }, 'loyalty pass failed'));
  }, intervalMs);
  timer.unref();

  return {
    runOnce: async () => {
      if (running !== undefined) await running.catch(() => undefined);
      return pass();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running !== undefined) await running.catch(() => undefined);
    },
  };
}
