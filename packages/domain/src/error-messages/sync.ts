/**
 * English sentences of the errors thrown in packages/sync, grouped by error code, keyed by a stable id
 * (`area.whatWentWrong`), written in ICU message syntax: `{name}` is a parameter the throw site passes,
 * already formatted as the sentence shows it. See docs/conventions.md, "Errors".
 */
export const SYNC_ERROR_MESSAGES = {
  INVALID_INPUT: {
    'sync.backoffNeedsPositiveBase': 'Backoff needs a positive base no larger than its cap.',
    'sync.clockTimeMustWhole': 'A clock time must be a whole, non-negative number of milliseconds.',
    'sync.deviceClockAboutMinute':
      'Device {nodeId} has a clock about {minutes} minute(s) ahead of this one. Correct the device clock, then sync again.',
    'sync.eventsPushMustOrdered':
      'Events in a push must be ordered by increasing deviceSeq; {deviceSeq} follows {deviceSeq2}.',
    'sync.hlcCounterMustBetween': 'An HLC counter must be between 0 and {HLC_MAX_COUNTER}.',
    'sync.hlcNodeIdMust': 'An HLC node id must be 1 to 100 characters long.',
    'sync.hubRefusedRequestHttp': 'The hub refused the request (HTTP {status}). It will be retried later.',
    'sync.mustChanges': 'The {name} must be 1 to {MAX_PULL_LIMIT} changes.',
    'sync.notHybridLogicalClock': '{text} is not a hybrid logical clock timestamp.',
    'sync.pushBatchHoldsEvents': 'A push batch holds 1 to {MAX_PUSH_EVENTS} events.',
    'sync.pushWindowHoldsBatches': 'A push window holds 1 to {MAX_PUSH_WINDOW} batches.',
    'sync.refetchGuardNeedsLeast': 'A refetch guard needs at least one refetch per positive window.',
    'sync.retryAttemptMustWhole': 'A retry attempt must be a whole number of zero or more.',
  },
  UNAUTHORIZED: {
    'sync.hubRefusedCredential':
      'The hub refused this till’s credential. Ask HQ to check the device, or enroll it again with a new code.',
  },
  FORBIDDEN: {
    'sync.deviceMayOnlyPush': 'This device may only push events for its own store and device id.',
    'sync.eventNamesStoreDevice':
      'Event {eventId} names store {storeId} and device {deviceId}; this device may only push its own events.',
  },
  CONFLICT: {
    'sync.outboxEventBelongsStore':
      'Outbox event {eventId} belongs to store {storeId} device {deviceId}, not this till. Call support.',
    'sync.pullAlreadyRunning': 'A pull is already running.',
    'sync.pushAlreadyRunning': 'A push is already running; only one push run may be in flight.',
  },
  LIMIT_EXCEEDED: {
    'sync.hubAskedTillDownload':
      'The hub asked this till to download all of its data again {recent} times within the hour. Sync of hub data is paused to protect the network; sales still go out. Tell HQ.',
  },
  HUB_UNAVAILABLE: {
    'sync.connectionHubDropped': 'The connection to the hub dropped ({reason}).',
    'sync.hubDisconnected':
      'The connection to the hub dropped. Sales continue offline and will be sent when it is back.',
    'sync.hubTimeout':
      'The hub did not answer in time. The request will be retried; nothing is lost or sent twice.',
    'sync.hubUnreachable':
      'The hub cannot be reached. Sales continue offline and will be sent when it is back.',
  },
  SEQUENCE_GAP: {
    'sync.tillOutboxMissingEvent':
      "This till's outbox is missing event number {expected}; it cannot be sent. Call support before closing the till.",
    'sync.tillOutboxOfferedEvent':
      "This till's outbox offered event {base} again after {sent, select, yes {sending} other {the hub acknowledged}} up to {floor}. Call support.",
  },
  SCHEMA_VERSION: {
    'sync.tillTooOld':
      'The hub no longer supports this version of the till software. Install the update to sync again.',
  },
  RATE_LIMITED: {
    'sync.hubBusy':
      'The hub is busy and asked this till to try again later. Sales continue offline meanwhile.',
  },
  INTERNAL: {
    'sync.hubAnsweredPushWithout':
      'The hub answered a push without dealing with event number {ackedSeq}. The batch will be sent again later.',
    'sync.hubFeedAnswerInconsistent':
      "The hub's feed answer is inconsistent ({detail}). Nothing was applied; it will be asked again.",
    'sync.hubPushAnswerNot':
      "The hub's push answer does not match the batch sent ({detail}). The batch will be sent again.",
    'sync.hubSentAnswerNot': 'The hub sent a {path} answer that is not JSON. It will be asked again.',
    'sync.hubSentMalformedAnswer':
      'The hub sent a malformed {what} answer{atPath, select, yes { at {path}} other {}}: {issue}. The request will be retried.',
    'sync.hubSentMalformedAnswer2': 'The hub sent a malformed {event} answer. The request will be retried.',
    'sync.storedPinHashUnreadable': 'A stored PIN hash is unreadable; a manager must reset this PIN.',
  },
} as const;
