import { MemoryFeedStore } from './memory-feed-store';
import { MemoryOutboxStore } from './memory-outbox-store';
import { describeFeedStoreContract, describeOutboxStoreContract } from './store-contracts';

describeOutboxStoreContract('MemoryOutboxStore', async () => {
  const store = new MemoryOutboxStore(() => '2026-11-23T10:00:00.000Z');
  return { store, append: async (events) => store.append(events) };
});

describeFeedStoreContract('MemoryFeedStore', async () => {
  const store = new MemoryFeedStore();
  return {
    store,
    upsert: (hubSeq, index) => ({ hubSeq, entity: 'sku', key: `K${index}`, op: 'upsert', data: { index } }),
    read: async () => new Map(store.data),
  };
});
