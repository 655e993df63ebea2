#!/usr/bin/env node
// Proves the runtime allow-lists in eslint.config.js bite: each probe is an import that crossed a
// boundary unnoticed when the lint was a deny-list, linted as if it were a file in that runtime. Each
// must be reported by the boundary rule named; each runtime's control import must pass. Part of
// `npm run lint`, so loosening an allow-list by mistake fails the build.
import { ESLint } from 'eslint';

const PACKAGE_RULE = '@typescript-eslint/no-restricted-imports';
const PATH_RULE = 'import-x/no-restricted-paths';
const CYCLE_RULE = 'import-x/no-cycle';
const HUB_TESTING_RULE = 'no-restricted-imports';

const desktop = 'apps/pos-desktop/src';
const hub = 'apps/hub-server/src';
const probes = [
  {
    at: `${desktop}/renderer/app/probe.ts`,
    code: "import { ipcRenderer } from 'electron';",
    rule: PACKAGE_RULE,
  },
  { at: `${desktop}/renderer/app/probe.ts`, code: "import { Server } from 'socket.io';", rule: PACKAGE_RULE },
  { at: `${desktop}/renderer/app/probe.ts`, code: "import pino from 'pino';", rule: PACKAGE_RULE },
  { at: `${desktop}/renderer/app/probe.ts`, code: "import fs from 'node:fs';", rule: PACKAGE_RULE },
  {
    at: `${desktop}/renderer/app/probe.ts`,
    code: "import { openStorage } from '@retail/hub-server/src/storage/storage';",
    rule: PACKAGE_RULE,
  },
  {
    at: `${desktop}/renderer/app/probe.ts`,
    code: "import { createEngine } from '../../engine/engine';",
    rule: PATH_RULE,
  },
  { at: `${hub}/dashboard/app/probe.ts`, code: "import { buildApp } from '../../api/app';", rule: PATH_RULE },
  { at: `${hub}/dashboard/app/probe.ts`, code: "import { Kysely } from 'kysely';", rule: PACKAGE_RULE },
  { at: `${hub}/api/probe.ts`, code: "import { App } from '../dashboard/app/app';", rule: PATH_RULE },
  { at: `${desktop}/engine/probe.ts`, code: "import { app } from 'electron';", rule: PACKAGE_RULE },
  { at: `${desktop}/engine/probe.ts`, code: "import { create } from 'zustand';", rule: PACKAGE_RULE },
  { at: `${desktop}/engine/probe.ts`, code: "import { App } from '../renderer/app/app';", rule: PATH_RULE },
  {
    at: `${desktop}/preload/probe.ts`,
    code: "import { createEngine } from '../engine/engine';",
    rule: PATH_RULE,
  },
  { at: `${desktop}/preload/probe.ts`, code: "import fs from 'node:fs';", rule: PACKAGE_RULE },
  { at: `${desktop}/main/probe.ts`, code: "import { App } from '../renderer/app/app';", rule: PATH_RULE },
  { at: 'packages/domain/src/probe.ts', code: "import { io } from 'socket.io-client';", rule: PACKAGE_RULE },
  {
    at: 'packages/domain/src/probe.ts',
    code: "import { EventEnvelope } from '@retail/sync';",
    rule: PACKAGE_RULE,
  },
  { at: 'packages/domain/src/probe.ts', code: "import fs from 'node:fs';", rule: PACKAGE_RULE },
  {
    at: 'packages/sync/src/probe.ts',
    code: "import { buildApp } from '../../../apps/hub-server/src/api/app';",
    rule: PATH_RULE,
  },
  {
    at: `${desktop}/engine/sync/probe.test.ts`,
    code: "import { openStorage } from '@retail/hub-server/src/storage/storage';",
    rule: HUB_TESTING_RULE,
  },
  {
    at: 'apps/pos-desktop/test/sync/probe.test.ts',
    code: "import { buildApp } from '../../../hub-server/src/api/app';",
    rule: HUB_TESTING_RULE,
  },
  {
    at: 'apps/pos-desktop/bench/probe.ts',
    code: "import { bundleHubCli } from '@retail/hub-server/scripts/bundle-cli.mjs';",
    rule: HUB_TESTING_RULE,
  },
];
const controls = [
  {
    at: `${desktop}/renderer/app/probe.ts`,
    code: "import { create } from 'zustand';\nimport { money } from '@retail/domain';\nimport { STORE_COMMANDS } from '../../shared/commands';\nexport const x = [create, money, STORE_COMMANDS];",
  },
  {
    at: `${desktop}/engine/probe.ts`,
    code: "import Database from 'better-sqlite3';\nimport { STORE_COMMANDS } from '../shared/commands';\nexport const x = [Database, STORE_COMMANDS];",
  },
  {
    at: `${hub}/dashboard/api/api-types.ts`,
    code: "import type { HubException } from '../../exceptions/exception-queue';\nexport type X = HubException;",
  },
  { at: 'packages/domain/src/probe.ts', code: "import { z } from 'zod';\nexport const x = z;" },
  {
    at: `${desktop}/engine/sync/probe.test.ts`,
    code: "import { startTestHub } from '@retail/hub-server/testing';\nexport const x = startTestHub;",
  },
];

// Probes are files that do not exist, so the type-aware rules (which need a tsconfig to own the file)
// are left out; the boundary rules need only the specifier and the resolved path.
const eslint = new ESLint({
  cwd: new URL('..', import.meta.url).pathname,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
    },
  },
});
const failures = [];
for (const probe of probes) {
  const messages = await messagesFor(probe);
  if (!messages.some((m) => m.ruleId === probe.rule)) {
    failures.push(`${probe.at}: \`${probe.code}\` was not reported by ${probe.rule}`);
  }
}
for (const control of controls) {
  const messages = await messagesFor(control);
  const boundary = messages.filter((m) =>
    [PACKAGE_RULE, PATH_RULE, CYCLE_RULE, HUB_TESTING_RULE].includes(m.ruleId),
  );
  if (boundary.length > 0)
    failures.push(`${control.at}: a permitted import was refused: ${boundary[0].message}`);
}
// A cycle: sale-events importing hub-ingest, which imports sale-events. no-cycle follows the
// imports on disk, so the probe stands in for the real sale-events file.
const cycleMessages = await messagesFor({
  at: `${hub}/ingest/sale-events.ts`,
  code: "import { pushEvents } from './hub-ingest';\nexport const probe = pushEvents;",
});
if (!cycleMessages.some((m) => m.ruleId === CYCLE_RULE)) {
  failures.push(
    'ingest/sale-events.ts importing hub-ingest (which imports it back) was not reported as a cycle',
  );
}

if (failures.length > 0) {
  console.error(
    `Boundary lint probes failed (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`,
  );
  process.exit(1);
}
console.log(
  `Boundary lint probes: ${probes.length + 1} crossings refused, ${controls.length} permitted imports pass.`,
);

async function messagesFor({ at, code }) {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: at });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${at}: the probe did not parse: ${fatal.message}`);
  return result.messages;
}
