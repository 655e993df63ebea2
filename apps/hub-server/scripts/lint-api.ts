/**
 * `npm run lint:api`: the OpenAPI and AsyncAPI documents exactly as a hub serves them, checked by Redocly
 * (rules in redocly.yaml at the repository root). Part of `npm run lint`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/api/app';
import { createHubContext } from '../src/hub-context';
import { openStorage } from '../src/storage/storage';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const storage = await openStorage(':memory:');
const dir = mkdtempSync(join(tmpdir(), 'hub-api-lint-'));
let status: number;
try {
  const { app } = await buildApp({
    hub: createHubContext(storage),
    sync: { socket: false },
    dashboardRoot: null,
  });
  const files: string[] = [];
  for (const name of ['openapi.json', 'asyncapi.json']) {
    const response = await app.inject({ method: 'GET', url: `/api/${name}` });
    const file = join(dir, name);
    writeFileSync(file, response.body);
    files.push(file);
  }
  await app.close();
  const run = spawnSync(
    join(root, 'node_modules/.bin/redocly'),
    ['lint', ...files, '--config', join(root, 'redocly.yaml'), '--format', 'stylish'],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  status = run.status ?? 1;
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
