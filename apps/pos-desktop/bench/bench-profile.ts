import { mkdirSync, writeFileSync } from 'node:fs';
import inspector from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * A V8 CPU profile of what runs until `stop()`, written to `<dir>/<name>.cpuprofile`; nothing without a
 * directory (BENCH_PROFILE_DIR unset). Read it with Chrome DevTools or any .cpuprofile viewer.
 */
export async function startProfile(
  dir: string | undefined,
  name: string,
): Promise<{ stop(): Promise<void> } | undefined> {
  if (dir === undefined || dir === '') return undefined;
  const session = new inspector.Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}
