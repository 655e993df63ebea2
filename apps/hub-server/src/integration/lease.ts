import type { Executor } from '../storage/storage';

/**
 * A named lease in the database: of several hub processes on one PostgreSQL database, the one holding
 * it does the work (background webhook delivery), the others stand by and take over once it lapses. The
 * holder renews well before `ttlMs` runs out; a process that dies simply stops renewing.
 */
export async function acquireLease(
  executor: Executor,
  name: string,
  holder: string,
  ttlMs: number,
  now: number,
): Promise<boolean> {
  const rows = await executor
    .insertInto('hub_leases')
    .values({ name, holder, until: now + ttlMs })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet({ holder, until: now + ttlMs })
        // Taken over only once lapsed; renewed by its holder at any time.
        .where((eb) => eb.or([eb('hub_leases.until', '<=', now), eb('hub_leases.holder', '=', holder)])),
    )
    .returning('holder')
    .execute();
  return rows.length === 1 && rows[0]!.holder === holder;
}

/** Gives the lease up at once (a clean shutdown), so another process need not wait for it to lapse. */
export async function releaseLease(executor: Executor, name: string, holder: string): Promise<void> {
  await executor.deleteFrom('hub_leases').where('name', '=', name).where('holder', '=', holder).execute();
}
