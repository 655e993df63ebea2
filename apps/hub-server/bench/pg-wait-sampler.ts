/**
 * Samples what the PostgreSQL backends of one database are doing while a benchmark runs (pg_stat_activity
 * joined with the lock each one waits for), so a benchmark can say where its transactions spend their
 * time: running, waiting on a row lock, on an advisory lock (the old feed ordering lock, the channel-buffer
 * locks), on the client (the hub process computing between statements), on I/O.
 *
 * Shares are of backend-samples: each sample counts every backend of the database that is inside a
 * statement or a transaction, once, in the category of what it is doing then.
 */
import pg from 'pg';

/** The feed ordering lock's key before commit-watermark.ts replaced it (kept to recognise it). */
const OLD_FEED_LOCK_KEY = 7_240_331_001n;

export interface WaitShares {
  readonly samples: number;
  /** Backend-samples inside a transaction or statement. */
  readonly busyBackendSamples: number;
  /** Category → share of busyBackendSamples (0–1). */
  readonly shares: Record<string, number>;
}

function category(row: {
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  locktype: string | null;
  classid: number | null;
  objid: number | null;
}): string {
  if (row.wait_event_type === 'Lock') {
    if (row.locktype === 'advisory') {
      const key = (BigInt(row.classid ?? 0) << 32n) | BigInt(row.objid ?? 0);
      return key === OLD_FEED_LOCK_KEY ? 'lock:feed-ordering' : 'lock:advisory-other';
    }
    // The lock may be granted between the two views' reads; then only the wait event names it.
    const type = row.locktype ?? row.wait_event;
    if (type === 'transactionid' || type === 'tuple') return 'lock:row';
    if (type === 'advisory') return 'lock:advisory-other';
    return `lock:${type ?? 'other'}`;
  }
  if (row.wait_event_type === 'Client' || row.state === 'idle in transaction') return 'client (hub process)';
  if (row.wait_event_type === null) return 'running';
  return `${row.wait_event_type}:${row.wait_event ?? ''}`;
}

/** Starts sampling `database` every `intervalMs`; `stop()` ends it and returns the shares. */
export async function startWaitSampler(
  adminUrl: string,
  database: string,
  intervalMs = 20,
): Promise<{ stop(): Promise<WaitShares> }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let busy = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const result = await client.query<{
        state: string | null;
        wait_event_type: string | null;
        wait_event: string | null;
        locktype: string | null;
        classid: number | null;
        objid: number | null;
      }>(
        `select distinct on (a.pid) a.state, a.wait_event_type, a.wait_event, l.locktype, l.classid::bigint as classid, l.objid::bigint as objid
           from pg_stat_activity a
           left join pg_locks l on l.pid = a.pid and not l.granted
          where a.datname = $1 and a.backend_type = 'client backend' and a.pid <> pg_backend_pid()
            and a.state in ('active', 'idle in transaction')`,
        [database],
      );
      samples += 1;
      for (const row of result.rows) {
        busy += 1;
        const name = category(row);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      const shares: Record<string, number> = {};
      for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1])) {
        shares[name] = Math.round((count / Math.max(1, busy)) * 1000) / 1000;
      }
      return { samples, busyBackendSamples: busy, shares };
    },
  };
}
