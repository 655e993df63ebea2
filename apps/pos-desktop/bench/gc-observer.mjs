// Preloaded into the store node by store-node.bench.ts when BENCH_GC=1 (`node --import`): appends one JSON
// line per garbage collection to BENCH_GC_FILE, with its start on the wall clock (ms since the epoch, as
// the benchmark's own `performance.timeOrigin + performance.now()`), its pause and its kind, so the
// benchmark can say which of its slowest samples met a collection. Not part of the node.
import { appendFileSync } from 'node:fs';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';

const file = process.env.BENCH_GC_FILE;
if (file) {
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  new PerformanceObserver((list) => {
    const lines = list.getEntries().map((entry) =>
      JSON.stringify({
        at: performance.timeOrigin + entry.startTime,
        ms: entry.duration,
        kind: kinds[entry.detail?.kind] ?? String(entry.detail?.kind),
      }),
    );
    appendFileSync(file, `${lines.join('\n')}\n`);
  }).observe({ entryTypes: ['gc'] });
}
