/**
 * English sentences of the errors thrown in apps/hub-server, grouped by error code, keyed by a stable id
 * (`area.whatWentWrong`), written in ICU message syntax: `{name}` is a parameter the throw site passes,
 * already formatted as the sentence shows it. See docs/conventions.md, "Errors".
 */
export const HUB_ERROR_MESSAGES = {
  INVALID_INPUT: {
    'hub.auth.apiKeyNothingToChange': 'Give the API key a new name, new scopes, or both.',
    'hub.staff.vouchAboveClaim':
      'HQ can vouch for {staffId} as the {claimedRole} the store gave or a lower role, not as a {role}; manage them centrally to give them more.',
    'hub.alerts.noStoreWarehouse': 'There is no store or warehouse {nodeId}.',
    'hub.api.fieldProblem': '{path}: {problem}',
    'hub.api.idUrlBodyDiffer': 'The id in the URL ({url}) and in the body ({body}) differ.',
    'hub.api.importRefused':
      '{nothingDone, select, noPriceChanged {No price was changed} other {Nothing was imported}}: {errorCount} problem(s), first on line {line}: {problem}',
    'hub.api.jsonBodyNestsArrays':
      'The JSON body nests arrays or objects more than {maxDepth} levels deep; no request needs that.',
    'hub.api.pathNotValidUrl': 'The request path is not a valid URL; check its percent-encoding.',
    'hub.api.pathValueTooLong': 'A value in the path is longer than {max} characters; ids are at most 100.',
    'hub.api.requestNotReadable': 'The request could not be read: {reason}',
    'hub.api.requestPartNotValid': 'The request {where} is not valid.',
    'hub.api.importFormatMissing':
      'Say the format: ?format=csv or ?format=json (or send Content-Type text/csv or application/json).',
    'hub.api.unsupportedContentType': 'Unsupported content type: {reason}',
    'hub.api.webhookBodyMustStripe': 'The webhook body must be a Stripe event: a JSON object.',
    'hub.auth.replacementCannotChooseId':
      'A till that replaces a device gets a new id and number from the hub; it cannot ask for its own.',
    'hub.catalog.csvNotReadable':
      'The CSV cannot be read{atLine, select, yes { at line {line}} other {}}: {reason}',
    'hub.catalog.fileEndedBeforeClosing': 'The file ended before the closing ] of the array.',
    'hub.catalog.headerColumnsWrong':
      '{lacks, select, yes {The header lacks {missing}. } other {}}{hasUnknown, select, yes {Unknown columns: {unknown}. } other {}}Columns are: {columns}.',
    'hub.catalog.lineExpectedJsonObject': 'Line {line}: expected a JSON object, found {char}.',
    'hub.catalog.lineNothingMayFollow': 'Line {line}: nothing may follow the closing ] of the array.',
    'hub.catalog.recordNotValid': '{problems}',
    'hub.catalog.recordCutOff':
      'The record starting on line {currentLine} is cut off: the file ended inside it.',
    'hub.catalog.recordTooLarge': 'The record starting on line {currentLine} is larger than 1 MB.',
    'hub.channels.buffersNotSet': 'The buffers were not set. {problems}',
    'hub.integration.cursorNotHubHanded':
      'The cursor is not one this hub handed out; pass the `cursor` of the last page you read, 0 to start from the beginning, or `since` with a time.',
    'hub.integration.giveEitherAfterCursor': 'Give either `after` (a cursor) or `since` (a time), not both.',
    'hub.integration.sayWhereReplayAfter':
      'Say where to replay from: `after` (a cursor) or `since` (a time).',
    'hub.integration.typesNotEventType':
      'types.{index}: {pattern} is not an event type of the catalog (GET /api/integration/catalog lists them).',
    'hub.inventory.reservationCanOnlyReassigned': 'A reservation can only be reassigned to a different node.',
    'hub.inventory.skuNotPartTransfer': 'SKU {unknown} was not part of transfer {transferId}.',
    'hub.loyalty.customerNeedsPhoneNumber':
      'A customer needs a phone number or an email address to be found again.',
    'hub.orders.orderNotValid': 'The order cannot be placed. {problems}',
    'hub.orders.returnReceivedNoUnits': 'The return received no units.',
    'hub.payments.webhookBodyNotJson': 'The webhook body is not JSON.',
    'hub.payments.webhookBodyNotStripe': 'The webhook body is not a Stripe event.',
    'hub.pricing.inputProblem': '{problem}',
    'hub.pricing.noStoreScope': 'There is no store {storeId} to scope this to.',
    'hub.pricing.priceBookNotValid': 'Invalid price book.',
    'hub.pricing.priceEntryNotValid': 'Invalid price entry.',
    'hub.pricing.promotionNotValid': 'Invalid promotion.',
    'hub.pricing.skuNotCatalog': 'SKU {skus} is not in the catalog.',
    'hub.pricing.skuPricedTwiceChange': 'SKU {twice} is priced twice in this change; keep one line per SKU.',
    'hub.purchasing.namePurchaseOrderStore':
      'Name the purchase order, or the store or warehouse (nodeId) and the supplier.',
    'hub.purchasing.purchaseOrderNoticeAgainst':
      'Purchase order {poNumber} is for {nodeId}; a notice against it goes there too.',
    'hub.purchasing.receiptNeedsLeastItem': 'A receipt needs at least one item that arrived.',
    'hub.settings.unknownSettingKnownSettings': 'Unknown setting {key}. Known settings: {SETTING_KEYS}.',
    'hub.settings.valueNotValid':
      'The value for {key} is not valid: {hasProblem, select, yes {{problem}} other {invalid}}.',
    'hub.staff.notStoresChain': 'These are not stores of the chain: {unknown}.',
    'hub.storage.cannotOpenedSQLiteDatabase': '{file} cannot be opened as a SQLite database ({error}).',
    'hub.storage.failedIntegrityCheck': '{file} failed its integrity check ({integrity}).',
    'hub.storage.nothingToBackUp': '{location} holds no pos-hub tables; nothing was backed up.',
    'hub.storage.memoryHubNothingRestore': 'An in-memory hub has nothing to restore.',
    'hub.storage.notPgDumpBackup': '{from} is not a pg_dump backup: {message}',
    'hub.storage.notPosHubBackup': '{from} is not a pos-hub backup (pg_dump custom format).',
    'hub.storage.notPosHubDatabase': '{file} is not a pos-hub database.',
    'hub.storage.notSoundSQLiteDatabase': '{file} is not a sound SQLite database ({error}).',
    'hub.sync.afterMustNotPast': '`after` must not be past `upTo`.',
    'hub.sync.leastCatchUpMust': 'At least one catch-up must be allowed at a time.',
    'hub.sync.restoredTillEventsMust':
      "The restored till's events must follow each other from {ackedSeq} to at most {writtenSeq}; event {deviceSeq} came where {expected} was expected.",
    'hub.sync.writtenBelowAcknowledged': 'A till cannot have written fewer events than it had acknowledged.',
  },
  UNAUTHORIZED: {
    'hub.api.credentialNotRecognised': 'The credential was not recognised; sign in again.',
    'hub.api.endpointNeedsDeviceCredential': 'This endpoint needs a device credential.',
    'hub.api.metricsNeedMetricsToken': 'Metrics need the metrics token: Authorization: Bearer <token>.',
    'hub.api.signInFirst': 'Sign in first.',
    'hub.auth.apiKeyNotValid': 'This API key is not valid or was revoked.',
    'hub.auth.deviceNotEnrolled':
      'This device is not enrolled at the hub (or was revoked). Enroll it again with a new code.',
    'hub.auth.enrollmentCodeNotValid':
      'This enrollment code is not valid: it may be mistyped, already used or expired. Ask HQ for a new one.',
    'hub.auth.sessionEnded': 'Your session has ended; sign in again.',
    'hub.auth.userNameOrPasswordWrong': 'The user name or password is wrong.',
    'hub.ingest.deviceNotEnrolledHub': 'This device is not enrolled at the hub; enroll it again.',
    'hub.payments.webhookSignatureMissingWrong': 'The webhook signature is missing, wrong or too old.',
    'hub.sync.deviceRevokedHqAsk': 'This device was revoked at HQ; ask HQ for an enrollment code.',
    'hub.sync.noDeviceCredential': 'This till sent no device credential.',
  },
  FORBIDDEN: {
    'hub.api.credentialNotAllowed': 'This credential is not allowed to do that.',
    'hub.api.metricsNotServedPublic':
      'Metrics are not served on a public address without a token: start the hub with --metrics-token-file (or POS_HUB_METRICS_TOKEN).',
    'hub.api.needsRole': 'This needs the {role} role; you are {role2}.',
    'hub.api.onlyEnrolledDevicesMay': 'Only enrolled devices may call this endpoint.',
    'hub.api.onlyHqUsersProfile': 'Only HQ users have a profile.',
    'hub.api.onlyTillRecordsStoreReturn': 'Only a till records a store return.',
    'hub.auth.accountDeactivatedAsk': 'This account is deactivated; ask an administrator.',
    'hub.auth.deviceReEnrollsOnlyItself': 'A device may only re-enroll itself.',
    'hub.loyalty.cardPinAskCustomer': 'This card has a PIN: ask the customer to enter it.',
    'hub.loyalty.pinWrongAskCustomer': 'The PIN is wrong; ask the customer to enter it again.',
    'hub.orders.apiKeyCancelsForCustomerOnly':
      'An e-commerce key cancels for the customer (customer_request) only.',
    'hub.orders.nodeNotStore': 'Node {nodeId} is not a store.',
    'hub.orders.storeTakesReturnsAtTill': 'Node {nodeId} is a store: a store takes returns at its till.',
    'hub.orders.storeShipsAtTill':
      '{nodeCode} is a store: its staff pick, pack and ship at the till, which syncs each step.',
  },
  NOT_FOUND: {
    'hub.staff.storeCreatedNotFound': 'No store has created a staff member {staffId}.',
    'hub.alerts.noAlertDelivery': 'There is no alert delivery {deliveryId}.',
    'hub.alerts.noAlertRuleMay': 'There is no alert rule {ruleId}; it may have been deleted.',
    'hub.api.hubTakesNoStripe': 'This hub takes no Stripe webhooks: no Stripe account is configured.',
    'hub.api.noCustomer': 'There is no customer {customerId}.',
    'hub.api.noLoyaltyGiftCard': 'There is no loyalty, gift card or store credit account {accountId}.',
    'hub.api.noSuchEndpoint': 'There is no {method} {path} endpoint.',
    'hub.auth.noActiveApiKey': 'There is no active API key {keyId}.',
    'hub.auth.noDevice': 'There is no device {deviceId}.',
    'hub.auth.noEnrolledDevice': 'There is no enrolled device {deviceId}.',
    'hub.auth.noNode': 'There is no node {nodeId}.',
    'hub.auth.noUser': 'There is no user {userId}.',
    'hub.catalog.noImport': 'There is no import {importId}.',
    'hub.catalog.noSkuCatalog': 'There is no SKU {sku} in the catalog.',
    'hub.exceptions.noException': 'There is no exception {exceptionId}.',
    'hub.integration.noStoreWarehouse': 'There is no store or warehouse {nodeId}.',
    'hub.integration.noWebhookSubscription': 'There is no webhook subscription {subscriptionId}.',
    'hub.integration.subscriptionNoDeliveryEvent':
      'Subscription {subscriptionId} has no delivery of event {seq}.',
    'hub.inventory.hubNoStore': 'The hub has no store {storeId}.',
    'hub.inventory.noNode': 'There is no node {missing}.',
    'hub.inventory.noReservation': 'There is no reservation {reservationId}.',
    'hub.inventory.noTransfer': 'There is no transfer {transferId}.',
    'hub.inventory.skuNotHubCatalog': "SKU {sku} is not in the hub's catalog.",
    'hub.loyalty.loyaltyAccountNoLonger': 'Loyalty account {account_id} no longer exists.',
    'hub.loyalty.noFrozenStoreCredit': 'There is no frozen store credit {creditId}.',
    'hub.loyalty.noStoredValueAccount': 'There is no gift card or store credit account {accountId}.',
    'hub.loyalty.noStoredValueAccountSearch':
      'There is no gift card or store credit account {accountId}. Search the accounts list for it.',
    'hub.loyalty.noHeldPoints': 'There are no held points {holdId}.',
    'hub.loyalty.noLoyaltyAccount': 'There is no loyalty account {accountId}.',
    'hub.loyalty.noLoyaltyProgrammeSet':
      'No loyalty programme is set up yet: HQ must set one (PUT /api/loyalty/programme) before points can be used.',
    'hub.loyalty.noStoredValueSettings':
      'No stored-value settings for {currency} are set up: HQ must set them (PUT /api/loyalty/stored-value-settings) before cards can be used.',
    'hub.nodes.noNodeCode': 'There is no node with code {nodeCode}.',
    'hub.orders.noNotification': 'There is no notification {notificationId}.',
    'hub.orders.noOnlineOrderCheck':
      'There is no online order {orderNumber}. Check the number on the receipt or e-mail.',
    'hub.orders.noOrder': 'There is no order {orderId}.',
    'hub.orders.orderNoReturn': 'Order {orderId} has no return {returnId}.',
    'hub.payments.paymentProviderNotKnow': 'The payment provider does not know it: {message}',
    'hub.pricing.noneToUpdate':
      'There is no {entity, select, priceBook {price book} other {promotion}} {id} to update.',
    'hub.pricing.noPriceBook': 'There is no price book {priceBookId}.',
    'hub.pricing.noSuchVersionedEntity':
      'There is no {entity, select, price_book {price book} other {promotion}} {key}.',
    'hub.purchasing.noPurchaseOrder': 'There is no purchase order {purchaseOrderId}.',
    'hub.purchasing.noShippingNotice': 'There is no shipping notice {asnId}.',
    'hub.settings.noNodeChainRegion': 'No node of the chain is in region {regionId}.',
    'hub.settings.noStore': 'There is no store {storeId}.',
    'hub.staff.noStaffMember': 'There is no staff member {staffId}.',
    'hub.storage.couldNotStartedInstall':
      "{command} could not be started ({message}). Install the PostgreSQL client tools of the server's major version or name their folder with --pg-bin.",
    'hub.storage.noBackup': 'There is no backup at {from}.',
    'hub.storage.noHubDatabaseBack': 'There is no hub database at {location} to back up.',
    'hub.sync.hubNoEventLog':
      'The hub has no event {eventId} in its log. An event refused for a reused sequence number is in its SEQUENCE_CONFLICT exception instead.',
    'hub.sync.hubNoSaleReceipt':
      'The hub has no sale with receipt number {receiptNumber}. Check the number; a sale made offline reaches the hub when its till reconnects.',
    'hub.sync.storeNoDeviceReplace':
      'Store {nodeCode} has no device {deviceId} to replace. Set the till up with a new data folder instead.',
  },
  CONFLICT: {
    'hub.alerts.alertRuleChangedSomeone':
      'Alert rule {ruleId} was changed by someone else (version {current}, you saw {seen}); reload it and make your change again.',
    'hub.auth.deviceChangedSomeoneElse':
      'Device {deviceName} was changed by someone else (now version {version}); reload it and try again.',
    'hub.auth.enrollmentCodeOtherStore':
      "This enrollment code is for store {nodeCode}, but this till belongs to store {storeId}. Ask HQ for a code for the till's own store.",
    'hub.auth.storeAlreadyDeviceNumber':
      'Store {nodeCode} already has a device number {deviceNo}; receipt numbers would collide. Set this till up with a free number.',
    'hub.auth.tillAlreadyEnrolledRevoke':
      'This till is already enrolled; revoke it at HQ to enroll it again.',
    'hub.auth.userAlreadyExists': 'User {username} already exists.',
    'hub.catalog.importAlreadyExistsUse': 'Import {importId} already exists; use a new id.',
    'hub.catalog.skuAlreadyExists':
      'SKU {sku} already exists (version {current}); open it and edit it instead.',
    'hub.catalog.skuChangedBySomeoneElse':
      'SKU {sku} was changed by someone else (now version {current}, you saw {seen}); reload it and make your change again.',
    'hub.catalog.skuNoLongerExists': 'SKU {sku} no longer exists; reload the list.',
    'hub.exceptions.alreadyResolved':
      'Exception {exceptionId} was already resolved by {byKnown, select, yes {{by}} other {someone}}; reload it to see the note.',
    'hub.integration.positionBeyondHubLog':
      "Position {position} is beyond this hub's log (head {head}); it was probably restored from a backup. Resume with `since` set to the time of the last event you applied.",
    'hub.integration.webhookEndpointChangedSomeone':
      'Webhook endpoint {rowName} was changed by someone else (now version {version}); reload it and try again.',
    'hub.inventory.idempotencyKeyAlreadyUsed':
      'Idempotency key {idempotencyKey} was already used for a different reservation ({reservation_id}).',
    'hub.inventory.reservationChangedMeanwhileNow':
      'Reservation {reservation_id} changed meanwhile (now version {version}, {rowStatus}); reload it.',
    'hub.inventory.stockChangedSinceLooked':
      'Stock of {sku} ({bucket}) changed since you looked: it is {actual}, not {expected}. Reload and decide again.',
    'hub.inventory.transferAlreadyReceived': 'Transfer {transferId} was already received.',
    'hub.loyalty.creditAlreadyDecided':
      'Store credit {creditId} was already {status} by {byKnown, select, yes {{by}} other {someone}}.',
    'hub.loyalty.loyaltyAccountMergedUse':
      'Loyalty account {accountId} was merged into {merged_into}; use that one.',
    'hub.loyalty.loyaltyCardAlreadyBelongs':
      'Loyalty card {card} already belongs to another customer; hand out another card.',
    'hub.loyalty.noLoyaltyProgrammeApplied':
      'No loyalty programme in {currency} applied at the time of sale {sale_id}; drop its points instead.',
    'hub.loyalty.pointsAlreadyDecided':
      'The points of sale {saleId} were already {status} by {byKnown, select, yes {{by}} other {someone}}.',
    'hub.loyalty.saleVoidedSinceEarns':
      'Sale {sale_id} was voided since, so it earns nothing: drop its points instead.',
    'hub.loyalty.storeCreditWithoutAccount': 'Store credit {creditId} names no account; drop it.',
    'hub.nodes.nodeChangedSomeoneElse':
      'Node {currentCode} was changed by someone else (now version {version}); reload it and try again.',
    'hub.nodes.nodeCodeAlreadyExists': 'A node with code {inputCode} already exists.',
    'hub.nodes.nodeIdAlreadyExists': 'A node with id {nodeId} already exists.',
    'hub.orders.idempotencyKeyAlreadyUsed':
      'Idempotency-Key {clientKey} was already used for a different order ({order_id}); use a new key for a new order.',
    'hub.orders.orderAlreadyExistsHub':
      'Order {orderId} already exists at the hub; a new order needs a new orderId.',
    'hub.orders.orderChangedSinceLoaded':
      'Order {orderNumber} changed since you loaded it: it is now {stateStatus} (version {version}). Reload it and decide again.',
    'hub.orders.orderChangedReloadRetry':
      'Order {orderNumber} changed since it was loaded (now version {version}); reload it and try again.',
    'hub.orders.severalOnlineOrdersCarry':
      'Several online orders carry the number {orderNumber}; HQ must take this return by order id.',
    'hub.pricing.changedMeanwhile':
      '{entity, select, priceBook {Price book} other {Promotion}} {id} was changed meanwhile (now version {current}); reload it and apply your change again.',
    'hub.pricing.priceBookExistsSendVersion':
      'Price book {priceBookId} already exists; send expectedVersion to change it.',
    'hub.pricing.priceBookExistsReload': 'Price book {priceBookId} already exists; reload it to change it.',
    'hub.pricing.promotionAlreadyExistsSend':
      'Promotion {promotionId} already exists; send expectedVersion to change it.',
    'hub.purchasing.purchaseOrderNumberAlready': 'Purchase order number {poNumber} is already in use.',
    'hub.purchasing.shippingNoticeNumberAlready': 'Shipping notice number {asnNumber} is already in use.',
    'hub.settings.changedBySomeoneElse':
      '{key} for {scope, select, chain {the chain} region {region {scopeId}} other {store {scopeId}}} was changed by someone else (now version {currentVersion}); reload it and decide again.',
    'hub.staff.changedSinceOpenedVersion':
      '{beforeName} was changed by {updatedBy} since you opened it (version {version}, you saw {expectedVersion}). Reload and make your change again.',
    'hub.staff.staffCodeAlreadyTaken': 'Staff code {staffCode} is already taken by {takenName}.',
    'hub.storage.hubBusyConflictingChanges':
      'The hub is busy with conflicting changes; try again in a moment.',
    'hub.storage.databaseInUseBySessions':
      '{sessions} other session(s) use this database. Stop every pos-hub serve (and other clients) on it, then restore.',
    'hub.storage.databaseInUse':
      '{location} is in use. Stop every pos-hub serve (and other pos-hub commands) on it, then restore.',
    'hub.sync.hubHoldsNothingBeyondTill':
      'The hub holds nothing of this till beyond what the till has (up to event {keptUpTo}); it keeps syncing as it is.',
    'hub.sync.hubRestoredNotTill':
      'The hub holds only {hubLastSeq} events of this till, fewer than the {ackedSeq} it once acknowledged: the hub was restored from a backup, not the till. The till sends what the hub lost by itself; it needs no new enrollment.',
  },
  NOT_ALLOWED: {
    'hub.staff.vouchBelowVerified':
      '{staffId} is already verified as a {verifiedRole}: vouching raises what the hub believes, it cannot lower it to {role}; manage them centrally to change their role.',
    'hub.alerts.onlyFailedAlertResent':
      'Alert {deliveryId} is {rowStatus}; only a failed alert can be sent again.',
    'hub.api.methodNotAnswered': 'The hub does not answer {method} requests.',
    'hub.api.notAllowed': 'Not allowed.',
    'hub.api.pathAnswersOtherMethods': '{path} answers {allow}, not {method}.',
    'hub.auth.nodeInactiveActivateBefore':
      'Node {nodeCode} is inactive; activate it before enrolling devices.',
    'hub.integration.deliveryEventOnlyDead':
      'The delivery of event {seq} is {rowStatus}; only a dead letter can be sent again or skipped.',
    'hub.inventory.nodeInactiveCannotTake': 'Node {nodeId} is inactive and cannot take reservations.',
    'hub.inventory.reservationBelongsBopisOrder':
      'Reservation {reservation_id} belongs to BOPIS order {orderId}; change the order instead (cancel or re-route it).',
    'hub.inventory.reservationExpiredBefore':
      'Reservation {reservationId} expired before it was confirmed; reserve again.',
    'hub.orders.notificationOnlyFailed':
      'Notification {notificationId} is {rowStatus}; only a failed notification can be sent again.',
    'hub.orders.orderNotPlacedHub':
      'Order {orderNumber} was not placed: this hub has no payment provider configured, so it cannot authorise payment.paymentMethod. Send an authorisationRef instead.',
    'hub.payments.cardPaymentDeclined': 'The card payment was declined: {message}',
    'hub.payments.refundBeyondSettled':
      'Order {orderId} can be refunded at most {settled} {currency} (minor units) more; {amount} was asked.',
    'hub.payments.refundBeyondRefundable':
      'Order {orderId} can be refunded at most {refundable} {currency} (minor units) more; {amount} was asked.',
    'hub.payments.orderNotPlacedAsk':
      'Order {orderNumber} was not placed: {message} Ask the customer for another card.',
    'hub.payments.orderNotPlacedCard':
      'Order {orderNumber} was not placed: the card was not authorised for {amount} {currency} (payment {intentId} is {intentStatus}). Ask the customer to complete or change the payment.',
    'hub.payments.paymentProviderRefusedRequest':
      'The payment provider refused the request ({responseStatus}): {message}',
    'hub.purchasing.purchaseOrderNothingMore':
      'Purchase order {poNumber} is {orderStatus}; nothing more can be shipped against it.',
    'hub.purchasing.purchaseOrderOnlyOpen':
      'Purchase order {poNumber} is {orderStatus}; only an open or partly received order can be cancelled.',
    'hub.purchasing.shippingNoticeCanReceived':
      'Shipping notice {asnNumber} is {noticeStatus}; it can be received once.',
    'hub.purchasing.shippingNoticeOnlyOpen':
      'Shipping notice {asnNumber} is {noticeStatus}; only an open notice can be cancelled.',
  },
  UNKNOWN_BARCODE: {
    'hub.catalog.noSkuBarcode': 'No SKU has barcode {barcode}.',
  },
  INSUFFICIENT_STOCK: {
    'hub.channels.orderCannotPlacedChannel':
      'Order {orderNumber} cannot be placed: the {channel} channel may sell only {detail}.',
    'hub.orders.noStoreCanFulfil': 'No store can fulfil order {orderNumber} now: {reason}',
  },
  LIMIT_EXCEEDED: {
    'hub.inventory.changeBeyondCountable':
      'This change of {delta} would take the {bucket} stock of {sku} at {nodeId} beyond what the hub can count; check the quantity.',
  },
  HUB_UNAVAILABLE: {
    'hub.api.databaseUnreachable':
      'The hub cannot reach its database; it serves again as soon as the database is back.',
    'hub.payments.orderNotPlacedPayment':
      'Order {orderNumber} was not placed: the payment provider cannot be reached now ({message}). Send it again with the same Idempotency-Key.',
    'hub.storage.hubCannotWriteDatabase':
      'The hub cannot write to its database (its disk is full or read-only). Nothing of this request was saved; tills keep their sales and send them again by themselves. Free disk space on the hub.',
    'hub.storage.hubLostDatabaseConnection':
      'The hub lost its database connection (a database restart or failover). Nothing was half-saved; try again in a few seconds.',
  },
  RETURN_EXCEEDS_SOLD: {
    'hub.orders.returnAuthorisedFewerUnits':
      'Return {returnId} authorised fewer units than received for {lines}; create another RMA for the rest.',
    'hub.orders.returnTakesBackMore':
      'This return takes back more than the customer received and has not yet returned: {problems}.',
  },
  LOCKED_OUT: {
    'hub.loyalty.tooManyWrongPINs':
      'Too many wrong PINs: this card is locked until {lockedUntil}. Take another tender.',
  },
  SCHEMA_VERSION: {
    'hub.sync.tillTooOld':
      'This hub serves tills from version {minimum}; this till runs {known, select, yes {{clientVersion}} other {an unknown version}}. Install the update to sync again.',
  },
  PAYLOAD_TOO_LARGE: {
    'hub.api.bodyTooLarge': 'The request body is too large for this endpoint.',
    'hub.api.importsLimitedMbSplit': 'Imports are limited to {maxBytes} MB; split the file.',
  },
  RATE_LIMITED: {
    'hub.api.tooManyRequestsTry': 'Too many requests; try again in {retryAfterSeconds} s.',
    'hub.auth.hubBusyCheckingOther': 'The hub is busy checking other sign-ins; try again in a moment.',
    'hub.auth.tooManyWrongPasswords':
      'Too many wrong passwords for this account from this address; try again in {retryAfterSeconds} s.',
    'hub.ingest.hubStillApplyingPrevious':
      'The hub is still applying the previous push of this till; it will send again shortly, sales continue meanwhile.',
    'hub.sync.hubBusyBringingOther':
      'The hub is busy bringing other tills up to date. This till will try again shortly; sales continue meanwhile.',
  },
  INTERNAL: {
    'hub.api.customerCreatedCannotRead': 'The customer was created but cannot be read back.',
    'hub.feed.invalidEntity':
      'The hub produced an invalid {entity} {key} for the feed ({path}: {hasProblem, select, yes {{problem}} other {invalid}}); nothing was saved.',
    'hub.integration.hubProducedInvalidEvent':
      'The hub produced an invalid {draftType} event ({problem}); nothing was saved.',
    'hub.loyalty.hubNoStoredValue': 'The hub has no stored-value key; its database was not migrated.',
    'hub.orders.couldNotDrawUnused': 'Could not draw an unused pickup code; try again.',
    'hub.orders.orderNoReservationLine':
      'Order {orderNumber} has no {from} reservation for line {lineId} at node {nodeId}.',
    'hub.orders.orderOnlineStepNot': 'Order {orderNumber}: an online step was not applied.',
    'hub.orders.reservationCannotCreated': 'A reservation cannot be created {to}.',
    'hub.orders.reservationMoveNamesStatus': 'A reservation move names its status.',
    'hub.orders.storedSplitOrderUnreadable': 'The stored split order {orderId} is unreadable.',
    'hub.orders.storedStateOrderUnreadable': 'The stored state of order {order_id} is unreadable.',
    'hub.orders.unexpectedBopisEvent': 'Unexpected BOPIS event {never}.',
    'hub.storage.databaseCannotUsedHub': 'This database cannot be used by this hub version: {message}',
    'hub.storage.databaseMigrationFailed': 'Database migration {failed} failed: {message}',
    'hub.storage.commandFailed': '{command} failed (exit {code}): {stderr}',
    'hub.storage.fewerNumbersHanded': 'The hub was handed {numbersCount} of {count} {sequence} numbers.',
  },
} as const;
