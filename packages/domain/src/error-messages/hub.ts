/**
 * English sentences of the errors thrown in apps/hub-server, grouped by error code, keyed by a stable id
 * (`area.whatWentWrong`), written in ICU message syntax: `{name}` is a parameter the throw site passes,
 * already formatted as the sentence shows it. See docs/conventions.md, "Errors".
 */
export const HUB_ERROR_MESSAGES = {
  INVALID_INPUT: {
    'hub.api.importRefused':
      '{nothingDone, select, noPriceChanged {No price was changed} other {Nothing was imported}}: {errorCount} problem(s), first on line {line}: {problem}',
    'hub.catalog.csvNotReadable':
      'The CSV cannot be read{atLine, select, yes { at line {line}} other {}}: {reason}',
    'hub.catalog.headerColumnsWrong':
      '{lacks, select, yes {The header lacks {missing}. } other {}}{hasUnknown, select, yes {Unknown columns: {unknown}. } other {}}Columns are: {columns}.',
    'hub.settings.valueNotValid':
      'The value for {key} is not valid: {hasProblem, select, yes {{problem}} other {invalid}}.',
    'hub.api.fieldProblem': '{path}: {problem}',
    'hub.api.pathNotValidUrl': 'The request path is not a valid URL; check its percent-encoding.',
    'hub.api.pathValueTooLong': 'A value in the path is longer than {max} characters; ids are at most 100.',
    'hub.api.requestNotReadable': 'The request could not be read: {reason}',
    'hub.api.requestPartNotValid': 'The request {where} is not valid.',
    'hub.api.unsupportedContentType': 'Unsupported content type: {reason}',
    'hub.catalog.recordNotValid': '{problems}',
    'hub.pricing.inputProblem': '{problem}',
    'hub.pricing.priceBookNotValid': 'Invalid price book.',
    'hub.pricing.priceEntryNotValid': 'Invalid price entry.',
    'hub.pricing.promotionNotValid': 'Invalid promotion.',
  },
  UNAUTHORIZED: {
    'hub.auth.apiKeyNotValid': 'This API key is not valid or was revoked.',
    'hub.auth.deviceNotEnrolled':
      'This device is not enrolled at the hub (or was revoked). Enroll it again with a new code.',
    'hub.auth.enrollmentCodeNotValid':
      'This enrollment code is not valid: it may be mistyped, already used or expired. Ask HQ for a new one.',
    'hub.auth.sessionEnded': 'Your session has ended; sign in again.',
    'hub.auth.userNameOrPasswordWrong': 'The user name or password is wrong.',
    'hub.sync.noDeviceCredential': 'This till sent no device credential.',
  },
  NOT_FOUND: {
    'hub.pricing.noSuchVersionedEntity':
      'There is no {entity, select, price_book {price book} other {promotion}} {key}.',
    'hub.api.noSuchEndpoint': 'There is no {method} {path} endpoint.',
    'hub.pricing.noneToUpdate':
      'There is no {entity, select, priceBook {price book} other {promotion}} {id} to update.',
  },
  CONFLICT: {
    'hub.settings.changedBySomeoneElse':
      '{key} for {scope, select, chain {the chain} region {region {scopeId}} other {store {scopeId}}} was changed by someone else (now version {currentVersion}); reload it and decide again.',
    'hub.exceptions.alreadyResolved':
      'Exception {exceptionId} was already resolved by {byKnown, select, yes {{by}} other {someone}}; reload it to see the note.',
    'hub.loyalty.creditAlreadyDecided':
      'Store credit {creditId} was already {status} by {byKnown, select, yes {{by}} other {someone}}.',
    'hub.loyalty.pointsAlreadyDecided':
      'The points of sale {saleId} were already {status} by {byKnown, select, yes {{by}} other {someone}}.',
    'hub.catalog.skuAlreadyExists':
      'SKU {sku} already exists (version {current}); open it and edit it instead.',
    'hub.catalog.skuChangedBySomeoneElse':
      'SKU {sku} was changed by someone else (now version {current}, you saw {seen}); reload it and make your change again.',
    'hub.catalog.skuNoLongerExists': 'SKU {sku} no longer exists; reload the list.',
    'hub.pricing.changedMeanwhile':
      '{entity, select, priceBook {Price book} other {Promotion}} {id} was changed meanwhile (now version {current}); reload it and apply your change again.',
  },
  NOT_ALLOWED: {
    'hub.api.methodNotAnswered': 'The hub does not answer {method} requests.',
    'hub.api.notAllowed': 'Not allowed.',
    'hub.api.pathAnswersOtherMethods': '{path} answers {allow}, not {method}.',
  },
  PAYLOAD_TOO_LARGE: {
    'hub.api.bodyTooLarge': 'The request body is too large for this endpoint.',
  },
  SCHEMA_VERSION: {
    'hub.sync.tillTooOld':
      'This hub serves tills from version {minimum}; this till runs {known, select, yes {{clientVersion}} other {an unknown version}}. Install the update to sync again.',
  },
  HUB_UNAVAILABLE: {
    'hub.api.databaseUnreachable':
      'The hub cannot reach its database; it serves again as soon as the database is back.',
  },
  INTERNAL: {
    'hub.feed.invalidEntity':
      'The hub produced an invalid {entity} {key} for the feed ({path}: {hasProblem, select, yes {{problem}} other {invalid}}); nothing was saved.',
  },
} as const;
