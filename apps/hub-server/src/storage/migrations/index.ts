import type { Kysely, Migration } from 'kysely';
import type { BackendKind } from '../backend-kind';
import * as initial from './0001-initial';
import * as feedKeyPerScope from './0002-feed-key-per-scope';
import * as bopisOrders from './0003-bopis-orders';
import * as rejectionReasons from './0004-rejections-and-return-lookup';
import * as loyaltyLedgers from './0005-loyalty-ledgers';
import * as storeStaff from './0006-store-staff';
import * as integrationLog from './0007-integration-log';
import * as claimHolds from './0008-claim-holds';
import * as webhookSubscriptions from './0009-webhook-subscriptions';
import * as storedValueKeys from './0010-stored-value-keys';
import * as integrationJournal from './0011-integration-journal';
import * as enrollmentRetryKey from './0012-enrollment-retry-key';
import * as purchaseOrders from './0013-purchase-orders';
import * as liveChanges from './0014-live-changes';
import * as splitOrdersAndChannels from './0015-split-orders-and-channels';
import * as hqStaffAndAudit from './0016-hq-staff-and-audit';
import * as deliveryTerms from './0017-delivery-terms';
import * as shipOrdersAndPayments from './0018-ship-orders-and-payments';
import * as hqSettings from './0019-hq-settings';
import * as paymentSettlements from './0020-payment-settlements';
import * as storeAudit from './0021-store-audit';
import * as alertRules from './0022-alert-rules';
import * as settingsHistory from './0023-settings-history';
import * as hqEditVersions from './0024-hq-edit-versions';
import * as catalogItemVersions from './0025-catalog-item-versions';
import * as receiptEmails from './0026-receipt-emails';
import * as storeCreatedStaff from './0027-store-created-staff';
import * as referenceVersions from './0028-reference-versions';
import * as journalSettle from './0029-journal-settle';
import * as logEventIdUniqueWhereRederivable from './0030-log-event-id-unique-where-rederivable';
import * as balancesRoomToUpdateInPlace from './0031-balances-room-to-update-in-place';

/**
 * Forward-only, numbered migrations. The list only ever grows; a database that applied a migration this
 * build does not know (a newer hub wrote it) is refused rather than guessed at.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema of their day
type MigrationUp = (db: Kysely<any>, kind: BackendKind) => Promise<void>;

export const MIGRATIONS: readonly (readonly [name: string, up: MigrationUp])[] = [
  ['0001-initial', initial.up],
  ['0002-feed-key-per-scope', feedKeyPerScope.up],
  ['0003-bopis-orders', bopisOrders.up],
  ['0004-rejections-and-return-lookup', rejectionReasons.up],
  ['0005-loyalty-ledgers', loyaltyLedgers.up],
  ['0006-store-staff', storeStaff.up],
  ['0007-integration-log', integrationLog.up],
  ['0008-claim-holds', claimHolds.up],
  ['0009-webhook-subscriptions', webhookSubscriptions.up],
  ['0010-stored-value-keys', storedValueKeys.up],
  ['0011-integration-journal', integrationJournal.up],
  ['0012-enrollment-retry-key', enrollmentRetryKey.up],
  ['0013-purchase-orders', purchaseOrders.up],
  ['0014-live-changes', liveChanges.up],
  ['0015-split-orders-and-channels', splitOrdersAndChannels.up],
  ['0016-hq-staff-and-audit', hqStaffAndAudit.up],
  ['0017-delivery-terms', deliveryTerms.up],
  ['0018-ship-orders-and-payments', shipOrdersAndPayments.up],
  ['0019-hq-settings', hqSettings.up],
  ['0020-payment-settlements', paymentSettlements.up],
  ['0021-store-audit', storeAudit.up],
  ['0022-alert-rules', alertRules.up],
  ['0023-settings-history', settingsHistory.up],
  ['0024-hq-edit-versions', hqEditVersions.up],
  ['0025-catalog-item-versions', catalogItemVersions.up],
  ['0026-receipt-emails', receiptEmails.up],
  ['0027-store-created-staff', storeCreatedStaff.up],
  ['0028-reference-versions', referenceVersions.up],
  ['0029-journal-settle', journalSettle.up],
  ['0030-log-event-id-unique-where-rederivable', logEventIdUniqueWhereRederivable.up],
  ['0031-balances-room-to-update-in-place', balancesRoomToUpdateInPlace.up],
];

export function migrationsFor(kind: BackendKind): Record<string, Migration> {
  return Object.fromEntries(MIGRATIONS.map(([name, up]) => [name, { up: (db) => up(db, kind) }]));
}
