#!/usr/bin/env node
// `npm start`: starts the product for a newcomer. It starts only what exists and says so plainly.
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const hub = existsSync(`${root}apps/hub-server/src/cli.ts`);
const store = existsSync(`${root}apps/pos-desktop/src/cli.ts`);
if (!hub || !store) {
  console.error(
    [
      'The hub and the store node have not landed yet, so there is nothing to start.',
      `  hub server (apps/hub-server): ${hub ? 'present' : 'not built yet'}`,
      `  store node (apps/pos-desktop): ${store ? 'present' : 'not built yet'}`,
      'What exists today is the domain core (packages/domain); run `npm test` to exercise it.',
    ].join('\n'),
  );
  process.exit(1);
}
