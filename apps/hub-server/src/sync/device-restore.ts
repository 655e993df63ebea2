import { DomainError } from '@retail/domain';
import type { RestoredDevice, ReplacedDevice } from '@retail/sync';
import type { HubContext } from '../hub-context';
import { raiseException } from '../exceptions/exception-queue';
import { chunks } from '../storage/chunks';
import type { Executor, Trx } from '../storage/storage';

/** Receipt numbers and event ids listed in the exception stay readable; counts and ranges are exact. */
const MAX_LISTED = 200;

export interface ReplaceDeviceInput {
  readonly node: { readonly node_id: string; readonly code: string };
  /** What the restored till says about the device it was. */
  readonly report: RestoredDevice;
  /** The device it becomes, registered in the same transaction. */
  readonly successor: { readonly deviceId: string; readonly deviceNo: number };
  /**
   * `device`: the till noticed the restore itself and asked with its own credential, so the hub must hold
   * something the till lacks (otherwise nothing was restored). `enrollment-code`: HQ handed out a code, so
   * HQ decided; the old device may already be revoked.
   */
  readonly via: 'device' | 'enrollment-code';
}

function checkReport(report: RestoredDevice): void {
  let expected = report.ackedSeq + 1;
  for (const event of report.events) {
    if (event.deviceSeq !== expected || event.deviceSeq > report.writtenSeq) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.sync.restoredTillEventsMust',
        {
          ackedSeq: report.ackedSeq + 1,
          writtenSeq: report.writtenSeq,
          deviceSeq: event.deviceSeq,
          expected,
        },
        { deviceSeq: event.deviceSeq, expected },
      );
    }
    expected += 1;
  }
  if (report.writtenSeq < report.ackedSeq) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.sync.writtenBelowAcknowledged',
      {},
      {
        ackedSeq: report.ackedSeq,
        writtenSeq: report.writtenSeq,
      },
    );
  }
}

/** The event ids the hub logged for a device at the given deviceSeqs. */
async function heldEventIds(
  trx: Executor,
  deviceId: string,
  seqs: readonly number[],
): Promise<Map<number, string>> {
  const held = new Map<number, string>();
  for (const chunk of chunks([...seqs], 500)) {
    const rows = await trx
      .selectFrom('ingested_events')
      .select(['device_seq', 'event_id'])
      .where('device_id', '=', deviceId)
      .where('device_seq', 'in', chunk)
      .execute();
    for (const row of rows) held.set(Number(row.device_seq), row.event_id);
  }
  return held;
}

/** Receipt numbers in the hub's events of a device after a deviceSeq (sales, returns). */
async function receiptsAfter(trx: Executor, deviceId: string, afterSeq: number): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('ingested_events')
    .select(['envelope'])
    .where('device_id', '=', deviceId)
    .where('device_seq', '>', afterSeq)
    .where('type', 'in', ['sale.completed', 'return.completed'])
    .execute();
  const receipts = new Set<string>();
  for (const row of rows) {
    const payload = (JSON.parse(row.envelope) as { payload?: { receiptNumber?: unknown } }).payload;
    if (typeof payload?.receiptNumber === 'string') receipts.add(payload.receiptNumber);
  }
  return receipts;
}

/**
 * Replaces a device of a store whose till was restored from a backup (docs/sync.md §2, "A till restored
 * from a backup"), inside the caller's transaction, which has already registered the successor:
 *
 * - compares the till's events after its acknowledged point with what the hub holds for the old device,
 *   and answers `keptUpTo`: the last deviceSeq on which both agree. The hub keeps everything it holds
 *   (events the till lost in the restore stay, they happened); the till sends its events after `keptUpTo`
 *   again as the successor, numbered from 1;
 * - revokes the old device, so neither the till nor a copy of its data folder can push under it again;
 * - resolves the sequence conflicts the till's pushes raised for events it now sends again;
 * - raises ONE `DEVICE_RESTORED` exception telling HQ which device, what the hub holds only, what is sent
 *   again under which numbers, and which receipt numbers were handed out twice.
 */
export async function replaceDevice(
  trx: Trx,
  hub: HubContext,
  input: ReplaceDeviceInput,
): Promise<ReplacedDevice> {
  const { node, report, successor, via } = input;
  checkReport(report);
  const old = await trx
    .selectFrom('devices')
    .select(['device_id', 'node_id', 'device_no', 'name', 'last_seq', 'revoked_at'])
    .where('device_id', '=', report.deviceId)
    .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
  if (old === undefined || old.node_id !== node.node_id) {
    throw new DomainError(
      'NOT_FOUND',
      'hub.sync.storeNoDeviceReplace',
      { nodeCode: node.code, deviceId: report.deviceId },
      { deviceId: report.deviceId },
    );
  }
  if (via === 'device' && old.revoked_at !== null) {
    throw new DomainError('UNAUTHORIZED', 'hub.sync.deviceRevokedHqAsk');
  }
  const hubLastSeq = Number(old.last_seq);
  if (report.ackedSeq > hubLastSeq) {
    throw new DomainError(
      'CONFLICT',
      'hub.sync.hubRestoredNotTill',
      { hubLastSeq, ackedSeq: report.ackedSeq },
      { hubLastSeq, ackedSeq: report.ackedSeq },
    );
  }

  const comparable = report.events.filter((event) => event.deviceSeq <= hubLastSeq);
  const held = await heldEventIds(
    trx,
    old.device_id,
    comparable.map((event) => event.deviceSeq),
  );
  let keptUpTo = report.ackedSeq;
  const conflicting: number[] = [];
  for (const event of comparable) {
    if (held.get(event.deviceSeq) !== event.eventId) {
      conflicting.push(event.deviceSeq);
      continue;
    }
    if (conflicting.length === 0) keptUpTo = event.deviceSeq;
  }
  if (via === 'device' && hubLastSeq <= keptUpTo) {
    throw new DomainError(
      'CONFLICT',
      'hub.sync.hubHoldsNothingBeyondTill',
      { keptUpTo },
      { hubLastSeq, keptUpTo },
    );
  }

  const resent = report.events.filter((event) => event.deviceSeq > keptUpTo);
  const resentCount = report.writtenSeq - keptUpTo;
  const heldReceipts = resent.some((event) => event.receiptNumber !== undefined)
    ? await receiptsAfter(trx, old.device_id, keptUpTo)
    : new Set<string>();
  const receiptsIssuedTwice = resent.flatMap((event) =>
    event.receiptNumber !== undefined && heldReceipts.has(event.receiptNumber) ? [event.receiptNumber] : [],
  );

  const now = hub.now();
  if (old.revoked_at === null) {
    await trx
      .updateTable('devices')
      .set({ revoked_at: now })
      .where('device_id', '=', old.device_id)
      .execute();
    // The old identity's socket (another copy of the till still running) is cut off too.
    await hub.storage.deviceRevoked(trx, old.device_id);
  }

  const resentIds = new Map(resent.map((event, index) => [event.eventId, index + 1]));
  const openConflicts = await trx
    .selectFrom('exceptions')
    .select(['exception_id', 'cause_event_ids', 'details'])
    .where('type', '=', 'SEQUENCE_CONFLICT')
    .where('status', '=', 'open')
    .where('node_id', '=', node.node_id)
    .execute();
  const exceptionId = hub.newId();
  let resolvedConflicts = 0;
  for (const conflict of openConflicts) {
    const details = JSON.parse(conflict.details) as { deviceId?: unknown };
    const [eventId] = JSON.parse(conflict.cause_event_ids) as string[];
    const newSeq = eventId === undefined ? undefined : resentIds.get(eventId);
    if (details.deviceId !== old.device_id || newSeq === undefined) continue;
    await trx
      .updateTable('exceptions')
      .set({
        status: 'resolved',
        condition_key: null,
        resolution_note: `The restored till re-enrolled as device ${successor.deviceNo} and sends this event again as its event ${newSeq} (exception ${exceptionId}).`,
        resolved_by: 'hub',
        resolved_at: now,
        updated_at: now,
      })
      .where('exception_id', '=', conflict.exception_id)
      .execute();
    resolvedConflicts += 1;
  }

  const till = `${node.code}-${old.device_no}`;
  const lostFromTill =
    hubLastSeq > keptUpTo
      ? ` The hub keeps its events ${keptUpTo + 1}–${hubLastSeq} of that device, which the restored till no longer has.`
      : '';
  const sentAgain =
    resentCount > 0
      ? ` The till sends its ${resentCount} event(s) written after ${keptUpTo} (old numbers ${keptUpTo + 1}–${report.writtenSeq}) again as events 1–${resentCount} of device ${successor.deviceNo}.`
      : ' The till had written nothing after that.';
  const twice =
    receiptsIssuedTwice.length > 0
      ? ` Receipt numbers issued twice (one sale each at the hub and in the till): ${receiptsIssuedTwice.slice(0, 20).join(', ')}${receiptsIssuedTwice.length > 20 ? ', …' : ''}.`
      : '';
  await raiseException(
    trx,
    {
      type: 'DEVICE_RESTORED',
      // Receipts in two customers' hands with one number is what needs a person soonest.
      severity: receiptsIssuedTwice.length > 0 ? 'critical' : 'warning',
      nodeId: node.node_id,
      causeEventIds: resent.map((event) => event.eventId),
      details: {
        message: `Till ${till} (${old.name}) was restored from a backup and is now device ${successor.deviceNo}; device ${old.device_no} is revoked. It agreed with the hub up to event ${keptUpTo}.${lostFromTill}${sentAgain}${twice}`,
        via,
        deviceId: old.device_id,
        oldDevice: { deviceId: old.device_id, deviceNo: old.device_no, name: old.name },
        newDevice: { deviceId: successor.deviceId, deviceNo: successor.deviceNo },
        hubLastSeq,
        tillAckedSeq: report.ackedSeq,
        tillWrittenSeq: report.writtenSeq,
        keptUpTo,
        heldOnlyByHub: hubLastSeq > keptUpTo ? { fromSeq: keptUpTo + 1, toSeq: hubLastSeq } : null,
        resent:
          resentCount > 0
            ? {
                count: resentCount,
                oldFromSeq: keptUpTo + 1,
                oldToSeq: report.writtenSeq,
                newFromSeq: 1,
                newToSeq: resentCount,
                eventIds: resent.slice(0, MAX_LISTED).map((event) => event.eventId),
              }
            : null,
        conflictingSeqs: conflicting.slice(0, MAX_LISTED),
        receiptsIssuedTwice: receiptsIssuedTwice.slice(0, MAX_LISTED),
        resolvedSequenceConflicts: resolvedConflicts,
      },
    },
    now,
    () => exceptionId,
  );
  return { deviceId: old.device_id, deviceNo: old.device_no, hubLastSeq, keptUpTo, exceptionId };
}
