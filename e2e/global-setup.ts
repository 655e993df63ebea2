import { addBopisOrder, addShipOrder } from './support/bopis-fixture';
import { startStoreNode } from './support/store-node';

/**
 * One real store node for the whole run. Every test sells on its own register (lane), so tests share the
 * node the way the lanes of a store do without stepping on each other's shift or sale.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const node = await startStoreNode({
    skus: 500,
    prepareFixture: (fixture) => {
      addBopisOrder(fixture, 'store-1', Date.now());
      addShipOrder(fixture, 'store-1', Date.now());
    },
  });
  process.env.E2E_NODE_URL = node.url;
  process.env.E2E_NODE_TOKEN = node.token;
  return () => node.stop();
}
