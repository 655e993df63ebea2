// Vitest setup shared by every workspace that runs fast-check properties. fc.assert already prints
// `{ seed, path }` when a property fails, but a property cut short by the test timeout (a busy machine)
// or failing inside a model test prints nothing replayable. So each test runs with a seed chosen here,
// printed if the test fails for any reason; `FC_SEED=<seed> npx vitest run -t '<test name>'` replays it.
import fc from 'fast-check';
import { beforeEach } from 'vitest';

const replay = process.env.FC_SEED;
if (replay !== undefined && !/^-?\d+$/.test(replay)) {
  throw new Error(`FC_SEED must be a whole number (the seed a failed test printed), not "${replay}".`);
}

beforeEach((context) => {
  const seed = replay === undefined ? Math.floor(Math.random() * 0x1_0000_0000) | 0 : Number(replay);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  context.onTestFailed(() => {
    // -t takes a pattern: escape the name's pattern characters, then quote it for the shell.
    const pattern = context.task.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll("'", "'\\''");
    console.error(
      `fast-check seed of "${context.task.name}": ${seed}. Replay: FC_SEED=${seed} npx vitest run ` +
        `${context.task.file?.name ?? ''} -t '${pattern}'`,
    );
  });
});
