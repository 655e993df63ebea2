import { DomainError, renderErrorMessage } from '@retail/domain';
import { MAX_RESTORE_EVENTS, type EnrollResponse, type RestoredDevice } from '@retail/sync';
import { sql, type Db } from '../database';
import { readIdentity, type NodeIdentity } from '../identity';
import { hasSyncSchema } from './sync-schema';

/**
 * A till restored from a backup becomes a new device of its store instead of reusing numbers the hub
 * holds (docs/sync.md §2). Locally nothing is renumbered: the outbox keeps one numbering for ever (stock
 * movements, sales and returns refer to it), and `device_succession` (migration 0010) says from which
 * local deviceSeq on events are sent as which device. This module is that mapping and the one
 * transaction that adopts a successor.
 */

/** One device this till has been, with the stretch of the local numbering it sends. */
export interface OwnDevice {
  readonly deviceId: string;
  readonly deviceNo: number;
  /** Local deviceSeq = hub deviceSeq + offset. */
  readonly offset: number;
  /** The last local deviceSeq sent as this device; undefined for the current one. */
  readonly lastLocalSeq: number | undefined;
}

/** Every device this till has been, oldest first; the last is the one it is now. */
export function ownDevices(db: Db): OwnDevice[] {
  const identity = readIdentity(db);
  if (identity === undefined) return [];
  const successions = hasSuccessionSchema(db)
    ? (sql(
        db,
        `SELECT from_seq AS fromSeq, device_id AS deviceId, device_no AS deviceNo,
           previous_device_id AS previousDeviceId, previous_device_no AS previousDeviceNo
         FROM device_succession ORDER BY from_seq`,
      ).all() as {
        fromSeq: number;
        deviceId: string;
        deviceNo: number;
        previousDeviceId: string;
        previousDeviceNo: number;
      }[])
    : [];
  if (successions.length === 0) {
    return [{ deviceId: identity.deviceId, deviceNo: identity.deviceNo, offset: 0, lastLocalSeq: undefined }];
  }
  const first = successions[0]!;
  const devices: OwnDevice[] = [
    {
      deviceId: first.previousDeviceId,
      deviceNo: first.previousDeviceNo,
      offset: 0,
      lastLocalSeq: first.fromSeq - 1,
    },
  ];
  successions.forEach((succession, index) => {
    const next = successions[index + 1];
    devices.push({
      deviceId: succession.deviceId,
      deviceNo: succession.deviceNo,
      offset: succession.fromSeq - 1,
      lastLocalSeq: next === undefined ? undefined : next.fromSeq - 1,
    });
  });
  return devices;
}

/** The device this till sends as now, and how its numbering maps onto the local one. */
export function currentDevice(db: Db): OwnDevice {
  const devices = ownDevices(db);
  const current = devices.at(-1);
  if (current === undefined) {
    throw new DomainError('NOT_FOUND', 'sync.storeNodeNotSet');
  }
  return current;
}

/**
 * How far a hub stock figure reflects this till's own movements, in the local numbering: for every device
 * the till has been that the figure names, the movements it had sent as that device. A device the
 * figure does not name was not known to the hub when it computed the figure, so it counts for nothing.
 */
export function reflectedOwnSeq(
  deviceSeqs: Readonly<Record<string, number>>,
  devices: readonly OwnDevice[],
): number {
  let reflected = 0;
  for (const device of devices) {
    const hubSeq = deviceSeqs[device.deviceId];
    if (hubSeq === undefined) continue;
    const local = device.offset + hubSeq;
    reflected = Math.max(
      reflected,
      device.lastLocalSeq === undefined ? local : Math.min(local, device.lastLocalSeq),
    );
  }
  return reflected;
}

/**
 * Connections known to have migration 0010's table and column. A schema only gains them (migrations never
 * drop them), so a yes is remembered and a no asked again: every receipt number would otherwise query the
 * schema twice.
 */
const successionSchemas = new WeakSet<Db>();
const holdSchemas = new WeakSet<Db>();

export function hasSuccessionSchema(db: Db): boolean {
  if (successionSchemas.has(db)) return true;
  const present =
    (
      sql(
        db,
        "SELECT COUNT(*) AS count FROM sqlite_master WHERE type = 'table' AND name = 'device_succession'",
      ).get() as {
        count: number;
      }
    ).count === 1;
  if (present) successionSchemas.add(db);
  return present;
}

/** The local receipt counter value this device's receipt numbers count from (0 before any succession). */
export function receiptOffset(db: Db): number {
  if (!hasSuccessionSchema(db)) return 0;
  const row = sql(
    db,
    'SELECT receipt_offset AS receiptOffset FROM device_succession ORDER BY from_seq DESC LIMIT 1',
  ).get() as { receiptOffset: number } | undefined;
  return row?.receiptOffset ?? 0;
}

/** Whether the schema has the hold (migration 0010): migration tests run commands on older ones. */
export function hasHoldSchema(db: Db): boolean {
  if (holdSchemas.has(db)) return true;
  const present =
    sql(
      db,
      "SELECT 1 AS present FROM pragma_table_info('device_state') WHERE name = 'restore_hold_seq'",
    ).get() !== undefined;
  if (present) holdSchemas.add(db);
  return present;
}

/**
 * The last local deviceSeq a restored copy is known to share with the hub while it waits for the hub to
 * say which numbers are free, or null: while set, the till issues no receipt number and sends nothing.
 */
export function numberingHold(db: Db): number | null {
  if (!hasHoldSchema(db)) return null;
  const row = sql(db, 'SELECT restore_hold_seq AS hold FROM device_state').get() as { hold: number | null };
  return row.hold;
}

/** The sentence a cashier gets for a sale or return the hold refuses. */
export const NUMBERING_HOLD_MESSAGE = renderErrorMessage('sync.numberingHold');

/**
 * Puts this database's numbering on hold until the hub has been asked (a backup copy, or a till the hub
 * showed to be reusing numbers): `upTo` is the last local deviceSeq known to agree with the hub's record.
 * Only a till that syncs with a hub can be asked, so a standalone one is never held.
 */
export function holdNumbering(db: Db, upTo: number): void {
  if (!hasSyncSchema(db) || !hasHoldSchema(db)) return;
  const enrolled = sql(db, 'SELECT device_credential IS NOT NULL AS enrolled FROM sync_state').get() as {
    enrolled: number;
  };
  if (enrolled.enrolled !== 1) return;
  sql(db, 'UPDATE device_state SET restore_hold_seq = MIN(COALESCE(restore_hold_seq, ?), ?)').run(upTo, upTo);
}

/**
 * What makes a database a backup copy: its numbering waits for the hub from the last event it holds, so
 * whoever restores it can never reuse a number the hub may hold (`pos-store backup`, `pos-store restore`).
 */
export function holdNumberingAsCopy(db: Db): void {
  db.transaction(() => {
    const { written } = sql(db, 'SELECT last_device_seq AS written FROM device_state').get() as {
      written: number;
    };
    holdNumbering(db, written);
  }).immediate();
}

/** The hub holds nothing of this till beyond what the copy held: numbering goes on as before. */
export function liftNumberingHold(db: Db): void {
  sql(db, 'UPDATE device_state SET restore_hold_seq = NULL').run();
}

function receiptNumberOf(payload: string): string | undefined {
  const parsed = JSON.parse(payload) as { receiptNumber?: unknown };
  return typeof parsed.receiptNumber === 'string' ? parsed.receiptNumber : undefined;
}

/**
 * What this till tells the hub about the device it is now when it asks to become a new one: its
 * acknowledged point and written count in that device's numbering, and its events after the acknowledged
 * point (ids, types, receipt numbers), so the hub can tell which it already holds.
 */
export function restoreReport(db: Db, maxEvents: number = MAX_RESTORE_EVENTS): RestoredDevice {
  return db
    .transaction((): RestoredDevice => {
      const device = currentDevice(db);
      const state = sql(
        db,
        'SELECT s.last_acked_seq AS acked, d.last_device_seq AS written FROM sync_state s, device_state d',
      ).get() as { acked: number; written: number };
      const rows = sql(
        db,
        'SELECT device_seq AS deviceSeq, event_id AS eventId, type, payload FROM outbox WHERE device_seq > ? ORDER BY device_seq LIMIT ?',
      ).all(state.acked, maxEvents) as {
        deviceSeq: number;
        eventId: string;
        type: string;
        payload: string;
      }[];
      return {
        deviceId: device.deviceId,
        ackedSeq: Math.max(0, state.acked - device.offset),
        writtenSeq: state.written - device.offset,
        events: rows.map((row) => {
          const receiptNumber =
            row.type === 'sale.completed' || row.type === 'return.completed'
              ? receiptNumberOf(row.payload)
              : undefined;
          return {
            deviceSeq: row.deviceSeq - device.offset,
            eventId: row.eventId,
            type: row.type,
            ...(receiptNumber === undefined ? {} : { receiptNumber }),
          };
        }),
      };
    })
    .deferred();
}

/** Every stock figure's reflected point again, after the devices this till has been changed. */
function recomputeReflectedSeqs(db: Db): void {
  const devices = ownDevices(db);
  const rows = sql(
    db,
    'SELECT node_id AS nodeId, sku, device_seqs AS deviceSeqs FROM stock_levels',
  ).all() as {
    nodeId: string;
    sku: string;
    deviceSeqs: string;
  }[];
  const update = sql(db, 'UPDATE stock_levels SET reflected_own_seq = ? WHERE node_id = ? AND sku = ?');
  for (const row of rows) {
    update.run(
      reflectedOwnSeq(JSON.parse(row.deviceSeqs) as Record<string, number>, devices),
      row.nodeId,
      row.sku,
    );
  }
}

/**
 * ONE transaction: this till is now the device the hub answered (`enrolled.replaced` describes the one it
 * replaces). Its events after `keptUpTo` (in the old device's numbering) are sent again as the new
 * device, numbered from 1; everything up to it counts as acknowledged (the hub holds it). Receipt numbers
 * start again from 1 under the new device number (the local counter goes on: `receipt_offset`); the hold
 * is lifted; the new credential replaces the old one.
 */
export function adoptSuccessor(db: Db, enrolled: EnrollResponse, nowIso: string): NodeIdentity {
  const replaced = enrolled.replaced;
  if (replaced === undefined) {
    throw new DomainError('INTERNAL', 'sync.hubAnsweredReEnrollment');
  }
  return db
    .transaction((): NodeIdentity => {
      const identity = readIdentity(db);
      const device = currentDevice(db);
      if (identity === undefined || device.deviceId !== replaced.deviceId) {
        throw new DomainError('CONFLICT', 'sync.hubReplacedDeviceTill', {
          deviceId: replaced.deviceId,
          deviceId2: device.deviceId,
        });
      }
      if (enrolled.storeId !== identity.storeId) {
        throw new DomainError('CONFLICT', 'sync.hubMadeTillDevice', {
          storeCode: enrolled.storeCode,
          storeCode2: identity.storeCode,
        });
      }
      const state = sql(
        db,
        'SELECT s.last_acked_seq AS acked, d.last_device_seq AS written FROM sync_state s, device_state d',
      ).get() as { acked: number; written: number };
      const keptLocal = device.offset + replaced.keptUpTo;
      if (keptLocal > state.written || keptLocal < state.acked) {
        throw new DomainError(
          'CONFLICT',
          'sync.hubSaysTillAgrees',
          { keptUpTo: replaced.keptUpTo },
          { keptUpTo: replaced.keptUpTo, acked: state.acked, written: state.written },
        );
      }
      const fromSeq = keptLocal + 1;
      const receiptOffset = (
        sql(db, 'SELECT last_receipt_seq AS seq FROM device_state').get() as { seq: number }
      ).seq;
      // The device this till is now may have kept nothing at the hub (it became that device and was
      // restored or revoked again before the hub acknowledged anything of it): its stretch of the local
      // numbering is empty, so the successor takes over the same row. The row keeps the device that sent
      // the events before it, which is what the mapping needs; the hub keeps the whole chain.
      const emptied = sql(
        db,
        `UPDATE device_succession SET device_id = ?, device_no = ?, hub_last_seq = ?, kept_up_to = ?,
           receipt_offset = ?, exception_id = ?, created_at = ?
         WHERE from_seq = ?`,
      ).run(
        enrolled.deviceId,
        enrolled.deviceNo,
        replaced.hubLastSeq,
        replaced.keptUpTo,
        receiptOffset,
        replaced.exceptionId,
        nowIso,
        fromSeq,
      );
      if (emptied.changes === 0) {
        sql(
          db,
          `INSERT INTO device_succession (from_seq, device_id, device_no, previous_device_id, previous_device_no,
             hub_last_seq, kept_up_to, receipt_offset, exception_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          fromSeq,
          enrolled.deviceId,
          enrolled.deviceNo,
          replaced.deviceId,
          replaced.deviceNo,
          replaced.hubLastSeq,
          replaced.keptUpTo,
          receiptOffset,
          replaced.exceptionId,
          nowIso,
        );
      }
      sql(db, 'UPDATE node_identity SET device_id = ?, device_no = ?').run(
        enrolled.deviceId,
        enrolled.deviceNo,
      );
      sql(db, 'UPDATE device_state SET restore_hold_seq = NULL').run();
      sql(db, 'UPDATE sync_state SET last_acked_seq = ?, device_credential = ?').run(
        keptLocal,
        enrolled.credential,
      );
      if (keptLocal > 0) {
        // The old device's stretch counts as acknowledged now, so the retention period starts for it.
        sql(
          db,
          `INSERT INTO outbox_acks (up_to_seq, acked_at, acked_at_ms) VALUES (?, ?, ?)
           ON CONFLICT (up_to_seq) DO NOTHING`,
        ).run(keptLocal, nowIso, Date.parse(nowIso));
      }
      recomputeReflectedSeqs(db);
      return { ...identity, deviceId: enrolled.deviceId, deviceNo: enrolled.deviceNo };
    })
    .immediate();
}
