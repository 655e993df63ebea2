/**
 * English sentences of the errors thrown in packages/domain, grouped by error code, keyed by a stable id
 * (`area.whatWentWrong`), written in ICU message syntax: `{name}` is a parameter the throw site passes,
 * already formatted as the sentence shows it. See docs/conventions.md, "Errors".
 */
export const DOMAIN_ERROR_MESSAGES = {
  INVALID_INPUT: {
    'bopis.enterBothOrderNumber': 'Enter both the order number and the name on the order.',
    'bopis.lineReportedShortTwice': 'Line {lineId} is reported short twice in one step.',
    'bopis.nodeHoldingOrderNot': 'The node holding the order is not a valid node id.',
    'bopis.notPickupCodeMore':
      'That is not a pickup code: it has 6 or more letters and digits. Check it with the customer.',
    'bopis.orderIdTooLong':
      'Order id {orderId} is too long to be split: its parts get ".<n>" appended, so keep ids of orders that may be split to {MAX_ORDER_ID} characters.',
    'bopis.orderListedTwiceOversell': 'Order {orderId} is listed twice for the oversell.',
    'bopis.orderNoLine': 'Order {orderNumber} has no line {lineId}.',
    'bopis.orderNotValid': 'The order is not valid. {summary}',
    'bopis.orderStateAlwaysLeast': 'An order state always has at least one logged transition.',
    'bopis.orderStepNotValid': 'The order step is not valid. {value}',
    'bopis.oversellNamesNodeSku': 'An oversell names the node and SKU it happened at.',
    'bopis.oversellShortWholeNumber':
      'An oversell is short by a whole number of units (or grams) of at least 1.',
    'bopis.pickupCodeCharactersLong': 'A pickup code is 6 to 12 characters long.',
    'bopis.pickupCodeMustCome': 'The pickup code must come from generatePickupCode.',
    'bopis.randomSourceReturnedToo': 'The random source returned too few bytes for a pickup code.',
    'bopis.readyTimeMustEpoch': 'The ready time must be epoch milliseconds.',
    'bopis.reservationOversellNotValid': 'Reservation {index} of the oversell is not valid. {summary}',
    'bopis.resolutionTimeMustEpoch': 'The resolution time must be epoch milliseconds.',
    'bopis.scanLeastWholeUnit': 'Scan at least one whole unit (or gram) at a time.',
    'bopis.splitOrderNamesLine':
      'The split of order {orderNumber} names line {lineId}, which it does not have.',
    'bopis.splitOrderNeedsLeast': 'A split of order {orderNumber} needs at least two parts.',
    'bopis.splitOrderNotAdd': 'The split of order {orderNumber} does not add up to line {value}.',
    'bopis.transitionIdCharacters': 'A transition id is 1–100 characters.',
    'cart.cashRoundingCannotLarger': 'Cash rounding cannot be larger than the sale total.',
    'cart.lineAppearsTwiceCart': 'Line {lineId} appears twice in the cart.',
    'cart.mustPercentageAboveMost':
      '{what}{what2} must be a percentage above 0 and at most 100, or a positive amount.',
    'cart.negativePrice': '{lineName} has a negative price.',
    'cart.pricedLabelScanEach': '{lineName} was priced by its label; scan each label as its own line.',
    'cart.quantityMustPositiveWhole':
      'The quantity of {lineName} must be a positive whole number{unit, select, kg { of grams} other {}}.',
    'cart.saleTimeMustWhole': 'The sale time must be whole milliseconds.',
    'catalog.categoriesFormCycleCategory':
      'Categories {cycle} form a cycle; a category cannot be its own ancestor.',
    'catalog.categoryNotExist': 'Category {categoryId} does not exist.',
    'catalog.categoryParentNotExist':
      'Category {path} has parent {parentId}, which does not exist. Import the parent first or fix the parent id.',
    'catalog.checkDigitCanOnly': 'A check digit can only be computed over digits.',
    'catalog.itemReferenceMustExactly':
      'Item reference "{itemReference}" must be exactly {itemDigits} digits for label rule {prefix}.',
    'catalog.labelRuleConfiguredTwice': 'Label rule {prefix} is configured twice; keep one rule per prefix.',
    'catalog.labelRuleInvalid': '{problem}',
    'catalog.labelValueMustWhole': 'A label value must be a whole, non-negative multiple of {scale}.',
    'catalog.priceCheckDigitDefined': 'A price check digit is defined for 4- or 5-digit values only.',
    'catalog.valueNotFitDigits':
      'Value {value} does not fit the {valueDigits} digits of label rule {prefix}.',
    'ids.clockReturnedTimeUUIDv7': 'The clock returned a time UUIDv7 cannot encode.',
    'ids.notUUIDv7': '{id} is not a UUIDv7.',
    'ids.randomSourceReturnedToo': 'The random source returned too few bytes.',
    'inventory.movementQuantityMustWhole': 'A movement quantity must be a whole number of units or grams.',
    'inventory.quantityMustWholeNumber': 'The {name} quantity must be a whole number of units or grams.',
    'inventory.reservationQuantityMustWhole':
      'A reservation quantity must be a whole number of units (or grams) greater than zero.',
    'inventory.reservationQuantityMustWhole2':
      'A reservation quantity must be a whole number greater than zero.',
    'loyalty.adjustmentMustAddRemove': 'An adjustment must add or remove a whole number of points.',
    'loyalty.adjustmentMustChangeBalance': 'An adjustment must change the balance.',
    'loyalty.amountEarnsPointsCannot': 'The amount that earns points cannot be negative.',
    'loyalty.cannotNegative': '{what} cannot be negative.',
    'loyalty.creditedPointsMustExpire': 'Credited points must expire after they are given.',
    'loyalty.customerNotTemporaryCustomer':
      'Customer {customerId} is not a temporary customer; only till-created ones merge.',
    'loyalty.entryBelongsAccountNot': 'Entry {entryId} belongs to account {accountId}, not {account}.',
    'loyalty.entryBelongsAccountNot2': 'Entry {entryId} belongs to account {accountId}, not {accountId2}.',
    'loyalty.loyaltyProgrammeNoTier': 'The loyalty programme has no tier for new members.',
    'loyalty.mustMoreZero': '{what} must be more than zero.',
    'loyalty.mustPositiveWholeNumber': '{what} must be a positive whole number of points.',
    'loyalty.noCountryCodeEnter':
      '{trimmed} has no country code; enter it as +<country code> <number>, e.g. +44 20 7946 0958.',
    'loyalty.notEmailAddressCheck': '{input} is not an email address; check it with the customer.',
    'loyalty.notLoyaltyCardNumber':
      '{input} is not a loyalty card number (6–32 letters or digits); scan the card again.',
    'loyalty.notPhoneNumberCheck': '{trimmed} is not a phone number; check the digits and the country code.',
    'loyalty.notPhoneNumberEmail':
      '{trimmed} is not a phone number, email address or loyalty card number; check what was typed.',
    'loyalty.notValid': 'The {what} is not valid. {summary}',
    'loyalty.pointsEarnedTooMany': 'The points earned are too many to record exactly.',
    'loyalty.pointsRedeemedOfflineMust': 'Points redeemed offline must be a positive whole number.',
    'loyalty.redemptionAccountNot': 'Redemption {redemptionId} is for account {accountId}, not {accountId2}.',
    'loyalty.refundedValueCannotNegative': 'A refunded value cannot be negative.',
    'loyalty.sayWhyBalanceAdjusted': 'Say why the balance is adjusted.',
    'loyalty.sayWhyHoldReleased': 'Say why the hold is released.',
    'loyalty.sayWhyPointsAdjusted': 'Say why the points are adjusted; the member sees it in their history.',
    'loyalty.snapshotAccountNot': 'The snapshot is of account {accountId}, not {accountId2}.',
    'loyalty.storeCreditCodeMade': 'A store credit code is made from a UUID.',
    'loyalty.storeDefaultCountryCode': "The store's default country code {countryCode} is not 1–3 digits.",
    'loyalty.valuePaidPointsCannot': 'The value paid with points cannot be negative.',
    'money.allocationWeightsMustNot': 'Allocation weights must not be negative.',
    'money.amountsDecimalPlacesMore':
      '{currency} amounts have {exponent} decimal places; {decimal} has more.',
    'money.amountTooLargeRepresent': 'The amount is too large to represent exactly.',
    'money.cannotAllocateOverEmpty': 'Cannot allocate over an empty list.',
    'money.cashRoundingIncrementMust': 'A cash rounding increment must be positive.',
    'money.currencyNotSupportedIso': 'Currency {currency} is not a supported ISO 4217 code.',
    'money.divisionZero': 'Division by zero.',
    'money.giveTieBreakKey': 'Give one tie-break key per allocation weight.',
    'money.mustWholeNumberMinor': '{what} must be a whole number of minor units, got {value}.',
    'money.notDecimalAmount': '{decimal} is not a decimal amount.',
    'money.notPercentageMostDecimal': '{percent} is not a percentage with at most 4 decimal places.',
    'money.percentageMustFiniteNumber': 'A percentage must be a finite number.',
    'pricing.notCanonicalFormEach': '"{tag}" is not in canonical form (each book once, sorted by id).',
    'pricing.notPriceBookVersion':
      '"{tag}" is not a price book version tag (expected id@version joined with +).',
    'pricing.notValidPriceBook': '"{priceBookId}" is not a valid price book id.',
    'pricing.priceBookAppearsVersions':
      'Price book {priceBookId} appears at versions {known} and {version} on one sale; a sale is priced from one version of each book.',
    'pricing.priceBookInvalidVersion': 'Price book {priceBookId} has an invalid version {version}.',
    'pricing.priceBookListedTwice': 'Price book {priceBookId} is listed twice for SKU {sku}.',
    'pricing.pricesSkuBookOffered':
      "Prices for SKU {sku} in book {priceBookId} were offered as book {priceBookId2}'s prices for SKU {sku2}.",
    'pricing.pricesSkuReferPrice':
      'Prices for SKU {sku} refer to price book {priceBookId}, which does not exist.',
    'pricing.quantitySkuMustWhole':
      'The quantity for SKU {sku} must be a whole number of at least 1 (pieces, or grams for weighed items); got {qty}.',
    'pricing.skuNeededLookUp': 'A SKU is needed to look up a price.',
    'pricing.storeNeededLookUp': 'A store is needed to look up a price.',
    'pricing.timeMustWholeEpoch': 'The time must be whole epoch milliseconds.',
    'pricing.timePriceLookupMust': 'The time of a price lookup must be whole epoch milliseconds.',
    'promotions.basketLinesMustList': 'The basket lines must be a list.',
    'promotions.everyBasketLineMust': 'Every basket line must be an object.',
    'promotions.everyBasketLineNeeds': 'Every basket line needs a lineId.',
    'promotions.lineAppearsTwiceEvery':
      'Line {lineId} appears twice; every basket line needs its own lineId.',
    'promotions.lineMustSoldEach': 'Line {lineId} must be sold by "each" or by "kg".',
    'promotions.lineNeedsCategoryIdsList':
      'Line {lineId} needs its categoryIds as a list (empty if it has none).',
    'promotions.lineNegativePromotionsOnly':
      'Line {lineId} has a negative {what}; promotions only discount items being sold.',
    'promotions.lineNoSku': 'Line {lineId} has no SKU.',
    'promotions.lineNoValidMust':
      'Line {lineId} has no valid {what}; it must be whole minor units with a currency.',
    'promotions.lineQuantityQuantityWhole':
      'Line {lineId} has quantity {qty}; a quantity is a whole number of at least 1 (pieces, or grams for weighed items).',
    'promotions.promotionNotValid': 'The promotion is not valid. {summary}',
    'promotions.promotionsMustList': 'The promotions must be a list.',
    'promotions.promotionsNeedSaleContext': 'Promotions need the sale context: time, store and currency.',
    'promotions.saleCurrencyNotSupported': 'The sale currency {currency} is not a supported ISO 4217 code.',
    'promotions.saleNeedsIdStore': 'The sale needs the id of the store it is made in.',
    'promotions.saleTimeMustWhole': 'The sale time must be whole epoch milliseconds.',
    'promotions.storeRegionIdMust':
      'The store region id must not be empty; leave it out if the store has no region.',
    'returns.chooseLeastItemReturn': 'Choose at least one item to return.',
    'returns.earlierRefundNegativeAmount': 'An earlier refund has a negative amount.',
    'returns.exchangeNetsRefundSale':
      'An exchange nets a refund and a sale total that are both zero or more.',
    'returns.lineAppearsTwiceOriginal': 'Line {lineId} appears twice on the original sale.',
    'returns.lineNegativePaidAmount': 'Line {lineId} has a negative paid amount.',
    'returns.loyaltyTenderNotSay': 'Loyalty tender {tenderId} does not say how many points were redeemed.',
    'returns.mustPositiveWholeNumber':
      '{what} must be a positive whole number of units (grams for weighed items).',
    'returns.noReceiptPriceWindow': 'The no-receipt price window must be between 1 and 3650 days.',
    'returns.priceEndsBeforeStarts': 'The price from {source} ends before it starts.',
    'returns.priceNegative': 'The price from {source} is negative.',
    'returns.quantityReturnMustPositive':
      'The quantity to return must be a positive whole number of units (grams for weighed items).',
    'returns.refundAmountCannotNegative': 'A refund amount cannot be negative.',
    'returns.returnTimeMustWhole': 'The return time must be a whole number of milliseconds.',
    'returns.tenderAppearsTwiceOriginal': 'Tender {tenderId} appears twice on the original sale.',
    'returns.tenderNegativeAmount': 'Tender {tenderId} has a negative amount.',
    'routing.mostNodesCanConsidered':
      'At most {MAX_ROUTING_CANDIDATES} nodes can be considered for one order.',
    'routing.nodeListedTwiceAmong': 'Node {nodeId} is listed twice among the routing candidates.',
    'routing.orderCannotRouted': 'The order cannot be routed: {error}',
    'routing.routingCandidateNotValid': 'Routing candidate {index} is not valid: {error}',
    'routing.routingTimeMustEpoch': 'The routing time must be epoch milliseconds.',
    'tax.saleTimeMustWhole': 'The sale time must be a whole number of milliseconds.',
    'tax.taxRateListedTwice': 'Tax rate {rateId} is listed twice for one line; it would be charged twice.',
    'tax.taxRateNegativePercent': 'Tax rate {rateId} has a negative percent.',
    'tenders.amountDueCannotNegative':
      'The amount due cannot be negative; use a refund for money going back to the customer.',
    'tenders.amountMustMoreZero': '{type} amount must be more than zero.',
    'tenders.cashDenominationsMustPositive':
      'Cash denominations must be positive whole numbers of minor units.',
    'tenders.cashRoundingIncrementMust':
      'The cash rounding increment must be a whole number of minor units of at least 1.',
    'tenders.loyaltyConversionMustGive': 'The loyalty conversion must give points a positive value.',
    'tenders.loyaltyConversionMustPositive':
      'The loyalty conversion must be a positive whole number of points.',
    'tenders.needsReferenceEnterTerminal':
      '{type} needs a reference; enter it from the terminal, card or account.',
    'tenders.newTendersOutOfRange': 'The tenders being added must be 0 to {count}, the tenders given.',
    'tenders.offerLeastQuickCash': 'Offer at least one quick cash amount.',
    'tenders.pointsRedeemMustPositive': 'Points to redeem must be a positive whole number.',
    'tenders.pointsWorthLessRedeem':
      '{points} points are worth less than {value}; redeem at least {minimum} points.',
    'tenders.referenceLongerCharacters': '{type} reference is longer than {MAX_REFERENCE_LENGTH} characters.',
    'tenders.referenceLooksLikeFull':
      '{type} reference looks like a full card number; enter only the terminal reference or the last 4 digits.',
  },
  FORBIDDEN: {
    'bopis.onlyCanMarkOrder':
      'Only the {actor, select, hub {hub} other {store fulfilling the order}} can mark an order {action}.',
    'bopis.orderAssignedStoreNot': 'Order {number} is assigned to store {nodeId}, not to store {nodeId2}.',
    'bopis.orderNotAssignedStore':
      'Order {number} is not assigned to any store right now; store {nodeId} cannot change it.',
  },
  NOT_FOUND: {
    'loyalty.loyaltyTierNotProgramme':
      'Loyalty tier {tierId} is not in the programme; ask HQ to check the account.',
    'loyalty.noHold': 'There is no hold {holdId} on {account}.',
    'loyalty.noPointsHoldAccount': 'There is no points hold {holdId} on this account.',
    'loyalty.noPointsSpentUnder':
      'No points were spent under redemption {holdId} on this account, so none are refunded.',
    'loyalty.nothingSpentUnderRedemption': 'Nothing was spent from {account} under redemption {holdId}.',
    'loyalty.saleEarnedNoPoints':
      'Sale {saleId} earned no points on this account, so the return takes none back.',
    'returns.lineNotReceipt': 'Line {lineId} is not on this receipt.',
    'returns.receiptNoLinesReturn': 'This receipt has no lines to return.',
  },
  CONFLICT: {
    'bopis.orderChangedSinceLoaded':
      'Order {orderNumber} changed since it was loaded: it is now {stateStatus} (version {version}). Reload it and try again.',
    'catalog.barcodeBothSkuSku':
      'Barcode {barcode} is on both SKU {sku} and SKU {sku2}; a barcode must identify one SKU.',
    'catalog.categoryListedTwice': 'Category {categoryId} is listed twice.',
    'catalog.skuListedTwiceCatalog': 'SKU {sku} is listed twice in the catalog.',
    'loyalty.adjustmentAlreadyMade': 'Adjustment {adjustmentId} was already made for {amount}.',
    'loyalty.adjustmentAlreadyMadePoints': 'Adjustment {adjustmentId} was already made for {points} points.',
    'loyalty.holdAlreadyCaptured': 'Hold {holdId} was already captured for {captured}.',
    'loyalty.holdAlreadyCapturedPoints':
      'Hold {holdId} was already captured for {captured} points, not {points}.',
    'loyalty.holdAlreadyExistsPoints':
      'Hold {holdId} already exists for {points} points; use a new hold id for a different amount.',
    'loyalty.holdAlreadyExistsUse':
      'Hold {holdId} already exists for {amount}; use a new hold id for a different amount.',
    'loyalty.holdAlreadyUsedSale':
      'Hold {holdId} was already used on a sale; refund it through a return instead.',
    'loyalty.holdReleasedBeforeSale':
      "Hold {holdId} was released before the sale completed; apply the sale's amount as an offline redemption.",
    'loyalty.idAlreadyUsedOffline': 'Id {holdId} is already used by an offline redemption.',
    'loyalty.issueAlreadyRecorded': 'Issue {issueId} was already recorded for {amount}.',
    'loyalty.ledgerInconsistentAskHq':
      'The ledger of {account} {accountId} is inconsistent: {problem} Ask HQ to check it.',
    'loyalty.pointsHoldAlreadyUsed':
      'Points hold {holdId} was already used on a sale; return the sale to give the points back.',
    'loyalty.pointsHoldReleasedBefore':
      "Points hold {holdId} was released before the sale completed; apply the sale's points as an offline redemption.",
    'loyalty.pointsLedgerAccountInconsistent':
      'The points ledger of account {accountId} is inconsistent: {problem} Ask HQ to check the account.',
    'loyalty.redemptionOnlineHoldCapture':
      'Redemption {redemptionId} is an online hold; capture or release the hold instead.',
    'loyalty.refundAlreadyRecorded': 'Refund {refundId} was already recorded for {amount}.',
    'pricing.priceBookListedTwice2': 'Price book {priceBookId} is listed twice.',
    'pricing.skuTwoPricesPrice':
      'SKU {sku} has two prices in price book {priceBookId}; keep one entry per SKU.',
    'returns.earlierRefundChargedTender':
      'An earlier refund was charged to tender {tenderId}, which is not on this sale; ask HQ to check the refund history.',
    'returns.earlierReturnRefersLine':
      'An earlier return refers to line {originalLineId}, which is not on this sale; ask HQ to check the return history.',
    'tax.taxRateEffectTwice':
      'Tax rate {rateId} is in effect twice for tax category {taxCategory}; HQ must fix the overlapping windows in the tax table.',
  },
  NOT_ALLOWED: {
    'bopis.cannotHandOver': '{reason}',
    'bopis.lineNotShortSku':
      'Line {lineId} is not short: {foundQty} of {qty} × SKU {sku} were found. Scan them instead.',
    'bopis.nothingOrderFoundNothing':
      'Nothing of order {orderNumber} was found, so there is nothing to pack; report it short.',
    'bopis.nothingOrderMarkedShort':
      'Nothing on order {orderNumber} is marked short; give the found quantity of the short line or mark the order ready.',
    'bopis.orderCannotNow': 'Order {number} is {stateStatus}; it cannot be {action} now.',
    'bopis.orderCarriesNoLine':
      'Order {orderNumber} carries no line amounts, so a partial shipment cannot be charged correctly; report it short instead.',
    'bopis.orderCollectedStoreMark':
      'Order {number} is collected in store: mark it ready for pickup instead (it cannot be {action}).',
    'bopis.orderNoPickupDeadline': 'Order {orderNumber} has no pickup deadline yet.',
    'bopis.orderNotExpireUntil': 'Order {orderNumber} does not expire until {expiresAt}.',
    'bopis.orderNotFullyPicked':
      'Order {orderNumber} is not fully picked yet: line {missing} still needs items.',
    'bopis.orderNotFullyPicked2':
      'Order {orderNumber} is not fully picked yet: line {outstandingLineIds} still needs items (or mark it short).',
    'bopis.orderNumberNameNot':
      'The order number and name do not match this order. Check the spelling or ask for the pickup code.',
    'bopis.orderShipHomeOrder':
      'Order {number} is a ship-to-home order: pack it and ship it instead (it cannot be {action}).',
    'bopis.orderShortLinesReport':
      'Order {orderNumber} has short lines ({shortLineIds}); report it short instead.',
    'bopis.pickupCodeNotMatch':
      'The pickup code does not match order {orderNumber}. Ask for the code again or check the order number and name.',
    'bopis.shipmentOrderNotMatch':
      'The shipment of order {orderNumber} does not match what was packed; pack it again.',
    'bopis.storeAlreadyFailedOrder':
      'Store {nodeId} already failed order {number}; route it to another store.',
    'bopis.wrongItemLineNeeds':
      'Wrong item: line {lineId} needs SKU {sku}, this is SKU {scannedSku}. Put it back and pick SKU {sku}.',
    'catalog.skuNoLongerSold': '{skuName} (SKU {sku}) is no longer sold. Set it aside for a supervisor.',
    'inventory.reservationCannot':
      'Reservation {reservationId} is {reservationStatus}; it cannot be {action}.',
    'loyalty.blockedAskHqBefore': '{account} is blocked; ask HQ before using it.',
  },
  CURRENCY_MISMATCH: {
    'cart.pricedSale': '{lineName} is priced in {currency}, the sale in {currency2}.',
    'loyalty.entryAccount': 'Entry {entryId} is in {currency}; the account is in {currency2}.',
    'loyalty.error': '{account} is in {currency}; {what} is in {currency2}.',
    'loyalty.not': '{account} is in {currency}, not {currency2}.',
    'loyalty.offlineLimitsSet': '{account} is in {currency}; the offline limits are set in {currency2}.',
    'loyalty.pointsEarnedAmountsSale':
      'Points are earned on {currency} amounts; this sale is in {currency2}.',
    'loyalty.pointsPaidRefund': 'The points paid {currency}; the refund is in {currency2}.',
    'loyalty.saleEarnedPointsRefund':
      'Sale {saleId} earned points on {currency}; the refund is in {currency2}.',
    'money.cannotCombineAmounts': 'Cannot combine {currency} and {currency2} amounts.',
    'promotions.linePricedSale': 'Line {lineId} is priced in {currency} but the sale is in {currency2}.',
    'tenders.pointsValuedSale': 'Points are valued in {currency} but the sale is in {currency2}.',
    'tenders.sale': '{inputType} is in {currency} but the sale is in {currency2}.',
  },
  INVALID_BARCODE: {
    'catalog.barcodeDigitsProductBarcodes':
      'Barcode "{text}" has {digitsCount} digits; product barcodes have 8, 12, 13 or 14 digits. Scan it again or key the number printed under the bars.',
    'catalog.barcodeDigitsProductBarcodes2':
      'Barcode "{text}" has {digitsCount} digits; product barcodes have 8, 12, 13 or 14 digits. Check that every digit was keyed.',
    'catalog.barcodeEmptyScanAgain':
      'The barcode is empty. Scan again or key the number printed under the bars.',
    'catalog.barcodeMustText': 'A barcode must be text.',
    'catalog.barcodeNeitherProductBarcode':
      'Barcode "{text}" is neither a product barcode (digits only) nor a store code (starts with a letter).',
    'catalog.barcodeStartsDigitContains':
      'Barcode "{text}" starts with a digit but contains other characters; product barcodes are digits only and store codes start with a letter. Scan it again or key only the digits.',
    'catalog.checkDigitBarcodeNot':
      'The check digit of barcode "{text}" does not match its other digits, so it was misread or mistyped. Scan it again or key it in carefully.',
    'catalog.codeCharactersStoreCodes':
      'Code "{text}…" has {textCount} characters; store codes have at most {MAX_STORE_CODE_LENGTH}.',
    'catalog.codeContainsCharactersStore':
      'Code "{text}" contains characters store codes cannot have; use letters, digits and - . _ / only.',
    'catalog.labelFailsCheckDigit':
      'The {ruleKind} on label "{raw}" fails its check digit, so it was misread or the label is damaged. Scan it again or reweigh the item and print a new label.',
    'catalog.labelShowsWeightG':
      'Label "{raw}" shows a weight of 0 g. Reweigh the item and print a new label.',
    'catalog.skuInvalidBarcode': 'SKU {sku} has an invalid barcode: {message}',
  },
  UNKNOWN_BARCODE: {
    'catalog.noProductBarcodeKey':
      'No product has barcode {raw}. Key the item by SKU or set it aside for a supervisor.',
  },
  NO_PRICE: {
    'pricing.skuNoPriceStore': 'SKU {sku} has no price at this store right now.',
    'returns.itemNoPriceLast':
      'This item has no price in the last {windowDays} days, so a return without a receipt cannot be valued.',
  },
  INSUFFICIENT_STOCK: {
    'inventory.onlySkuCanPromised':
      'Only {atp} of SKU {sku} can be promised at node {nodeId}; {qty} were requested.',
  },
  INSUFFICIENT_TENDER: {
    'tenders.cashDueAfterCash': 'Cash due is {cashDue} after cash rounding; {value} is not enough.',
  },
  INSUFFICIENT_BALANCE: {
    'loyalty.availableCannot': '{account} has {currency} available; {amount} cannot be {action}.{heldNote}',
    'loyalty.insufficientPoints':
      'This account has {available} points available; {requested} cannot be {action}.{pending, select, none {} other { {pending} more become usable once their return window has passed.}}{held, select, none {} other { {held} are held for a sale in progress.}}',
    'tenders.customerCanRedeemPoints':
      'The customer can redeem {availablePoints} points; {points} is too many.',
    'tenders.leftCannotPay': '{inputType} {reference} has {available} left; it cannot pay {value}.',
  },
  LIMIT_EXCEEDED: {
    'bopis.lineAlreadyCompleteSku':
      'Line {lineId} is already complete ({qty} × SKU {sku}). Put the extra item back.',
    'bopis.lineNeedsOnlyMore':
      'Line {lineId} needs only {remaining} more of SKU {sku}; {qty} were scanned. Put the extra back.',
    'bopis.orderRoutedTimesCancel':
      'Order {number} has been routed {routingAttempts} times; cancel it and refund the customer instead.',
    'bounds.comesMoreTillCan':
      '{what} comes to more than a till can record ({MAX_AMOUNT} minor units at most).',
    'bounds.lineComesMoreTill':
      'The line for {sku} comes to more than a till can record in one line. Lower the quantity or split it over several sales.',
    'bounds.lineHoldsMostPieces':
      'A line holds at most {MAX_LINE_QTY} pieces (or grams of a weighed item); {sku} has {qty}. Split it over several sales.',
    'bounds.saleComesMoreTill':
      'This sale comes to more than a till can record in one sale. Split it over several sales.',
    'loyalty.onlySpentUnderRedemption':
      'Only {left} of the {amount} spent under redemption {holdId} can still be refunded.',
    'loyalty.refundMoreLeftEarned':
      'The refund of {refunded} is more than is left of the {lotValue} that earned points on sale {saleId} ({priorValue} already returned).',
    'loyalty.refundMoreLeftPaid':
      'The refund of {refunded} is more than is left of the {redemptionValue} paid with points ({priorValue} already refunded).',
    'loyalty.saleUsedOnlyHeld': 'The sale used {amount} but only {amount2} was held.',
    'loyalty.saleUsedPointsOnly': 'The sale used {points} points but only {points2} were held.',
    'returns.refundMoreStillRefundable':
      'The refund of {total} is more than the {refundable} still refundable on this receipt.',
    'tenders.amountMoreStillDue':
      '{inputType} amount {value} is more than the {remaining} still due.{maxPoints}',
    'tenders.changeMoreTillMay':
      'Change of {change} is more than the {maxCashChange} the till may give; ask for a smaller note.',
    'tenders.saleAlreadyPaidFull': 'The sale is already paid in full; remove the extra {inputType} tender.',
  },
  OFFLINE_LIMIT: {
    'loyalty.offlineNothing': '{reason}',
    'loyalty.offlineOnly':
      'Only {allowed} can be used offline, not {requested}. {reason} Ask for another tender for the rest.',
  },
  RETURN_EXCEEDS_SOLD: {
    'returns.canReturnMostSku': 'You can return at most {returnable} of SKU {sku}: {history}.',
    'returns.everythingSkuReceiptAlready':
      'Everything of SKU {sku} on this receipt has already been returned: {history}.',
  },
  INTERNAL: {
    'bopis.oversellStepOrder': 'Oversell step for order {orderId} was {outcomeKind}.',
    'cart.lineDiscountedBelowZero': 'Line {lineId} was discounted below zero.',
    'errors.unexpected': 'Unexpected {context}: {value}',
    'loyalty.morePointsGivenBack': 'More points were given back than the redemption took.',
    'loyalty.pointsAllocatedBeyondWhat': 'Points were allocated beyond what the lots hold.',
    'promotions.buyXGetY': 'A buy-X-get-Y promotion could not find the units it counted on.',
    'promotions.promotionOverDiscountedLine': 'Promotion {promotionId} over-discounted a line.',
  },
} as const;
