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
  });
});
