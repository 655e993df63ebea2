/**
 * The CPU time PostgreSQL spends serving one database, for benchmarks whose server runs on this machine:
 * every backend process whose title names the database (`postgres: user db 127.0.0.1(port) ...`), read
 * from /proc. A benchmark can then put the database's CPU per operation beside its own processes'
 * (`process.cpuUsage`), and say how many operations the machine's cores could serve at most.
 *
 * Backends come and go with the pools, so the meter polls: a backend first seen after the start counts
 * from zero, one that exits keeps its last polled figure (at most one interval short, while it idles on its
 * way out). The WAL writer, checkpointer and other shared processes are not counted. Linux only: elsewhere
 * `stop()` answers null.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux ABI Node runs on). */
const TICKS_PER_SECOND = 100;

export interface BackendCpu {
  /** CPU seconds (user + system) the database's backends used between start and stop. */
  readonly seconds: number;
  /** How many backends of the database were seen. */
  readonly backends: number;
}

function backendTicks(database: string): Map<number, number> | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const ticks = new Map<number, number>();
  const title = ` ${database} `;
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!cmdline.startsWith('postgres: ') || !cmdline.includes(title)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command name (which may hold spaces), from field 3: utime and stime are 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return ticks;
}

export function startBackendCpuMeter(database: string, intervalMs = 100): { stop(): BackendCpu | null } {
  const first = backendTicks(database);
  if (first === null) return { stop: () => null };
  const start = new Map(first);
  const latest = new Map(first);
  const poll = () => {
    for (const [pid, ticks] of backendTicks(database) ?? []) {
      if (!start.has(pid)) start.set(pid, 0);
      latest.set(pid, ticks);
    }
  };
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      let ticks = 0;
      for (const [pid, value] of latest) ticks += value - (start.get(pid) ?? 0);
      return { seconds: ticks / TICKS_PER_SECOND, backends: latest.size };
    },
  };
}
