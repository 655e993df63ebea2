import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHAIN_ROOM, PokeDispatcher, roomOfScope, roomsOfDevice } from './pokes';

describe('sync/pokes', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('roomOfScope', () => {
    it('maps each feed scope to the room of the tills that read it', () => {
      expect(roomOfScope('*')).toBe(CHAIN_ROOM);
      expect(roomOfScope('region:north')).toBe('region:north');
      expect(roomOfScope('s1')).toBe('node:s1');
      expect(roomsOfDevice('s1', 'north')).toEqual([CHAIN_ROOM, 'node:s1', 'region:north']);
      expect(roomsOfDevice('s1', undefined)).toEqual([CHAIN_ROOM, 'node:s1']);
    });
  });

  describe('PokeDispatcher', () => {
    it('pokes each room once per window however many writes landed in it', () => {
      vi.useFakeTimers();
      const emitted: string[] = [];
      let everyone = 0;
      const dispatcher = new PokeDispatcher({
        emit: (room) => emitted.push(room),
        emitAll: () => (everyone += 1),
        coalesceMs: 10,
      });
      for (let i = 0; i < 20; i += 1) dispatcher.feedAppended({ scopes: ['s1'], head: i, origin: 'a' });
      dispatcher.feedAppended({ scopes: ['*', 's2'], head: 21, origin: 'b' });
      expect(emitted).toEqual([]);
      vi.advanceTimersByTime(10);
      expect(emitted.sort()).toEqual([CHAIN_ROOM, 'node:s1', 'node:s2']);
      expect(everyone).toBe(0);
      dispatcher.feedAppended({ scopes: ['s1'], head: 22, origin: 'a' });
      vi.advanceTimersByTime(10);
      expect(emitted.filter((room) => room === 'node:s1')).toHaveLength(2);
    });

    it('pokes everyone when it cannot know what moved (a lost LISTEN connection)', () => {
      vi.useFakeTimers();
      const emitted: string[] = [];
      let everyone = 0;
      const dispatcher = new PokeDispatcher({
        emit: (room) => emitted.push(room),
        emitAll: () => (everyone += 1),
      });
      dispatcher.feedAppended({ scopes: ['s1'], head: 1, origin: 'a' });
      dispatcher.feedAppended(null);
      vi.runAllTimers();
      expect(everyone).toBe(1);
      expect(emitted).toEqual([]);
      expect(dispatcher.pokesSent).toBe(1);
    });

    it('with a commit watermark, pokes a room only once its rows are visible, and again as it passes', async () => {
      const emitted: string[] = [];
      let everyone = 0;
      let mark = { settled: 10, allocated: 12 };
      const failures: unknown[] = [];
      let reads = 0;
      const dispatcher = new PokeDispatcher({
        emit: (room) => emitted.push(room),
        emitAll: () => (everyone += 1),
        coalesceMs: 1,
        recheckMs: 1,
        watermark: () => {
          reads += 1;
          if (mark.settled < 0) return Promise.reject(new Error('database unavailable'));
          return Promise.resolve(mark);
        },
        onWatermarkError: (error) => failures.push(error),
      });
      const until = async (check: () => boolean) => {
        while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
      };
      try {
        // s1's rows (up to 10) are visible; s2's row 12 is behind an open writer at 11.
        dispatcher.feedAppended({ scopes: ['s1'], head: 10, origin: 'a' });
        dispatcher.feedAppended({ scopes: ['s2'], head: 12, origin: 'a' });
        await until(() => emitted.length === 1);
        expect(emitted).toEqual(['node:s1']);
        // The recheck reads the watermark again; nothing moves until it passes 12.
        const readsBefore = reads;
        await until(() => reads > readsBefore + 2);
        expect(emitted).toEqual(['node:s1']);
        mark = { settled: 12, allocated: 12 };
        await until(() => emitted.length === 2);
        expect(emitted).toEqual(['node:s1', 'node:s2']);
        expect(dispatcher.pokesAfterWatermark).toBe(1);
        // A lost LISTEN connection pokes everyone at once, and again once what was handed out is visible.
        mark = { settled: 12, allocated: 14 };
        dispatcher.feedAppended(null);
        await until(() => everyone === 1);
        mark = { settled: 14, allocated: 14 };
        await until(() => everyone === 2);
        // A watermark that cannot be read pokes what waits (a hint too many beats a lost one).
        mark = { settled: -1, allocated: 0 };
        dispatcher.feedAppended({ scopes: ['*'], head: 20, origin: 'b' });
        await until(() => emitted.includes(CHAIN_ROOM));
        expect(failures).toHaveLength(1);
        expect(dispatcher.pokesSent).toBe(5);
      } finally {
        dispatcher.close();
      }
    });

    it('reads no watermark while no till is connected, and pokes what waited once one is', async () => {
      const emitted: string[] = [];
      let reads = 0;
      let connected = false;
      const dispatcher = new PokeDispatcher({
        emit: (room) => emitted.push(room),
        emitAll: () => undefined,
        coalesceMs: 1,
        recheckMs: 1,
        connected: () => connected,
        watermark: () => {
          reads += 1;
          return Promise.resolve({ settled: 30, allocated: 30 });
        },
      });
      try {
        dispatcher.feedAppended({ scopes: ['s1'], head: 10, origin: 'a' });
        dispatcher.flush();
        expect(reads).toBe(0);
        connected = true;
        dispatcher.feedAppended({ scopes: ['s2'], head: 20, origin: 'a' });
        while (emitted.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
        expect(emitted.sort()).toEqual(['node:s1', 'node:s2']);
        expect(reads).toBe(1);
      } finally {
        dispatcher.close();
      }
    });
  });
});
