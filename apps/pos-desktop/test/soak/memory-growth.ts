/**
 * The soak's "no process grew without bound" check, on one process's memory samples (resident set or
 * heap, MB). After a warm-up (caches, JIT, the pool and the heap reaching working size) a process that
 * holds its memory plateaus, with garbage-collection sawtooth on top; one that leaks keeps climbing.
 * So the typical value of a late window (its median, which GC peaks do not move) is compared with the
 * highest value of an early window after the warm-up: above `early × ratio + slackMb` it grew.
 * A process that lived less than `minLifeMs`, or whose windows hold too few samples, is "too short to
 * judge", never passed: a 2-minute run shows nothing about a leak.
 */

export interface MemorySample {
  /** Milliseconds since the process started. */
  readonly atMs: number;
  readonly mb: number;
}

export interface GrowthPolicy {
  readonly minLifeMs: number;
  readonly warmupMs: number;
  /** Each window spans at least this, or `windowShare` of the life if that is longer. */
  readonly windowMs: number;
  readonly windowShare: number;
  readonly ratio: number;
  readonly slackMb: number;
  readonly minSamplesPerWindow: number;
}

/**
 * Thresholds (docs/sync.md, "Soak"): judged after 10 minutes of life, 2 minutes of warm-up ignored,
 * windows of 3 minutes or a fifth of the life; the late median may exceed the early peak by 20 % + 16 MB.
 * A leak of a few MB a minute crosses that within half an hour; GC sawtooth and a heap settling do not.
 */
export const SOAK_GROWTH_POLICY: GrowthPolicy = {
  minLifeMs: 10 * 60_000,
  warmupMs: 2 * 60_000,
  windowMs: 3 * 60_000,
  windowShare: 0.2,
  ratio: 1.2,
  slackMb: 16,
  minSamplesPerWindow: 5,
};

export type GrowthJudgement =
  | { readonly verdict: 'too-short'; readonly lifeS: number; readonly reason: string }
  | {
      readonly verdict: 'bounded' | 'grew';
      readonly lifeS: number;
      readonly earlyPeakMb: number;
      readonly lateMedianMb: number;
      readonly limitMb: number;
      readonly reason: string;
    };

export function judgeGrowth(
  samples: readonly MemorySample[],
  policy: GrowthPolicy = SOAK_GROWTH_POLICY,
): GrowthJudgement {
  const lifeMs = samples.length === 0 ? 0 : Math.max(...samples.map((sample) => sample.atMs));
  const lifeS = Math.round(lifeMs / 1000);
  if (lifeMs < policy.minLifeMs) {
    return {
      verdict: 'too-short',
      lifeS,
      reason: `too short to judge: sampled for ${lifeS} s, growth is judged after ${policy.minLifeMs / 1000} s`,
    };
  }
  const windowMs = Math.max(policy.windowMs, lifeMs * policy.windowShare);
  const early = samples.filter(
    (sample) => sample.atMs >= policy.warmupMs && sample.atMs <= policy.warmupMs + windowMs,
  );
  const late = samples.filter((sample) => sample.atMs >= lifeMs - windowMs);
  if (early.length < policy.minSamplesPerWindow || late.length < policy.minSamplesPerWindow) {
    return {
      verdict: 'too-short',
      lifeS,
      reason: `too short to judge: ${early.length} early and ${late.length} late samples, needs ${policy.minSamplesPerWindow} each`,
    };
  }
  const earlyPeakMb = Math.max(...early.map((sample) => sample.mb));
  const lateMedianMb = median(late.map((sample) => sample.mb));
  const limitMb = earlyPeakMb * policy.ratio + policy.slackMb;
  const round = (mb: number) => Math.round(mb * 10) / 10;
  const grew = lateMedianMb > limitMb;
  return {
    verdict: grew ? 'grew' : 'bounded',
    lifeS,
    earlyPeakMb: round(earlyPeakMb),
    lateMedianMb: round(lateMedianMb),
    limitMb: round(limitMb),
    reason: `${grew ? 'grew' : 'bounded'}: late median ${round(lateMedianMb)} MB ${grew ? '>' : '≤'} limit ${round(limitMb)} MB (early peak ${round(earlyPeakMb)} MB × ${policy.ratio} + ${policy.slackMb} MB)`,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
