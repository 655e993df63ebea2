// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createPosApi } from '../api/pos-api';
import { syncStatus } from '../testing/builders';
import { createFakeNode } from '../testing/fake-node';
import { createSyncStore, type SyncStore } from './sync-store';

let store: SyncStore | undefined;
afterEach(() => store?.stop());

describe('sync store', () => {
  it('tells the node at once when the OS reports the network back, and stops listening when stopped', async () => {
    const node = createFakeNode();
    node.handle('sync-network-back', () => syncStatus({ agent: 'live', state: 'live' }));
    const network = new EventTarget();
    const api = createPosApi({
      client: node,
      session: () => null,
      onSessionRejected: () => undefined,
      requestOverride: () => Promise.resolve(null),
    });
    store = createSyncStore(node, () => api, network);

    network.dispatchEvent(new Event('online'));
    await expect.poll(() => node.inputs('sync-network-back')).toEqual([{}]);
    await expect.poll(() => store!.getState().status?.state).toBe('live');
    // Going offline is the agent's to notice; only "back" asks the node for anything.
    network.dispatchEvent(new Event('offline'));

    store.stop();
    network.dispatchEvent(new Event('online'));
    expect(node.inputs('sync-network-back')).toEqual([{}]);
  });
});
