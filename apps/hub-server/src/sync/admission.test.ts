import { describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { CatchUpAdmission } from './admission';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('sync/admission', () => {
  describe('CatchUpAdmission.run', () => {
    it('keeps the slot taken for a turn of the event loop when the work itself never waits (SQLite)', async () => {
      const admission = new CatchUpAdmission({
        maxConcurrent: 1,
        baseRetryAfterMs: 100,
        maxRetryAfterMs: 100,
      });
      const first = admission.run(async () => 'served');
      // Every pending promise job runs, as between two socket messages read in the same poll.
      for (let i = 0; i < 20; i += 1) await Promise.resolve();
      const second = await admission
        .run(async () => 'served too')
        .then(
          () => 'admitted',
          (error: DomainError) => error.code,
        );
      expect(second).toBe('RATE_LIMITED');
      expect(await first).toBe('served');
      expect(admission.stats).toEqual({ inFlight: 0, admitted: 1, refused: 1 });
    });

    it('serves up to the limit at once and turns the rest away with a retryAfter that grows with the crowd', async () => {
      let now = 0;
      const admission = new CatchUpAdmission({
        maxConcurrent: 2,
        baseRetryAfterMs: 1_000,
        maxRetryAfterMs: 2_500,
        now: () => now,
      });
      const gates = [deferred(), deferred()];
      const running = gates.map((gate) => admission.run(() => gate.promise));
      const refusals: DomainError[] = [];
      for (let i = 0; i < 5; i += 1) {
        refusals.push(
          await admission
            .run(async () => undefined)
            .then(
              () => {
                throw new Error('should have been turned away');
              },
              (error: DomainError) => error,
            ),
        );
      }
      expect(refusals.map((error) => error.code)).toEqual(Array(5).fill('RATE_LIMITED'));
      expect(refusals.map((error) => error.details?.['retryAfterMs'])).toEqual([
        1000, 1000, 2000, 2000, 2500,
      ]);
      expect(admission.stats).toEqual({ inFlight: 2, admitted: 2, refused: 5 });
      gates[0]!.resolve();
      await running[0];
      await admission.run(async () => undefined);
      // Old refusals stop counting once they are out of the pressure window.
      now += 60_000;
      gates[1]!.resolve();
      await running[1];
      const slots = [deferred(), deferred()];
      const busy = slots.map((slot) => admission.run(() => slot.promise));
      const error = await admission.run(async () => undefined).catch((thrown: DomainError) => thrown);
      expect((error as DomainError).details?.['retryAfterMs']).toBe(1000);
      for (const slot of slots) slot.resolve();
      await Promise.all(busy);
      expect(admission.stats.inFlight).toBe(0);
    });

    it('frees its slot when the catch-up fails', async () => {
      const admission = new CatchUpAdmission({ maxConcurrent: 1, baseRetryAfterMs: 1, maxRetryAfterMs: 1 });
      await expect(admission.run(() => Promise.reject(new Error('database went away')))).rejects.toThrow();
      await expect(admission.run(async () => 'served')).resolves.toBe('served');
    });

    it('refuses a limit below one', () => {
      expect(
        () => new CatchUpAdmission({ maxConcurrent: 0, baseRetryAfterMs: 1, maxRetryAfterMs: 1 }),
      ).toThrow(DomainError);
    });
  });
});
