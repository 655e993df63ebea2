import { describe, expect, it } from 'vitest';
import { DEFAULT_SIGN_IN_THROTTLE, SignInThrottle } from './sign-in-throttle';

function throttle(overrides: Partial<typeof DEFAULT_SIGN_IN_THROTTLE> = {}) {
  const clock = { now: 1_800_000_000_000 };
  const subject = new SignInThrottle({ ...DEFAULT_SIGN_IN_THROTTLE, ...overrides }, () => clock.now);
  return { clock, subject };
}

function waitAsked(run: () => void): number | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    return (error as { details: { retryAfterSeconds: number } }).details.retryAfterSeconds;
  }
}

describe('auth/sign-in-throttle', () => {
  describe('check', () => {
    it('lets the free failures through, then doubles the wait with each further failure up to the cap', () => {
      const { clock, subject } = throttle({ freeFailures: 3, firstDelayMs: 1000, maxDelayMs: 8000 });
      const waits: (number | null)[] = [];
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const wait = waitAsked(() => subject.check('admin', '10.0.0.9'));
        waits.push(wait);
        if (wait !== null) clock.now += wait * 1000;
        subject.recordFailure('admin', '10.0.0.9');
      }
      expect(waits).toEqual([null, null, null, null, 1, 2, 4, 8]);
      expect(waitAsked(() => subject.check('admin', '10.0.0.9'))).toBe(8);
    });

    it('never holds the real user back because of failures from another address', () => {
      const { subject } = throttle({ freeFailures: 2 });
      for (let attempt = 0; attempt < 50; attempt += 1) subject.recordFailure('admin', '203.0.113.7');
      expect(waitAsked(() => subject.check('admin', '203.0.113.7'))).toBeGreaterThan(0);
      expect(waitAsked(() => subject.check('admin', '198.51.100.1'))).toBeNull();
      expect(waitAsked(() => subject.check('alice', '203.0.113.7'))).toBeNull();
    });

    it('clears a pair on the right password and forgets it after a quiet hour', () => {
      const { clock, subject } = throttle({ freeFailures: 1, forgetAfterMs: 3_600_000 });
      subject.recordFailure('admin', 'a');
      subject.recordFailure('admin', 'a');
      expect(waitAsked(() => subject.check('admin', 'a'))).toBe(1);
      subject.recordSuccess('admin', 'a');
      expect(waitAsked(() => subject.check('admin', 'a'))).toBeNull();
      subject.recordFailure('admin', 'b');
      subject.recordFailure('admin', 'b');
      clock.now += 3_600_000;
      subject.recordFailure('admin', 'b');
      expect(waitAsked(() => subject.check('admin', 'b'))).toBeNull();
    });
  });

  describe('recordFailure', () => {
    it('counts an account’s failures over every address and alerts at each multiple of the threshold', () => {
      const { clock, subject } = throttle({ alertAfterFailures: 3, alertWindowMs: 60_000 });
      const alerts = ['a', 'b', 'c', 'a', 'b', 'c'].map((address) => subject.recordFailure('admin', address));
      expect(alerts.map((failure) => failure.alert)).toEqual([false, false, true, false, false, true]);
      expect(alerts[2]).toMatchObject({ accountFailures: 3, addresses: ['a', 'b', 'c'] });
      clock.now += 60_000;
      expect(subject.recordFailure('admin', 'a')).toMatchObject({ accountFailures: 1, alert: false });
    });
  });
});
