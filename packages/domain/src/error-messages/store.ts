/**
 * English sentences of the errors thrown in apps/pos-desktop (engine, server), grouped by error code, keyed by a stable id
 * (`area.whatWentWrong`), written in ICU message syntax: `{name}` is a parameter the throw site passes,
 * already formatted as the sentence shows it. See docs/conventions.md, "Errors".
 */
export const STORE_ERROR_MESSAGES = {
  INVALID_INPUT: {
    'backup.notPosStoreDatabase': '{source} is not a pos-store database.',
    'bopis.notPickupCodeMore2':
      'That is not a pickup code: it has 6 or more letters and digits. Check it with the customer.',
    'engine.requestNotValid': 'The {name} request is not valid. {where}{firstMessage}',
    'feed.feedChangeCannotApplied': 'Feed change {hubSeq} ({entity} {key}) cannot be applied: {message}',
    'feed.feedPageMalformed': 'The feed page is malformed at {path}: {issueMessage}.',
    'feed.skuBarcodeNewLabel': 'SKU {sku} has a barcode the new label rules cannot read: {message}',
    'fixture.fixtureFileNotValid': 'The fixture file {file} is not valid JSON: {message}.',
    'fixture.notValidPosStore': '{source} is not a valid pos-store fixture at {path}: {issueMessage}.',
    'identity.setupInvalid': 'The node setup is invalid.',
    'identity.setupIssue': '{issue}',
    'lane.commandMustSentName': "A command must be sent as '{' name, input, session? '}'.",
    'lane.notPairingCode': 'That is not a pairing code.',
    'lane.pairingIssue': '{issue}',
    'lane.pairPostCodeXxxx': 'Pair with a POST of \'{\'"code": "XXXX-XXXX"\'}\'.',
    'lane.sendPairingCodeJson': 'Send the pairing code as JSON.',
    'lane.sendPairingCodeJson2': 'Send the pairing code as JSON: \'{\'"code": "XXXX-XXXX"\'}\'.',
    'lane.setupNotComplete':
      'The setup is not complete.{hasPath, select, yes { {path}:} other {}}{hasIssue, select, yes { {issue}} other {}}',
    'lane.storeServerTokenMust': 'The store server token must be at least 16 characters long.',
    'lane.tooLargePairingRequest': 'That is too large to be a pairing request.',
    'lanes.registerMainBelongsMain':
      'Register main belongs to the main till. Give the lane its own register, such as lane-2.',
    'loyalty.giftCardStoreCredit':
      'A gift card or store credit number is 6 to 64 letters and digits; check what was typed or scanned.',
    'loyalty.numberNotChoosePayment':
      'Number {maskedNumber} is {kind, select, gift_card {a gift card} other {store credit}}, not {kindName}. Choose that payment type.',
    'outbox.outboxAcknowledgementMustWhole':
      'An outbox acknowledgement must be a whole deviceSeq of 0 or more.',
    'outbox.outboxAcknowledgementNeeds': 'An outbox acknowledgement needs a deviceSeq and a time.',
    'outbox.outboxRetentionCutoffMust': 'The outbox retention cutoff must be a time.',
    'receipt.receiptPrinterModelNot':
      'The receipt printer model {model} is not known. Choose one from the list, or none for a generic ESC/POS printer.',
    'receipts.codeBarcodeHoldsCharacters': 'A Code 128 barcode holds 1 to 80 characters.',
    'receipts.codeSetBCannot': 'Code 128 set B cannot encode {character}.',
    'sale.addLeastItemBefore': 'Add at least one item before completing the sale.',
    'sale.addLeastItemBefore2': 'Add at least one item before taking a payment.',
    'sale.labelAlreadyCarriesWeight':
      'This label already carries the weight or price; scan it without a quantity.',
    'sale.nothingParkSaleNo': 'There is nothing to park: the sale has no items. Void it instead.',
    'sale.soldWeightWeighEnter': '{infoName} is sold by weight: weigh it and enter the weight in grams.',
    'sales.loadGiftCardAmount': 'Load a gift card with an amount in steps of {identity}, more than zero.',
    'sales.loadGiftCardAmount2': 'Load a gift card with an amount more than zero.',
    'sales.numberStoreCreditSlip':
      'Number {maskedNumber} is a store credit slip, not a gift card; store credit cannot be loaded.',
    'stock.transferMustGoAnother': 'A transfer must go to another store or warehouse, not this one.',
  },
  UNAUTHORIZED: {
    'commandContext.sessionBelongsAnotherLane': 'That session belongs to another lane. Sign in on this lane.',
    'commandContext.sessionExpiredSignAgain':
      'Your session has expired. Sign in again with your staff code and PIN.',
    'commandContext.signedOutSignStaff': 'You are signed out. Sign in with your staff code and PIN.',
    'commandContext.staffAccountDisabledAsk': 'This staff account has been disabled. Ask a manager.',
    'engine.signStaffCodePin': 'Sign in with your staff code and PIN first.',
    'lanes.laneNoLongerPaired':
      'This lane is no longer paired with the store node. Ask a manager for a new pairing code.',
    'lanes.pairingCodeWrongUsed':
      'That pairing code is wrong, used or expired. Ask a manager for a new code on the main till.',
    'staff.managerCodePinWrong': 'Manager code or PIN is wrong.',
    'staff.staffCodePinWrong':
      'Staff code or PIN is wrong. {left} more wrong {left, plural, =1 {try locks} other {tries lock}} the account on this lane.',
    'staff.staffCodePinWrong2': 'Staff code or PIN is wrong.',
    'sync.hubRefusedEnrollment': 'The hub refused the enrollment (HTTP {status}). Ask HQ to check the hub.',
  },
  FORBIDDEN: {
    'drawer.onlySupervisorManagerCan':
      'Only a supervisor or a manager can open the cash drawer without a sale or refund.',
    'engine.lanePairedRegisterRegister':
      'This lane is paired as register {registerId}; register {register} belongs to another till.',
    'engine.onlyCanSigned':
      'Only a {auth}{auth, select, manager {} other { or above}} can do this; you are signed in as a {role}.',
    'shift.onlyCashierOpenedShift':
      'Only the cashier who opened this shift, a supervisor or a manager can close it.',
    'staff.accountDisabledAskManager': 'The account of {staffName} is disabled. Ask a manager.',
    'staff.notMustAuthorize': '{managerName} is not {approver}; {approver} must authorize this.',
  },
  NOT_FOUND: {
    'backup.noStoreDatabaseBack': 'There is no store database at {source} to back up.',
    'bopis.noOrderPickupCode':
      'No order with that pickup code has come to this store. Check the code, or look the order up by number and name.',
    'bopis.orderNoLine2': 'Order {orderNumber} has no line {lineId}.',
    'bopis.orderNotComeStore':
      'Order {orderNumber} has not come to this store. Check the number, or ask which store the confirmation names.',
    'bopis.orderNotStoreMay':
      'Order {orderId} is not at this store. It may not have synced yet; check the order number.',
    'catalog.skuNotStoreCatalog':
      "SKU {sku} is not in this store's catalog. Check the code, or wait for the catalog to sync.",
    'database.cannotOpenStoreDatabase2': 'Cannot open the store database at {file}: {message}.',
    'engine.noCommandCalled': 'There is no command called {name}.',
    'fixture.cannotReadFixtureFile': 'Cannot read the fixture file {file}: {message}.',
    'identity.storeNodeNotSet':
      'This store node has not been set up yet. Run `pos-store init` with the store and device details first.',
    'lanes.noPairedLaneDisplay': 'There is no paired lane or display with that id.',
    'loyalty.cardNotKnownTill':
      'This card is not known at this till and the hub did not answer. Try again when the hub is reachable, or take another tender.',
    'loyalty.noGiftCardStore': 'There is no gift card or store credit with this number. Check the number.',
    'loyalty.tillNotKnowCustomer':
      'This till does not know that customer and the hub did not answer. Find them by phone, email or card number.',
    'receipt.neitherTillNorHub':
      'Neither this till nor the hub has a receipt numbered {wanted}. Check the number on the receipt; a sale made at a till that is offline reaches the hub when that till reconnects.',
    'receipt.receiptNotMadeTill':
      'Receipt {wanted} was not made on this till, and the hub {online, select, yes {did not answer} other {cannot be reached (offline)}}, so it cannot be shown now. Try again when the hub is back.',
    'receipt.receiptNotSaleStore':
      "Receipt {receiptNumber} is not a sale of this store, so it cannot be e-mailed from here. Only this store's sale receipts can be sent; print a copy of another store's instead.",
    'receipt.tillNoRecordReceipt': 'This till has no record of that receipt e-mail request.',
    'receipts.noSaleReturnReceipt':
      'There is no sale or return with receipt number {receiptNumber} on this node.',
    'receiving.purchaseOrderShippingNotice':
      'That purchase order or shipping notice is not in this store’s list. Wait for the till to sync with HQ, or receive the goods as a supplier delivery.',
    'return.noReturnReceiptNumber': 'There is no return with receipt number {receiptNumber} on this node.',
    'return.tillNotKnowCustomer':
      'This till does not know that customer. Find them again (phone, email or card), then finish the return.',
    'sale.itemNoLongerSale':
      'That item is no longer on this sale: it was removed. Check the cart and pick the item again.',
    'sale.paymentNoLongerSale':
      'That payment is no longer on this sale: it was removed. Check the payments on the screen.',
    'sales.neitherTillNorHub':
      'Neither this till nor the hub has a sale with receipt number {wanted}. Check the number on the receipt; a sale made at a till that is offline reaches the hub when it reconnects.',
    'sales.noSaleReceiptNumber':
      'No sale with receipt number {receiptNumber} was made on this store node. Check the number on the receipt.',
    'sales.noSaleTill': 'There is no sale {saleId} on this till.',
    'sales.receiptNotTillHub':
      'Receipt {wanted} is not on this till and the hub {online, select, yes {did not answer} other {is offline}}. Try again when the hub is reachable, or take the items back as a return without a receipt and enter the receipt number so the hub can link it later.',
    'sales.storeNotNodeStore':
      "Store {storeCode} is not in this node's store list yet, so tax cannot be worked out. Wait for the store list to sync from the hub.",
    'services.notStoreCatalogCheck':
      "{count, plural, =1 {SKU} other {SKUs}} {shown}{more, select, yes { and others} other {}} {count, plural, =1 {is} other {are}} not in this store's catalog. Check the code, or wait for the catalog to sync.",
    'staff.noStaffMemberCode': 'There is no staff member with code {staffCode}.',
    'stock.noStoreWarehouseNode':
      "There is no store or warehouse {toNodeId} in this node's list. Check the destination, or wait for the store list to sync.",
    'sync.storeNodeNotSet': 'This store node has not been set up yet.',
  },
  CONFLICT: {
    'backup.alreadyExistsChooseNew':
      '{target} already exists. Choose a new file name; backups never overwrite.',
    'feed.nodeFollowsFeedNot':
      'This node follows feed {epoch}, not {epoch2}. Its hub data must be re-fetched from a fresh snapshot.',
    'giftCard.removePaymentsBeforeChanging': 'Remove the payments before changing the items or discounts.',
    'identity.dataFolderAlreadyBelongs':
      'This data folder already belongs to store {storeCode}, device {deviceNo}. Use a new data folder for another device.',
    'lane.tillSetUpAlready': 'The till is being set up already; wait for it to finish.',
    'lanes.registerAlreadyUsedLane':
      'Register {registerId} is already used by the lane {takenName}. Revoke that lane first, or pair with another register.',
    'lanes.registerAlreadyUsedLane2':
      'Register {registerId} is already used by the lane {takenName}. Revoke that lane first, or choose another register.',
    'loyalty.customerPhoneNumberEmail':
      'A customer with this phone number or email address is already known here: find them instead of creating them again.',
    'loyalty.hubHeldPointsAnother': 'The hub held points of another account; try again.',
    'loyalty.removePointsPaymentBefore':
      'Remove the points payment before changing the customer on the sale.',
    'outbox.hubAcknowledgedEventTill':
      "The hub acknowledged event {lastSeq}, but this till has only written {written}. The till's data does not match the hub's record of it: call HQ.",
    'receiving.alreadyReceivedTillNot':
      '{document} was already received on this till ({receivedAt}); it is not received twice.',
    'sale.completeSaleRemovePayments': 'Complete the sale or remove its payments before parking it.',
    'sale.registerAlreadySaleProgress':
      'Register {registerId} already has a sale in progress. Complete, park or void it first.',
    'sale.saleNotParked': 'Sale {saleId} is not parked.',
    'sales.giftCardAlreadySale':
      'Gift card {maskedNumber} is already on this sale; remove it to load another amount.',
    'sales.saleCannotChanged': 'Sale {saleId} cannot be changed: {why}.',
    'services.staffCodeAlreadyTaken': 'Staff code {staffCode} is already taken by {existingName}.',
    'setup.alreadyHoldsStoreDatabase': '{databasePath} already holds a store database; this till is set up.',
    'shift.finishVoidOpenParked':
      'Finish or void the {count} open or parked sale(s) on register {registerId} before closing the shift.',
    'shift.registerAlreadyShiftOpen':
      'Register {registerId} already has a shift open since {identity}. Close it first.',
    'stock.changedWhileCountingNow':
      '{rowName} ({sku}) changed while you were counting: {BUCKET_NAMES} is now {row}, not {row2}. Count again.',
    'sync.feedCursorCannotMove': 'The feed cursor cannot move back from {cursor} to {cursor2}.',
    'sync.hubMadeTillDevice':
      'The hub made this till a device of store {storeCode}, but it belongs to {storeCode2}. Nothing was changed; call HQ.',
    'sync.hubReplacedDeviceTill':
      'The hub replaced device {deviceId}, but this till is device {deviceId2}. Nothing was changed; call HQ.',
    'sync.hubSaysTillAgrees':
      'The hub says this till agrees with it up to event {keptUpTo}, which does not fit what the till holds. Nothing was changed; call HQ.',
    'sync.snapshotOnlyDownloadedTill':
      'A snapshot is only downloaded by a till that has none yet or was asked to download again.',
    'sync.snapshotPageBelongsAnother': 'This snapshot page belongs to another snapshot.',
    'sync.tillAlreadyEnrolledHub':
      'This till is already enrolled with a hub. To move it to another store, ask HQ to revoke it and set up a new till.',
    'sync.tillCopyHubData':
      "This till's copy of hub data follows feed {value}, not {epoch}; it must be re-fetched from a snapshot.",
    'system.tillAlreadySetUp':
      'This till is already set up as store {storeCode}, device {deviceNo}. A manager can change its hub, printer and kiosk mode under Settings.',
  },
  NOT_ALLOWED: {
    'bopis.nothingOrderStagedStore': 'Nothing of order {number} is staged at this store.',
    'bopis.orderPackBeforeShipped': 'Order {orderNumber} is {stateStatus}; pack it before it is shipped.',
    'bopis.orderWaitingCustomerHere':
      'Order {number} is waiting for its customer here: keep its items staged.',
    'bopis.wrongItemSkuNot': 'Wrong item: {name} (SKU {sku}) is not on order {orderNumber}. Put it back.',
    'engine.waitsNetworkDiskSend':
      "{name} waits on the network or the disk; send it to the store node's server (executeAsync).",
    'lane.tillNotSetUp':
      'This till is not set up yet. Finish the setup screen first (hub, enrollment code, first manager).',
    'lane.tillSetUpStarting': 'The till is set up and is starting; try again in a moment.',
    'loyalty.attachCustomerSaleBefore':
      'Attach the customer to the sale before paying with points: find them by phone, email or card number.',
    'loyalty.blockedTakeAnotherTender': 'This {kindName} is blocked. Take another tender.',
    'loyalty.customerJustCreatedNo':
      'This customer was just created and has no points yet. Take another tender.',
    'loyalty.customerNotLoyaltyMember':
      'This customer is not a loyalty member, so there are no points to spend. Take another tender.',
    'loyalty.loyaltyAccountBlockedPoints':
      'This loyalty account is blocked; points cannot be spent. Take another tender.',
    'receiving.alreadyHqExtraGoods':
      '{document} is already {value} at HQ. Extra goods are received as a supplier delivery with the document number as the reference.',
    'receiving.cancelledHqGoodsCame':
      '{document} was cancelled at HQ. If the goods came anyway, receive them as a supplier delivery with the document number as the reference, and tell HQ.',
    'receiving.shippingNoticeStillOpen':
      '{document} has a shipping notice still open on this till: receive the delivery against the notice.',
    'sale.itemPricedLabelScan': 'This item was priced by its label; scan each label as its own line.',
    'sale.itemsSaleAlreadyReturned':
      'Items of sale {receiptNumber} were already returned; return the rest instead.',
    'sale.noLongerSoldPut': '{infoName} ({sku}) is no longer sold. Put it aside and tell a supervisor.',
    'sale.onlyCompletedSaleCan': 'Only a completed sale can be post-voided; void an open sale instead.',
    'sale.saleAlreadyVoided': 'This sale is already voided.',
    'sale.saleCompletedUsePost': 'This sale is completed; use a post-void (same shift) or a return.',
    'sale.saleLoadedGiftCard':
      'Sale {receiptNumber} loaded a gift card, so it cannot be post-voided. Return its items instead; HQ corrects the card.',
    'sale.saleMadeShiftNow':
      'Sale {receiptNumber} was made in a shift that is now closed. Use a return instead of a post-void.',
    'sales.giftCardBlockedCannot': 'Gift card {maskedNumber} is blocked and cannot be loaded.',
    'sales.receiptPaidPartlyCan':
      'Receipt {receiptNumber} was paid partly by {value}, which can be refunded only at store {storeId} where it was sold. Send the customer there, or take it back as a return without a receipt.',
    'sales.receiptPaidTillRefunds':
      'Receipt {receiptNumber} was paid in {currency}; this till refunds only {currency2}.',
    'sales.saleVoidedNothingReturn': 'Sale {receiptNumber} was voided; there is nothing to return.',
    'sync.numberingHold':
      'This till was restored from a backup and must first check with the hub which receipt numbers are free. It does so by itself as soon as the hub answers (press Sync now); until then no sale or return can be completed on it. If the hub cannot be reached, use another till and call HQ.',
  },
  CURRENCY_MISMATCH: {
    'loyalty.storeTakes': 'This {kindName} is in {currency}; this store takes {currency2}.',
    'sales.giftCardStoreLoads':
      'Gift card {maskedNumber} is in {currency}; this store loads cards in {currency2}.',
  },
  UNKNOWN_BARCODE: {
    'catalog.barcodeNotStoreCatalog':
      "Barcode {code} is not in this store's catalog. Key the item in by SKU or search for it by name.",
    'sale.barcodeNotStoreCatalog':
      "Barcode {inputCode} is not in this store's catalog. Key the item in by SKU or search for it by name.",
  },
  NO_PRICE: {
    'return.skuNoPriceStore':
      'SKU {sku} has no price at this store right now, so a return without a receipt cannot be valued.',
  },
  INSUFFICIENT_STOCK: {
    'stock.onlyCannotRemoveCount':
      'Only {shown} of {name} {count, plural, =1 {is} other {are}} in {bucket}; you cannot remove {removing}. Count the shelf first.',
  },
  INSUFFICIENT_TENDER: {
    'sale.stillDueCashTake': '{identity} is still due ({identity2} in cash). Take another payment.',
  },
  INSUFFICIENT_BALANCE: {
    'services.drawerHoldOnlyNot':
      'The drawer should hold only {identity}, not enough for a cash refund of {identity2}. Add cash to the drawer first.',
    'shift.drawerHoldCannotTake':
      'The drawer should hold {identity}; you cannot take out {identity2}. Count the drawer or take out less.',
  },
  OVERRIDE_REQUIRED: {
    'sale.askApproveChangeDiscount': '{why} Ask {value} to approve it, or change the discount.',
    'services.askAuthorize': '{requirement} Ask {action} to authorize it.',
    'services.askAuthorizeAgain': '{why} Ask {action} to authorize it again.',
  },
  LIMIT_EXCEEDED: {
    'sale.mayApproveMostOff':
      '{approverName} may approve at most {limitPercent}% off. {ctx}. Change the discount, or ask a manager.',
    'sale.overTenderedRemoveTake':
      'The price dropped: {tenders} {count, plural, one {is} other {are}} {excess} more than due, and only cash gives change. Remove {count, plural, one {it} other {them}} and take {due}.',
    'stock.countMoveOnceCount':
      'This count would move {row} of {rowName} at once; one count moves at most {row2}. Correct the stock with an adjustment first.',
  },
  OFFLINE_LIMIT: {
    'loyalty.giftCardPinOnly':
      'Gift card {maskedNumber} has a PIN, and only the hub can check it; the hub is not reachable now. Take another tender, or try again when the hub is back.',
    'loyalty.notCheckedTillWhile':
      'This {kindName} has not been checked at this till while the hub was reachable, so it cannot be used offline. Take another tender.',
    'loyalty.tillNoOfflineLimits':
      'This till has no offline limits for cards from the hub yet, so the card cannot be used offline. Take another tender.',
    'loyalty.tillNoPointsBalance':
      'This till has no points balance from the hub for this customer, so points cannot be used while the hub is unreachable. Take another tender.',
    'loyalty.tillNotReceivedLoyalty':
      'This till has not received the loyalty programme from the hub yet, so points cannot be used offline. Take another tender.',
  },
  HUB_UNAVAILABLE: {
    'orderReturn.hubNotConfirmReturn':
      'The hub did not confirm the return of order {orderNumber}. Check that the till is online and press Return again: the hub records it once however often it is sent.',
    'orderReturn.onlineOrdersReturnedThrough':
      'Online orders are returned through the hub, and this till cannot reach it right now. Try again when the till is back online; order {orderNumber} cannot be looked up offline.',
    'sync.hubCannotReachedCheck':
      'The hub at {hubUrl} cannot be reached ({message}). Check the address and the network, then try again; nothing was changed at the hub.',
    'sync.hubCouldNotLook':
      'The hub could not look up receipt {receiptNumber} (HTTP {responseStatus}). Try again in a moment.',
    'sync.receiptNotTillHub':
      'Receipt {receiptNumber} is not on this till and the hub could not be asked. Try again when the hub is reachable.',
  },
  SHIFT_NOT_OPEN: {
    'services.noShiftOpenRegister': 'No shift is open on register {registerId}. Open a shift first.',
  },
  LOCKED_OUT: {
    'staff.tooManyWrongPINs':
      'Too many wrong PINs: {staffName} is locked out of {laneName} until {identity}. A manager can unlock sooner.',
  },
  SEQUENCE_GAP: {
    'outbox.hubAcknowledgedEventDevice':
      "The hub acknowledged event {lastSeq}, but this device has only written {written}. This data folder does not match the hub's record of the device; call support before syncing again.",
    'outbox.hubLostTillEvents':
      "The hub has lost this till's events {hubLastSeq} to {acked} (it was restored from a backup), and the till only keeps events from number {oldest}. Call HQ: those sales must be recovered from the till's records.",
  },
  SCHEMA_VERSION: {
    'migrations.dataFolderMigrationHistory':
      "This data folder's migration history does not match this pos-store: it has {rowName} where {expectedName} was expected. Restore a backup made by this version.",
    'migrations.dataFolderWrittenNewer':
      'This data folder was written by a newer pos-store: it has migration {rowName}, which this version does not know. Run the newer pos-store, or restore a backup made by this version.',
    'migrations.migrationDataFolderDiffers':
      "Migration {rowName} in this data folder differs from this pos-store's copy (checksum mismatch). Either the program or the database was modified; reinstall pos-store or restore a backup.",
  },
  STORAGE_FULL: {
    'database.cannotOpenStoreDatabase':
      'Cannot open the store database at {file} for writing ({code}: its disk is read-only, full or not writable by this till). Nothing was changed; the till cannot sell until it can save there: make the folder writable or free space, or call support, then start it again.',
    'diskSpace.cannotSave':
      'This till cannot save to its disk (it is full or cannot be written), so nothing of this was saved. Do not take payment on this till: free disk space or call support, then try again; sales resume as soon as the till can save.',
  },
  INTERNAL: {
    'backup.backupFailedIntegrityCheck':
      'The backup at {target} failed its integrity check ({integrity}). Keep the original and try again.',
    'bopis.stepCurrentHeadOrder': 'A step on the current head of order {orderId} came out {outcomeKind}.',
    'bopis.storedCopyOrderUnreadable': 'The stored copy of order {orderId} is unreadable; re-sync the node.',
    'bopis.unexpectedBopisStep': 'Unexpected BOPIS step {never}.',
    'context.systemClockReturnedImpossible': 'The system clock returned an impossible time.',
    'database.storeDatabaseCannotUse': 'The store database at {file} cannot use write-ahead logging.',
    'engine.answerBrokeCommandContract': 'The {name} answer broke the command contract.',
    'engine.wroteOutboxEventMust': '{name} wrote an outbox event; it must commit durably.',
    'loyalty.customerHubCreatedNot': 'The customer the hub created was not kept.',
    'loyalty.loyaltyProgrammePointsPayment':
      'The loyalty programme this points payment was taken under is missing.',
    'loyalty.newCustomerNotKept': 'The new customer was not kept.',
    'migrations.databaseRowsBreakForeign':
      'The database has rows that break its foreign keys after migrating.',
    'migrations.migrationFileNotNamed': 'Migration file {file} is not named NNNN-what-it-does.sql.',
    'migrations.migrationNumberMigrations':
      'Migration {file} should be number {value}: migrations are numbered without gaps.',
    'outbox.refusingRecordInvalidEvent': 'Refusing to record an invalid {type} event: {reason}',
    'outbox.refusingRecordMalformedEvent': 'Refusing to record a malformed {type} event envelope.',
    'receiving.receivingDocumentVanishedWhile': 'A receiving document vanished while it was received.',
    'sale.exchangeReturnNotRecorded': 'The exchange return was not recorded.',
    'sale.staffMemberApprovedDiscount': 'The staff member who approved the discount is unknown.',
    'sales.cartSaleUnreadableVoid': 'The cart of sale {saleId} is unreadable. Void it and ring it up again.',
    'sales.paymentLostWhileCompleting': 'A payment was lost while completing the sale.',
    'setup.hubNotSayCurrency':
      'The hub did not say which currency this store uses; update the hub first, then ask HQ for a new code.',
    'stock.skuVanishedWhileCounted': 'A SKU vanished while it was being counted.',
    'sync.hubAnsweredEnrollmentSomething':
      'The hub answered the enrollment with something this till does not understand. Check that the till and the hub run compatible versions.',
    'sync.hubAnsweredReEnrollment':
      'The hub answered a re-enrollment without saying which device it replaced.',
    'sync.hubAnsweredReEnrollment2':
      'The hub answered the re-enrollment without saying which device it replaced. Check that the till and the hub run compatible versions.',
  },
} as const;
