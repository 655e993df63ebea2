-- Lanes on the store LAN (docs/pos-ui.md "Lanes"): browser lanes, handhelds and customer displays pair
-- once with a short code a manager shows on the main till, and each gets its own credential.

-- One row per paired device. Only a SHA-256 of the credential is kept (it is 32 random bytes, so a fast
-- hash is enough): a copied database or backup holds no usable credential. Revoking keeps the row for
-- the audit trail; a revoked credential never authenticates again.
CREATE TABLE lanes (
  lane_id TEXT PRIMARY KEY,
  -- 'lane' runs commands as its register; 'display' only receives what the customer may see.
  kind TEXT NOT NULL CHECK (kind IN ('lane', 'display')),
  name TEXT NOT NULL,
  register_id TEXT NOT NULL,
  credential_hash TEXT NOT NULL UNIQUE,
  paired_at_ms INTEGER NOT NULL,
  paired_by TEXT NOT NULL REFERENCES staff (staff_id),
  -- SHA-256 fingerprint of the node's LAN certificate the lane paired over (NULL over plain HTTP).
  certificate_fingerprint TEXT,
  last_seen_at_ms INTEGER,
  revoked_at_ms INTEGER,
  revoked_by TEXT REFERENCES staff (staff_id),
  CHECK ((revoked_at_ms IS NULL) = (revoked_by IS NULL))
) STRICT;
-- Two lanes in use never share a register: shifts and sales belong to one register.
CREATE UNIQUE INDEX lanes_register_in_use ON lanes (register_id) WHERE kind = 'lane' AND revoked_at_ms IS NULL;

-- Codes a manager created for a device to pair with: short, single use, minutes long, hashed. Every
-- wrong code entered counts against all outstanding codes, which die after a few, so guessing is futile.
CREATE TABLE lane_pairing_codes (
  code_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('lane', 'display')),
  name TEXT NOT NULL,
  register_id TEXT NOT NULL,
  created_by TEXT NOT NULL REFERENCES staff (staff_id),
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  wrong_attempts INTEGER NOT NULL DEFAULT 0 CHECK (wrong_attempts >= 0),
  used_at_ms INTEGER,
  lane_id TEXT REFERENCES lanes (lane_id)
) STRICT;

-- The node's certificate for HTTPS/WSS on the LAN (`--lan`), generated once and kept with the data so a
-- restart or a restored backup keeps the fingerprint the lanes paired against.
CREATE TABLE lan_certificate (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  certificate_pem TEXT NOT NULL,
  private_key_pem TEXT NOT NULL,
  fingerprint_sha256 TEXT NOT NULL,
  subject_alt_names TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  not_after_ms INTEGER NOT NULL
) STRICT;

-- Wrong PINs are counted per staff member and lane ('main' is the till the node runs on): a lane can
-- lock a staff member out of itself only, never out of every lane. Each lockout in a row on a lane lasts
-- twice as long as the one before, until a right PIN on that lane or a manager clears it.
CREATE TABLE pin_lockouts (
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  lane_id TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  lockouts INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
  locked_until_ms INTEGER,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (staff_id, lane_id)
) STRICT;

-- Counters kept on the staff row before this migration belonged to no lane: they move to the main till.
-- (staff.failed_attempts and staff.locked_until_ms are no longer read or written.)
INSERT INTO pin_lockouts (staff_id, lane_id, failed_attempts, lockouts, locked_until_ms, updated_at_ms)
  SELECT staff_id, 'main', failed_attempts, CASE WHEN locked_until_ms IS NULL THEN 0 ELSE 1 END,
    locked_until_ms, 0
  FROM staff WHERE failed_attempts > 0 OR locked_until_ms IS NOT NULL;

-- The lane a session was opened on: a session token works only from that lane. NULL (sessions opened
-- before this migration) counts as the main till.
ALTER TABLE staff_sessions ADD COLUMN lane_id TEXT;
