/**
 * Brings the till's screen back when its renderer dies or hangs. Nothing is lost by reloading: the open
 * sale, parked sales and the shift live in the store node (a separate process), so the reloaded screen
 * signs in and finds the register's open sale again (`sale-current`). A renderer that keeps dying right
 * after each reload is not reloaded forever: staff are told to restart the app.
 */

/** The window as the watchdog sees it (Electron's BrowserWindow and WebContents in main.ts). */
export interface WatchedRenderer {
  onGone(listener: (reason: string) => void): void;
  onUnresponsive(listener: () => void): void;
  onResponsive(listener: () => void): void;
  reload(): void;
  /** Ends a hung renderer so that onGone fires and the page is reloaded. */
  crash(): void;
  giveUp(message: string): void;
}

export interface WatchdogOptions {
  /** How long a page may stay unresponsive before it is killed (a big catalog search takes a moment). */
  readonly hangMs?: number;
  readonly maxReloads?: number;
  readonly reloadWindowMs?: number;
  readonly now?: () => number;
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
  readonly log?: (message: string) => void;
}

export function watchRenderer(renderer: WatchedRenderer, options: WatchdogOptions = {}): void {
  const hangMs = options.hangMs ?? 15_000;
  const maxReloads = options.maxReloads ?? 5;
  const reloadWindowMs = options.reloadWindowMs ?? 120_000;
  const now = options.now ?? (() => Date.now());
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const log = options.log ?? (() => undefined);
  let hangTimer: unknown;
  let reloads: number[] = [];
  let gaveUp = false;

  const cancelHang = () => {
    if (hangTimer !== undefined) clearTimer(hangTimer);
    hangTimer = undefined;
  };

  renderer.onGone((reason) => {
    cancelHang();
    // A clean exit is the window closing, not a failure.
    if (reason === 'clean-exit' || gaveUp) return;
    const at = now();
    reloads = [...reloads.filter((time) => at - time < reloadWindowMs), at];
    if (reloads.length > maxReloads) {
      gaveUp = true;
      renderer.giveUp(
        `The till's screen stopped ${reloads.length} times in a row (${reason}). Sales are kept; restart the app, and call support if it happens again.`,
      );
      return;
    }
    log(`the till's screen stopped (${reason}); reloading it`);
    renderer.reload();
  });
  renderer.onUnresponsive(() => {
    if (hangTimer !== undefined) return;
    hangTimer = setTimer(() => {
      hangTimer = undefined;
      log(`the till's screen did not respond for ${hangMs / 1000} s; restarting it`);
      renderer.crash();
    }, hangMs);
  });
  renderer.onResponsive(cancelHang);
}
