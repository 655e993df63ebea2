import { describe, expect, it } from 'vitest';
import { watchRenderer, type WatchedRenderer } from './renderer-watchdog';

function fakeRenderer() {
  const listeners: Record<'gone' | 'unresponsive' | 'responsive', ((reason?: string) => void)[]> = {
    gone: [],
    unresponsive: [],
    responsive: [],
  };
  const calls: string[] = [];
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  let clock = 0;
  const renderer: WatchedRenderer = {
    onGone: (listener) => void listeners.gone.push((reason) => listener(reason ?? '')),
    onUnresponsive: (listener) => void listeners.unresponsive.push(listener),
    onResponsive: (listener) => void listeners.responsive.push(listener),
    reload: () => void calls.push('reload'),
    crash: () => void calls.push('crash'),
    giveUp: (message) => void calls.push(`giveUp: ${message}`),
  };
  watchRenderer(renderer, {
    hangMs: 10_000,
    maxReloads: 3,
    reloadWindowMs: 60_000,
    now: () => clock,
    setTimer: (run) => {
      const id = nextTimer++;
      timers.set(id, run);
      return id;
    },
    clearTimer: (id) => void timers.delete(id as number),
  });
  return {
    calls,
    timers,
    advance: (ms: number) => (clock += ms),
    emit: (event: keyof typeof listeners, reason?: string) => {
      for (const listener of listeners[event]) listener(reason);
    },
    fireTimers: () => {
      const pending = [...timers.values()];
      timers.clear();
      for (const run of pending) run();
    },
  };
}

describe('renderer-watchdog', () => {
  describe('watchRenderer', () => {
    it('reloads the screen after a crash, but not after the window closed cleanly', () => {
      const renderer = fakeRenderer();
      renderer.emit('gone', 'crashed');
      renderer.emit('gone', 'clean-exit');
      expect(renderer.calls).toEqual(['reload']);
    });

    it('kills a page that stays unresponsive, and spares one that recovers', () => {
      const renderer = fakeRenderer();
      renderer.emit('unresponsive');
      renderer.emit('responsive');
      expect(renderer.timers.size).toBe(0);
      renderer.emit('unresponsive');
      renderer.emit('unresponsive');
      expect(renderer.timers.size).toBe(1);
      renderer.fireTimers();
      expect(renderer.calls).toEqual(['crash']);
      renderer.emit('gone', 'killed');
      expect(renderer.calls).toEqual(['crash', 'reload']);
    });

    it('stops reloading a screen that keeps dying and tells staff', () => {
      const renderer = fakeRenderer();
      for (let crash = 0; crash < 4; crash += 1) {
        renderer.advance(1000);
        renderer.emit('gone', 'oom');
      }
      expect(renderer.calls.slice(0, 3)).toEqual(['reload', 'reload', 'reload']);
      expect(renderer.calls[3]).toMatch(/^giveUp: The till's screen stopped 4 times in a row \(oom\)/);
      renderer.emit('gone', 'oom');
      expect(renderer.calls).toHaveLength(4);
    });

    it('forgets crashes older than the window', () => {
      const renderer = fakeRenderer();
      for (let crash = 0; crash < 6; crash += 1) {
        renderer.advance(61_000);
        renderer.emit('gone', 'crashed');
      }
      expect(renderer.calls).toEqual(Array(6).fill('reload'));
    });
  });
});
