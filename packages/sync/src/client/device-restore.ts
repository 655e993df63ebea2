import { DomainError } from '@retail/domain';

/** What showed that this device's data is a restored copy the hub knows to be behind. */
export interface DeviceRestoreEvidence {
  /** The hub's lastSeq for this device. */
  readonly hubLastSeq: number;
  /** The highest deviceSeq this device wrote. */
  readonly writtenSeq: number;
  /** A deviceSeq this device pushed that the hub holds as ANOTHER event, when a push showed one. */
  readonly conflictSeq?: number;
}

/**
 * The hub holds events of this device that the device does not have, or holds other events under its
 * numbers: the device was restored from a backup (or its data folder was copied). Sending more under
 * these numbers would reuse receipt and sequence numbers the hub already holds, so the agent stops
 * pushing and the store node re-enrolls as a new device (docs/sync.md §2, "A till restored from a
 * backup").
 */
export class DeviceRestoredError extends DomainError {
  constructor(readonly evidence: DeviceRestoreEvidence) {
    super(
      'CONFLICT',
      evidence.conflictSeq === undefined
        ? `The hub holds ${evidence.hubLastSeq} events from this till, but the till has only written ${evidence.writtenSeq}: it was restored from a backup. It completes no sale until it has re-enrolled as a new till of the store, which it does by itself when the hub answers; then it sends the hub what the hub lacks.`
        : `The hub already holds another event under this till's number ${evidence.conflictSeq}: the till was restored from a backup (or its data folder was copied). It completes no sale until it has re-enrolled as a new till of the store, which it does by itself when the hub answers; then it sends the hub what the hub lacks.`,
      { ...evidence },
    );
  }
}

export function isDeviceRestoredError(error: unknown): error is DeviceRestoredError {
  return error instanceof DeviceRestoredError;
}
