import { sql, type Kysely, type Transaction } from 'kysely';

/**
 * Group commit for the SQLite hub. SQLite has one writer and every transaction ends in a durable commit
 * (WAL + synchronous=FULL: a write and an fsync), so under load the commits, not the work, bound how many
 * pushes a second the hub takes. Transactions asked for while another one runs wait anyway; when it ends,
 * all that waited run one after the other inside ONE database transaction, each in a savepoint of its
 * own, and share its commit.
 *
 * Every guarantee of a transaction of its own holds: a work that fails is rolled back to its savepoint and
 * its caller gets the error at once, with nothing of it kept; the others' results are handed back only
 * after the shared commit succeeded (a failed commit fails them all, nothing of any is kept); each work
 * sees what the ones before it wrote, exactly as if they had committed in that order; a work asking to
 * run again (RetryTransaction) is queued again. Each work gets a transaction object of its own, so what
 * it asks to run after commit (storage.ts `afterCommit`) runs only if its savepoint was kept.
 *
 * A work with nobody waiting behind it runs exactly as before: its own BEGIN IMMEDIATE … COMMIT.
 */

export interface GroupCommitOptions<DB> {
  readonly db: Kysely<DB>;
  /** Runs one work in a transaction of its own (with its own retries): the path of a lone work. */
  alone<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** Whether the work that threw this may run again, after `attempts` runs. */
  shouldRetry(error: unknown): boolean;
  /** The error for a work that asked to run again too often. */
  tooManyAttempts(attempts: number): Error;
  /** A work's transaction object committed: run what it asked to run after commit. */
  committed(trx: Transaction<DB>): void;
  /** The error a work that had succeeded gets when the shared transaction was lost (SQLite rolled it back). */
  lost(cause: unknown): Error;
  readonly maxAttempts: number;
  /** The most works sharing one commit, so a caller never waits behind an unbounded group. */
  readonly maxGroup?: number;
}

interface Pending<DB> {
  readonly work: (trx: Transaction<DB>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  attempts: number;
}

export interface GroupCommit<DB> {
  run<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
}

export function createGroupCommit<DB>(options: GroupCommitOptions<DB>): GroupCommit<DB> {
  const queue: Pending<DB>[] = [];
  const maxGroup = options.maxGroup ?? 64;
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, maxGroup);
        if (group.length === 1) await runAlone(group[0]!);
        else await runGroup(group);
      }
    } finally {
      draining = false;
    }
  }

  async function runAlone(pending: Pending<DB>): Promise<void> {
    try {
      pending.resolve(await options.alone(pending.work));
    } catch (error) {
      pending.reject(error);
    }
  }

  async function runGroup(group: Pending<DB>[]): Promise<void> {
    let trx: Awaited<ReturnType<ReturnType<Kysely<DB>['startTransaction']>['execute']>>;
    try {
      trx = await options.db.startTransaction().execute();
    } catch (error) {
      for (const pending of group) pending.reject(error);
      return;
    }
    const kept: { pending: Pending<DB>; own: Transaction<DB>; value: unknown }[] = [];
    for (const [index, pending] of group.entries()) {
      // A transaction object of its own: after-commit work is keyed by it (see the module comment).
      const own = trx.withoutPlugins();
      pending.attempts += 1;
      try {
        await sql`savepoint group_commit_work`.execute(trx);
        const value = await pending.work(own);
        await sql`release group_commit_work`.execute(trx);
        kept.push({ pending, own, value });
      } catch (thrown) {
        try {
          await sql`rollback to group_commit_work`.execute(trx);
          await sql`release group_commit_work`.execute(trx);
        } catch {
          // SQLite rolled the whole transaction back by itself (a full disk, an I/O error): nothing of
          // the group is kept. Works not yet run go back to the queue untouched.
          pending.reject(thrown);
          for (const done of kept) done.pending.reject(options.lost(thrown));
          queue.unshift(...group.slice(index + 1));
          await trx
            .rollback()
            .execute()
            .catch(() => undefined);
          return;
        }
        if (!options.shouldRetry(thrown)) pending.reject(thrown);
        else if (pending.attempts >= options.maxAttempts)
          pending.reject(options.tooManyAttempts(pending.attempts));
        else queue.push(pending);
      }
    }
    try {
      await trx.commit().execute();
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      for (const done of kept) done.pending.reject(options.lost(error));
      return;
    }
    for (const done of kept) {
      options.committed(done.own);
      done.pending.resolve(done.value);
    }
  }

  return {
    run<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({
          work,
          resolve: resolve as (value: unknown) => void,
          reject,
          attempts: 0,
        });
        if (!draining) void drain();
      });
    },
  };
}
