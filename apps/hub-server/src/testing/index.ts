/**
 * `@retail/hub-server/testing`: the one test world for code outside the hub (store tests, process
 * tests, benchmarks). A real hub in this process on either backend, seeded with store nodes, a catalog,
 * the chain price book and HQ users; enrolment of tills; waiting for a condition. Tests reach the hub
 * through this entry point only, never through `src/...` paths.
 *
 * Besides the world itself it re-exports the HQ operations store tests drive or read back (placing an
 * order, listing exceptions, reading stock): what HQ's dashboard and API do, called in-process.
 */
export {
  FR_STANDARD_RATE,
  HAM_BY_WEIGHT,
  HQ_ADMIN,
  WIDGET,
  enrollTill,
  familyItems,
  seedCatalog,
  seedPriceBook,
  seedTestHub,
  signedInOperator,
  startTestHub,
  storeNode,
  type TestHub,
  type TestHubOptions,
  type TestItem,
  type TestStoreNode,
  type TestTaxRate,
  type TestWorldSeed,
  type TillIdentity,
} from './test-hub';
export { eventually, until } from './wait';
export { databaseFootprint, walBytesSince, type DatabaseFootprint } from './database-footprint';
export { HUB_SKUS, HUB_STORES, createHubWorld, hubDataFor, seedHub, type HubWorld } from './gateway-hub';
export { backendKinds, createTestDatabase, type TestDatabase } from '../test-support/backends';
export {
  findPostgresBinaries,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from '../test-support/throwaway-postgres';
export { readFeedEpoch, rotateFeedEpoch, type BackendKind, type Storage } from '../storage/storage';
export { loadTillPricing, pricedSaleOf, saleOf, sku } from '../test-support/fixtures';
export { createHubContext, type HubContext } from '../hub-context';

// HQ operations the store tests drive or read back.
export { createSmtpMailer } from '../integration/mailer';
export { runIntegrationPass } from '../integration/integration-runtime';
export { listReceiptEmails } from '../receipts/receipt-emails';
export { readMail, startSmtp, type ReceivedMail } from '../test-support/smtp-server';
export { createApiKey } from '../auth/api-keys';
export { revokeDevice } from '../auth/devices';
export { listAudit } from '../audit/hq-audit';
export { listExceptions } from '../exceptions/exception-queue';
export { writeCatalog } from '../catalog/catalog-store';
export { feedHead } from '../feed/feed-store';
export { inHubTransaction } from '../hub-tx';
export { verifyProjections } from '../inventory/ledger-reads';
export { readInventoryLevel } from '../inventory/stock-levels';
export { adjustStock, receiveStock } from '../inventory/stock-operations';
export { customerAnswer, recordNewCustomer } from '../loyalty/customers';
export { saveProgramme, saveStoredValueSettings } from '../loyalty/loyalty-config';
export { adjustAccountPoints, storedValueByNumber } from '../loyalty/loyalty-service';
export { startBopisRuntime, type BopisRuntime } from '../orders/bopis-runtime';
export { placeOrder, type OrderIntake } from '../orders/intake';
export type { BopisSettings } from '../orders/order-change';
export { cancelOrder } from '../orders/order-lifecycle';
export { readOrderView, type OrderView } from '../orders/order-records';
export { readOrderPayment } from '../payments/order-payments';
export { startPaymentRuntime, type PaymentRuntime } from '../payments/payment-outbox';
export { createStripeProvider } from '../payments/stripe-adapter';
export { startStripeFake, type StripeFake } from '../test-support/stripe-fake';
export { savePriceBook, savePriceEntries, savePromotion } from '../pricing/pricing-store';
export {
  CancelDocumentSchema,
  PurchaseOrderInputSchema,
  ShippingNoticeInputSchema,
  cancelPurchaseOrder,
  cancelShippingNotice,
  createPurchaseOrder,
  createShippingNotice,
  getPurchaseOrder,
  getShippingNotice,
} from '../purchasing/purchasing';
export { effectiveSettings, putSetting } from '../settings/hq-settings';
export { createStaff, updateStaff } from '../staff/hq-staff';
export { getLoggedEvent } from '../sync/event-log';
// Process tests elsewhere run the hub's own CLI, bundled the way `npm run build` bundles it.
export { bundleHubCli } from '../../scripts/bundle-cli.mjs';
export { lookupSale } from '../sync/sale-lookup';
