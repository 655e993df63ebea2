import type { FastifyInstance } from 'fastify';
import { buildApp } from '@retail/hub-server/src/api/app';
import { createEnrollmentCode } from '@retail/hub-server/src/auth/devices';
import { createHubContext } from '@retail/hub-server/src/hub-context';
import { createNode } from '@retail/hub-server/src/nodes/nodes';
import { createTestDatabase } from '@retail/hub-server/src/test-support/backends';
import { nodeInput } from '@retail/hub-server/src/test-support/fixtures';

export interface TestHub {
  readonly url: string;
  /** A fresh one-time enrollment code for store-1, as HQ's dashboard hands one out. */
  code(): Promise<string>;
  close(): Promise<void>;
}

/** A real hub (in-process, SQLite, 127.0.0.1, port 0) that knows store-1 (S001, EUR, Europe/Paris). */
export async function startTestHub(): Promise<TestHub> {
  const database = await createTestDatabase('sqlite');
  const storage = await database.open();
  const hub = createHubContext(storage);
  await createNode(hub, nodeInput('store-1', { code: 'S001', currency: 'EUR', timezone: 'Europe/Paris' }));
  const { app }: { app: FastifyInstance } = await buildApp({ hub });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    code: async () => (await createEnrollmentCode(hub, 'store-1', 'test')).code,
    async close() {
      await app.close();
      await storage.close();
      await database.dispose();
    },
  };
}
