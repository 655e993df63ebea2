import { DomainError } from '@retail/domain';
import { MAIN_LANE_ID, type LaneKind, type LaneSummary, type PairResponse } from '../../shared/lane-commands';
import type { CommandHandlers } from '../command-context';
import { hashSessionToken } from '../command-context';
import { sql, type TxContext } from '../context';
import type { Db } from '../database';
import { MAIN_LANE, type LaneIdentity } from './lane-identity';

/** A paired device as the server sees it when it presents its credential. */
export interface PairedDevice {
  readonly laneId: string;
  readonly kind: LaneKind;
  readonly name: string;
  readonly registerId: string;
}

/** How long a pairing code stays usable after a manager created it. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes entered (against every outstanding code) before those codes stop working. */
export const PAIRING_MAX_WRONG = 5;
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** last_seen is a hint for the manager screen: written at most once a minute per lane. */
const LAST_SEEN_GRANULARITY_MS = 60_000;

interface LaneRow {
  laneId: string;
  kind: LaneKind;
  name: string;
  registerId: string;
  pairedAtMs: number;
  pairedBy: string | null;
  certificateFingerprint: string | null;
  lastSeenAtMs: number | null;
  revokedAtMs: number | null;
}

const LANE_COLUMNS = `l.lane_id AS laneId, l.kind, l.name, l.register_id AS registerId, l.paired_at_ms AS pairedAtMs,
  s.name AS pairedBy, l.certificate_fingerprint AS certificateFingerprint, l.last_seen_at_ms AS lastSeenAtMs,
  l.revoked_at_ms AS revokedAtMs`;

function toSummary(row: LaneRow): LaneSummary {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    laneId: row.laneId,
    kind: row.kind,
    name: row.name,
    registerId: row.registerId,
    pairedAt: new Date(row.pairedAtMs).toISOString(),
    pairedBy: row.pairedBy,
    certificateFingerprint: row.certificateFingerprint,
    lastSeenAt: iso(row.lastSeenAtMs),
    revokedAt: iso(row.revokedAtMs),
  };
}

function laneRow(ctx: TxContext, laneId: string): LaneRow | undefined {
  return sql(
    ctx.db,
    `SELECT ${LANE_COLUMNS} FROM lanes l LEFT JOIN staff s ON s.staff_id = l.paired_by WHERE l.lane_id = ?`,
  ).get(laneId) as LaneRow | undefined;
}

/** XXXX-XXXX in Crockford base32: 40 bits, no letters that read as digits. */
function newPairingCode(randomBytes: (length: number) => Uint8Array): string {
  // 32 symbols divide 256 evenly, so the low five bits of each byte are uniform.
  const symbols = [...randomBytes(8)].map((byte) => CODE_ALPHABET[byte & 31]).join('');
  return `${symbols.slice(0, 4)}-${symbols.slice(4)}`;
}

function codeHash(normalizedCode: string): string {
  return hashSessionToken(`pairing:${normalizedCode}`);
}

/** The lane a command runs for, checked now: a revoked or unknown lane runs nothing. */
export function resolveLane(ctx: TxContext, laneId: string): LaneIdentity {
  if (laneId === MAIN_LANE_ID) return MAIN_LANE;
  const row = laneRow(ctx, laneId);
  if (!row || row.kind !== 'lane' || row.revokedAtMs !== null) {
    throw new DomainError('UNAUTHORIZED', 'lanes.laneNoLongerPaired', {}, { laneId });
  }
  return { laneId: row.laneId, name: row.name, registerId: row.registerId };
}

/** The lane's name for screens (staff lockouts list lanes by name). */
export function laneName(ctx: TxContext, laneId: string): string {
  if (laneId === MAIN_LANE_ID) return MAIN_LANE.name;
  return laneRow(ctx, laneId)?.name ?? laneId;
}

/**
 * Finds the device a credential belongs to, or undefined (unknown or revoked): the socket server asks
 * this on every connection.
 */
export function authenticateDevice(db: Db, credential: string, nowMs: number): PairedDevice | undefined {
  const row = sql(
    db,
    `SELECT lane_id AS laneId, kind, name, register_id AS registerId, last_seen_at_ms AS lastSeenAtMs
     FROM lanes WHERE credential_hash = ? AND revoked_at_ms IS NULL`,
  ).get(hashSessionToken(credential)) as (PairedDevice & { lastSeenAtMs: number | null }) | undefined;
  if (!row) return undefined;
  if (row.lastSeenAtMs === null || nowMs - row.lastSeenAtMs >= LAST_SEEN_GRANULARITY_MS) {
    sql(db, 'UPDATE lanes SET last_seen_at_ms = ? WHERE lane_id = ?').run(nowMs, row.laneId);
  }
  return { laneId: row.laneId, kind: row.kind, name: row.name, registerId: row.registerId };
}

export type PairOutcome = { ok: true; value: PairResponse } | { ok: false; error: DomainError };

/**
 * Trades a pairing code for a new device credential. A wrong code is counted against every outstanding
 * code (the caller must commit even then); the credential itself is returned once and stored hashed.
 */
export function pairDevice(ctx: TxContext, code: string, certificateFingerprint: string | null): PairOutcome {
  const row = sql(
    ctx.db,
    `SELECT code_hash AS codeHash, kind, name, register_id AS registerId, created_by AS createdBy
     FROM lane_pairing_codes
     WHERE code_hash = ? AND used_at_ms IS NULL AND expires_at_ms > ? AND wrong_attempts < ?`,
  ).get(codeHash(code), ctx.nowMs, PAIRING_MAX_WRONG) as
    { codeHash: string; kind: LaneKind; name: string; registerId: string; createdBy: string } | undefined;
  if (!row) {
    sql(
      ctx.db,
      'UPDATE lane_pairing_codes SET wrong_attempts = wrong_attempts + 1 WHERE used_at_ms IS NULL AND expires_at_ms > ?',
    ).run(ctx.nowMs);
    ctx.audit({ action: 'lane-pairing-refused', details: { reason: 'wrong, used or expired code' } });
    return {
      ok: false,
      error: new DomainError('UNAUTHORIZED', 'lanes.pairingCodeWrongUsed'),
    };
  }
  if (row.kind === 'lane') {
    const taken = sql(
      ctx.db,
      "SELECT name FROM lanes WHERE kind = 'lane' AND register_id = ? AND revoked_at_ms IS NULL",
    ).get(row.registerId) as { name: string } | undefined;
    if (taken) {
      return {
        ok: false,
        error: new DomainError('CONFLICT', 'lanes.registerAlreadyUsedLane', {
          registerId: row.registerId,
          takenName: taken.name,
        }),
      };
    }
  }
  const laneId = ctx.newId();
  const credential = Buffer.from(ctx.randomBytes(32)).toString('base64url');
  sql(
    ctx.db,
    `INSERT INTO lanes (lane_id, kind, name, register_id, credential_hash, paired_at_ms, paired_by, certificate_fingerprint)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    laneId,
    row.kind,
    row.name,
    row.registerId,
    hashSessionToken(credential),
    ctx.nowMs,
    row.createdBy,
    certificateFingerprint,
  );
  sql(ctx.db, 'UPDATE lane_pairing_codes SET used_at_ms = ?, lane_id = ? WHERE code_hash = ?').run(
    ctx.nowMs,
    laneId,
    row.codeHash,
  );
  ctx.notify({ name: 'lane-paired', payload: { laneId } });
  ctx.audit({
    action: 'lane-paired',
    staffId: row.createdBy,
    subject: laneId,
    details: { kind: row.kind, name: row.name, registerId: row.registerId, certificateFingerprint },
  });
  return {
    ok: true,
    value: {
      laneId,
      kind: row.kind,
      name: row.name,
      registerId: row.registerId,
      credential,
      certificateFingerprint,
    },
  };
}

/** The fingerprint of the node's LAN certificate, when it has one (see server/lan-certificate). */
export function lanCertificateFingerprint(db: Db): string | null {
  const row = sql(db, 'SELECT fingerprint_sha256 AS fingerprint FROM lan_certificate').get() as
    { fingerprint: string } | undefined;
  return row?.fingerprint ?? null;
}

export const laneHandlers = {
  'lane-pairing-code': {
    mutates: true,
    handle(ctx, input) {
      const actor = ctx.staff();
      if (input.kind === 'lane' && input.registerId === MAIN_LANE_ID) {
        throw new DomainError('INVALID_INPUT', 'lanes.registerMainBelongsMain');
      }
      if (input.kind === 'lane') {
        const taken = sql(
          ctx.db,
          "SELECT name FROM lanes WHERE kind = 'lane' AND register_id = ? AND revoked_at_ms IS NULL",
        ).get(input.registerId) as { name: string } | undefined;
        if (taken) {
          throw new DomainError(
            'CONFLICT',
            'lanes.registerAlreadyUsedLane2',
            { registerId: input.registerId, takenName: taken.name },
            { registerId: input.registerId },
          );
        }
      }
      const code = newPairingCode((length) => ctx.randomBytes(length));
      const expiresAtMs = ctx.nowMs + PAIRING_CODE_TTL_MS;
      sql(
        ctx.db,
        `INSERT INTO lane_pairing_codes (code_hash, kind, name, register_id, created_by, created_at_ms, expires_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        codeHash(code.replace('-', '')),
        input.kind,
        input.name,
        input.registerId,
        actor.staffId,
        ctx.nowMs,
        expiresAtMs,
      );
      ctx.auditNote = {
        subject: input.name,
        details: { kind: input.kind, registerId: input.registerId },
      };
      return {
        code,
        kind: input.kind,
        name: input.name,
        registerId: input.registerId,
        expiresAt: new Date(expiresAtMs).toISOString(),
        certificateFingerprint: lanCertificateFingerprint(ctx.db),
      };
    },
  },
  'lane-list': {
    mutates: false,
    handle(ctx) {
      const rows = sql(
        ctx.db,
        `SELECT ${LANE_COLUMNS} FROM lanes l LEFT JOIN staff s ON s.staff_id = l.paired_by
         ORDER BY l.revoked_at_ms IS NOT NULL, l.kind, l.name, l.paired_at_ms`,
      ).all() as LaneRow[];
      return { lanes: rows.map(toSummary) };
    },
  },
  'lane-revoke': {
    mutates: true,
    handle(ctx, input) {
      const actor = ctx.staff();
      const row = laneRow(ctx, input.laneId);
      if (!row) throw new DomainError('NOT_FOUND', 'lanes.noPairedLaneDisplay');
      if (row.revokedAtMs === null) {
        sql(ctx.db, 'UPDATE lanes SET revoked_at_ms = ?, revoked_by = ? WHERE lane_id = ?').run(
          ctx.nowMs,
          actor.staffId,
          row.laneId,
        );
        // Its staff sessions end with it: a session token copied off the device is worth nothing.
        sql(
          ctx.db,
          "UPDATE staff_sessions SET ended_at_ms = ?, end_reason = 'lane-revoked' WHERE lane_id = ? AND ended_at_ms IS NULL",
        ).run(ctx.nowMs, row.laneId);
        ctx.notify({ name: 'lane-revoked', payload: { laneId: row.laneId } });
      }
      ctx.auditNote = { subject: row.laneId, details: { name: row.name, kind: row.kind } };
      return toSummary(laneRow(ctx, input.laneId)!);
    },
  },
} satisfies Pick<CommandHandlers, 'lane-pairing-code' | 'lane-list' | 'lane-revoke'>;

export interface StoredLanCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly fingerprint: string;
  readonly subjectAltNames: readonly string[];
  readonly createdAtMs: number;
  readonly notAfterMs: number;
}

export function readLanCertificate(db: Db): StoredLanCertificate | undefined {
  const row = sql(
    db,
    `SELECT certificate_pem AS certificatePem, private_key_pem AS privateKeyPem, fingerprint_sha256 AS fingerprint,
       subject_alt_names AS subjectAltNames, created_at_ms AS createdAtMs, not_after_ms AS notAfterMs
     FROM lan_certificate`,
  ).get() as (Omit<StoredLanCertificate, 'subjectAltNames'> & { subjectAltNames: string }) | undefined;
  if (!row) return undefined;
  return { ...row, subjectAltNames: JSON.parse(row.subjectAltNames) as string[] };
}

/** Keeps the node's LAN certificate (replacing an older one); lanes paired over the old one pair again. */
export function saveLanCertificate(db: Db, certificate: StoredLanCertificate): void {
  sql(
    db,
    `INSERT INTO lan_certificate (singleton, certificate_pem, private_key_pem, fingerprint_sha256, subject_alt_names,
       created_at_ms, not_after_ms)
     VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (singleton) DO UPDATE SET certificate_pem = excluded.certificate_pem,
       private_key_pem = excluded.private_key_pem, fingerprint_sha256 = excluded.fingerprint_sha256,
       subject_alt_names = excluded.subject_alt_names, created_at_ms = excluded.created_at_ms,
       not_after_ms = excluded.not_after_ms`,
  ).run(
    certificate.certificatePem,
    certificate.privateKeyPem,
    certificate.fingerprint,
    JSON.stringify(certificate.subjectAltNames),
    certificate.createdAtMs,
    certificate.notAfterMs,
  );
}
