import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HLC_MAX_COUNTER,
  compareHlc,
  createHlcClock,
  formatHlc,
  parseHlc,
  receiveHlc,
  tickHlc,
  type Hlc,
} from './hlc';

const nodeIdArb = fc.stringMatching(/^[A-Za-z0-9:-]{1,40}$/);
const hlcArb = fc.record({
  wallMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  counter: fc.integer({ min: 0, max: HLC_MAX_COUNTER }),
  nodeId: nodeIdArb,
});

describe('hlc', () => {
  describe('formatHlc / parseHlc', () => {
    it('round-trips every valid timestamp, including node ids that contain colons', () => {
      fc.assert(
        fc.property(hlcArb, (hlc) => {
          expect(parseHlc(formatHlc(hlc))).toEqual(hlc);
        }),
      );
    });

    it('writes the fixed-width form the envelope carries', () => {
      expect(formatHlc({ wallMs: 1_732_356_000_000, counter: 0, nodeId: 'D1' })).toBe(
        '000001732356000000:00000:D1',
      );
    });

    it('orders the text exactly like compareHlc', () => {
      fc.assert(
        fc.property(hlcArb, hlcArb, (a, b) => {
          const textOrder = formatHlc(a) < formatHlc(b) ? -1 : formatHlc(a) > formatHlc(b) ? 1 : 0;
          expect(textOrder).toBe(compareHlc(a, b));
        }),
      );
    });

    it('refuses malformed text and out-of-range parts with INVALID_INPUT', () => {
      expect(() => parseHlc('12:0:D1')).toThrow(/not a hybrid logical clock/);
      expect(() => parseHlc('000001732356000000:99999:D1')).toThrow(/counter must be between/);
      expect(() => formatHlc({ wallMs: -1, counter: 0, nodeId: 'D1' })).toThrow(/non-negative/);
      expect(() => formatHlc({ wallMs: 1, counter: 0, nodeId: '' })).toThrow(/1 to 100 characters/);
      expect(() => parseHlc('nonsense')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });

  describe('tickHlc', () => {
    it('follows the wall clock when it moves forward', () => {
      const first = tickHlc(undefined, 1000, 'A');
      expect(first).toEqual({ wallMs: 1000, counter: 0, nodeId: 'A' });
      expect(tickHlc(first, 1005, 'A')).toEqual({ wallMs: 1005, counter: 0, nodeId: 'A' });
    });

    it('counts up within a millisecond and when the wall clock steps back', () => {
      const first = tickHlc(undefined, 1000, 'A');
      const same = tickHlc(first, 1000, 'A');
      const back = tickHlc(same, 400, 'A');
      expect(same).toEqual({ wallMs: 1000, counter: 1, nodeId: 'A' });
      expect(back).toEqual({ wallMs: 1000, counter: 2, nodeId: 'A' });
    });

    it('borrows the next millisecond when the counter would overflow', () => {
      const full: Hlc = { wallMs: 1000, counter: HLC_MAX_COUNTER, nodeId: 'A' };
      expect(tickHlc(full, 1000, 'A')).toEqual({ wallMs: 1001, counter: 0, nodeId: 'A' });
    });

    it('is strictly increasing for any sequence of wall clock readings', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 300 }),
          (walls) => {
            let last: Hlc | undefined;
            for (const wall of walls) {
              const next = tickHlc(last, wall, 'A');
              if (last) expect(compareHlc(next, last)).toBe(1);
              expect(next.wallMs).toBeGreaterThanOrEqual(wall);
              last = next;
            }
          },
        ),
      );
    });

    it('refuses a wall clock reading that is not a time', () => {
      expect(() => tickHlc(undefined, Number.NaN, 'A')).toThrow(/milliseconds/);
    });
  });

  describe('receiveHlc', () => {
    it('is greater than both the local and the remote timestamp', () => {
      fc.assert(
        fc.property(
          fc.option(hlcArb, { nil: undefined }),
          hlcArb,
          fc.nat(4_102_444_800_000),
          (last, remote, wall) => {
            const local = last ? { ...last, nodeId: 'LOCAL' } : undefined;
            const next = receiveHlc(local, remote, wall, 'LOCAL');
            if (local) expect(compareHlc(next, local)).toBe(1);
            expect(
              next.wallMs > remote.wallMs || (next.wallMs === remote.wallMs && next.counter > remote.counter),
            ).toBe(true);
            expect(next.wallMs).toBeGreaterThanOrEqual(wall);
          },
        ),
      );
    });

    it('takes the largest clock and bumps the right counter', () => {
      const local: Hlc = { wallMs: 100, counter: 4, nodeId: 'L' };
      expect(receiveHlc(local, { wallMs: 100, counter: 7, nodeId: 'R' }, 50, 'L')).toEqual({
        wallMs: 100,
        counter: 8,
        nodeId: 'L',
      });
      expect(receiveHlc(local, { wallMs: 90, counter: 7, nodeId: 'R' }, 50, 'L')).toEqual({
        wallMs: 100,
        counter: 5,
        nodeId: 'L',
      });
      expect(receiveHlc(local, { wallMs: 120, counter: 7, nodeId: 'R' }, 50, 'L')).toEqual({
        wallMs: 120,
        counter: 8,
        nodeId: 'L',
      });
      expect(receiveHlc(local, { wallMs: 120, counter: 7, nodeId: 'R' }, 200, 'L')).toEqual({
        wallMs: 200,
        counter: 0,
        nodeId: 'L',
      });
    });

    it('accepts any skew by default and refuses a remote clock too far ahead when a limit is set', () => {
      const dayAhead: Hlc = { wallMs: 86_400_000 + 1000, counter: 0, nodeId: 'R' };
      expect(receiveHlc(undefined, dayAhead, 1000, 'L').wallMs).toBe(dayAhead.wallMs);
      expect(() => receiveHlc(undefined, dayAhead, 1000, 'L', { maxDriftMs: 300_000 })).toThrow(
        /1440 minute\(s\) ahead/,
      );
    });
  });

  describe('createHlcClock', () => {
    it('continues above a persisted timestamp after a restart with a clock that stepped back', () => {
      const persisted = '000000000000005000:00003:DEV';
      const clock = createHlcClock({ nodeId: 'DEV', now: () => 10, last: persisted });
      const next = clock.tick();
      expect(next > persisted).toBe(true);
      expect(parseHlc(next)).toEqual({ wallMs: 5000, counter: 4, nodeId: 'DEV' });
    });

    it('merges received timestamps and remembers the last one', () => {
      let wall = 1000;
      const clock = createHlcClock({ nodeId: 'DEV', now: () => wall, maxDriftMs: 60_000 });
      clock.tick();
      const merged = clock.receive('000000000000002000:00009:HUB');
      expect(parseHlc(merged)).toEqual({ wallMs: 2000, counter: 10, nodeId: 'DEV' });
      wall = 3000;
      expect(parseHlc(clock.tick())).toEqual({ wallMs: 3000, counter: 0, nodeId: 'DEV' });
      expect(clock.last()).toEqual({ wallMs: 3000, counter: 0, nodeId: 'DEV' });
      expect(() => clock.receive('000000000009999999:00000:HUB')).toThrow(/ahead of this one/);
    });
  });
});
