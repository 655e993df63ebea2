import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeGrowth, SOAK_GROWTH_POLICY, type MemorySample } from './memory-growth';

const EVERY_MS = 5_000;

/** Samples every 5 s for `minutes`, the value at each from `mb(minute)`. */
function series(minutes: number, mb: (minute: number, index: number) => number): MemorySample[] {
  const samples: MemorySample[] = [];
  for (let atMs = 0, index = 0; atMs <= minutes * 60_000; atMs += EVERY_MS, index += 1) {
    samples.push({ atMs, mb: mb(atMs / 60_000, index) });
  }
  return samples;
}

/** Garbage-collection sawtooth: climbs `amplitude` MB over ten samples, then drops back. */
const sawtooth = (amplitude: number) => (index: number) => ((index % 10) / 9) * amplitude;

describe('judgeGrowth', () => {
  it('passes a process that plateaus after its warm-up, GC sawtooth and all', () => {
    const samples = series(30, (minute, index) => Math.min(180, 120 + minute * 40) + sawtooth(30)(index));
    const judgement = judgeGrowth(samples);
    expect(judgement.verdict).toBe('bounded');
  });

  it('fails a process that keeps climbing 3 MB a minute', () => {
    const samples = series(30, (minute, index) => 150 + minute * 3 + sawtooth(10)(index));
    const judgement = judgeGrowth(samples);
    expect(judgement).toMatchObject({ verdict: 'grew' });
    expect(judgement.reason).toMatch(/^grew: late median/);
  });

  it('fails a process that plateaus and then starts to leak', () => {
    const samples = series(30, (minute) => (minute < 15 ? 160 : 160 + (minute - 15) * 8));
    expect(judgeGrowth(samples).verdict).toBe('grew');
  });

  it('judges nothing of a 2-minute life and says so', () => {
    const samples = series(2, (minute) => 100 + minute * 200);
    const judgement = judgeGrowth(samples);
    expect(judgement.verdict).toBe('too-short');
    expect(judgement.reason).toMatch(/^too short to judge: sampled for 120 s/);
  });

  it('judges nothing when a long life has too few samples in a window', () => {
    const samples: MemorySample[] = [
      { atMs: 0, mb: 100 },
      { atMs: 3 * 60_000, mb: 110 },
      { atMs: 30 * 60_000, mb: 900 },
    ];
    expect(judgeGrowth(samples).verdict).toBe('too-short');
  });

  it('never calls a plateau with noise up to 15 % growth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 1_000 }),
        fc.array(fc.double({ min: 0, max: 0.15, noNaN: true }), { minLength: 50, maxLength: 50 }),
        fc.integer({ min: 11, max: 60 }),
        (level, noise, minutes) => {
          const samples = series(minutes, (_, index) => level * (1 + noise[index % noise.length]!));
          return judgeGrowth(samples).verdict === 'bounded';
        },
      ),
    );
  });

  it('always catches a steady leak of 5 MB a minute or more over 30 minutes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 200 }),
        fc.double({ min: 5, max: 50, noNaN: true }),
        (base, perMinute) =>
          judgeGrowth(series(30, (minute) => base + minute * perMinute)).verdict === 'grew',
      ),
    );
  });

  it('judges only after the warm-up', () => {
    // Doubling within the first 2 minutes, flat afterwards: warm-up, not a leak.
    const samples = series(12, (minute) =>
      minute < SOAK_GROWTH_POLICY.warmupMs / 60_000 ? 80 + minute * 60 : 200,
    );
    expect(judgeGrowth(samples).verdict).toBe('bounded');
  });
});
