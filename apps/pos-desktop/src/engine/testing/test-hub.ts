import { startTestHub as startHub } from '@retail/hub-server/testing';

export interface TestHub {
  readonly url: string;
  /** A fresh one-time enrollment code for store-1, as HQ's dashboard hands one out. */
  code(): Promise<string>;
  close(): Promise<void>;
}

/** A real hub (in-process, SQLite, 127.0.0.1, port 0) that knows store-1 (S001, EUR, Europe/Paris). */
export async function startTestHub(): Promise<TestHub> {
  const world = await startHub({
    stores: [{ nodeId: 'store-1', code: 'S001', region: 'north', jurisdiction: 'US-NY' }],
    items: [],
  });
  return { url: world.url, code: () => world.enrollmentCode('store-1'), close: () => world.close() };
}
