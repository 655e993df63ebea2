-- Store node schema, version 1.
-- Amounts are INTEGER minor units of node_identity.currency; quantities are INTEGER pieces, or grams for
-- kg SKUs. Times are kept twice where they are compared: *_ms (epoch ms, for arithmetic and ordering)
-- and ISO text (what events and receipts show).

-- ---------------------------------------------------------------------------------------------------
-- Node identity and device state (one row each)
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE node_identity (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  store_id TEXT NOT NULL,
  store_code TEXT NOT NULL,
  device_id TEXT NOT NULL,
  device_no INTEGER NOT NULL CHECK (device_no BETWEEN 1 AND 999),
  currency TEXT NOT NULL,
  locale TEXT NOT NULL,
  timezone TEXT NOT NULL,
  cash_rounding_increment INTEGER NOT NULL CHECK (cash_rounding_increment >= 1),
  created_at TEXT NOT NULL
) STRICT;

-- Counters that must stay gapless are allocated here inside the command's transaction.
CREATE TABLE device_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_device_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_device_seq >= 0),
  last_hlc TEXT,
  last_receipt_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_receipt_seq >= 0)
) STRICT;
INSERT INTO device_state (singleton) VALUES (1);

-- ---------------------------------------------------------------------------------------------------
-- Sync state: outbox (store -> hub) and feed cursor (hub -> store)
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE outbox (
  device_seq INTEGER PRIMARY KEY CHECK (device_seq >= 1),
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
  store_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  hlc TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  tx_id TEXT NOT NULL,
  causes TEXT,
  payload TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_by_tx ON outbox (tx_id);

-- deviceSeq is gapless by construction: an event must take exactly the next number, and taking it
-- advances the counter in the same transaction. Acknowledged rows may later be pruned from the outbox
-- without the counter ever going back.
CREATE TRIGGER outbox_seq_is_next BEFORE INSERT ON outbox
WHEN NEW.device_seq <> (SELECT last_device_seq + 1 FROM device_state WHERE singleton = 1)
BEGIN
  SELECT RAISE(ABORT, 'outbox device_seq must be the next number');
END;
CREATE TRIGGER outbox_seq_advance AFTER INSERT ON outbox
BEGIN
  UPDATE device_state SET last_device_seq = NEW.device_seq, last_hlc = NEW.hlc WHERE singleton = 1;
END;
CREATE TRIGGER outbox_is_append_only BEFORE UPDATE ON outbox
BEGIN
  SELECT RAISE(ABORT, 'outbox events are immutable');
END;

CREATE TABLE sync_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  hub_url TEXT,
  -- Highest contiguous deviceSeq the hub acknowledged as durably applied.
  last_acked_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_acked_seq >= 0),
  -- The feed this replica follows; a different epoch means a re-snapshot, never a merge.
  feed_epoch TEXT,
  feed_cursor INTEGER NOT NULL DEFAULT 0 CHECK (feed_cursor >= 0),
  last_feed_applied_at TEXT
) STRICT;
INSERT INTO sync_state (singleton) VALUES (1);

-- Feed changes for entities this version does not know yet: kept, not dropped, so a newer version
-- can apply them without a re-snapshot.
CREATE TABLE feed_deferred (
  hub_seq INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  key TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
  data TEXT
) STRICT;

-- ---------------------------------------------------------------------------------------------------
-- Hub-owned replica, written only by the feed apply path. No foreign keys between these tables: a
-- compacted feed may deliver a price before its price book or a barcode's SKU after the barcode.
-- `data` keeps the entity exactly as the hub sent it; the other columns are what the node queries.
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE categories (
  category_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent_id TEXT,
  data TEXT NOT NULL
) STRICT;

CREATE TABLE products (
  product_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category_id TEXT,
  data TEXT NOT NULL
) STRICT;

CREATE TABLE skus (
  sku TEXT PRIMARY KEY,
  product_id TEXT NOT NULL,
  name TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
  tax_category TEXT NOT NULL,
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  data TEXT NOT NULL
) STRICT;

-- barcode_key is @retail/domain barcodeKey(): every spelling of one GTIN maps to one key.
CREATE TABLE barcodes (
  barcode_key TEXT PRIMARY KEY,
  sku TEXT NOT NULL,
  barcode TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX barcodes_by_sku ON barcodes (sku);

CREATE TABLE price_books (
  price_book_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  currency TEXT NOT NULL,
  scope_type TEXT NOT NULL,
  scope_id TEXT,
  priority INTEGER NOT NULL,
  tax_inclusive INTEGER NOT NULL CHECK (tax_inclusive IN (0, 1)),
  starts_at_ms INTEGER,
  ends_at_ms INTEGER,
  data TEXT NOT NULL
) STRICT;

-- feed_key is the feed's `${priceBookId}:${sku}`; ids may contain ':' so it is stored, never split.
CREATE TABLE prices (
  price_book_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  feed_key TEXT NOT NULL UNIQUE,
  tiers TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (sku, price_book_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE promotions (
  promotion_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  starts_at_ms INTEGER,
  ends_at_ms INTEGER,
  data TEXT NOT NULL
) STRICT;

CREATE TABLE tax_rates (
  rate_id TEXT PRIMARY KEY,
  jurisdiction_id TEXT NOT NULL,
  tax_category TEXT NOT NULL,
  starts_at_ms INTEGER,
  ends_at_ms INTEGER,
  data TEXT NOT NULL
) STRICT;

CREATE TABLE stores (
  store_id TEXT PRIMARY KEY,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL
) STRICT;

CREATE TABLE config (
  key TEXT PRIMARY KEY,
  data TEXT NOT NULL
) STRICT;

-- The hub's stock figures per (node, sku). reflected_own_seq = deviceSeqs[this device]: this node's
-- movements with a higher device_seq are not in these figures yet (local stock adds them).
CREATE TABLE stock_levels (
  node_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  feed_key TEXT NOT NULL UNIQUE,
  sellable INTEGER NOT NULL,
  staged INTEGER NOT NULL,
  damaged INTEGER NOT NULL,
  quality_control INTEGER NOT NULL,
  incoming INTEGER NOT NULL,
  reserved_unstaged INTEGER NOT NULL,
  safety_stock INTEGER NOT NULL,
  atp INTEGER NOT NULL,
  device_seqs TEXT NOT NULL,
  reflected_own_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (node_id, sku)
) STRICT, WITHOUT ROWID;

-- ---------------------------------------------------------------------------------------------------
-- Staff, sessions, overrides, audit
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE staff (
  staff_id TEXT PRIMARY KEY,
  staff_code TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('cashier', 'supervisor', 'manager')),
  -- scrypt$N$r$p$salt$hash (base64url): the cost travels with the hash so it can be raised later.
  pin_hash TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until_ms INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- Only a hash of the session token is stored, so a copied database or backup holds no live session.
CREATE TABLE staff_sessions (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  started_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  ended_at_ms INTEGER,
  end_reason TEXT
) STRICT;
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);

CREATE TABLE manager_overrides (
  override_id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  manager_id TEXT NOT NULL REFERENCES staff (staff_id),
  requested_by TEXT NOT NULL REFERENCES staff (staff_id),
  reason TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  consumed_at_ms INTEGER,
  consumed_by_command TEXT,
  consumed_tx_id TEXT
) STRICT;

CREATE TABLE audit_log (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  at TEXT NOT NULL,
  tx_id TEXT,
  staff_id TEXT,
  action TEXT NOT NULL,
  subject TEXT,
  override_id TEXT,
  details TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_log_by_action ON audit_log (action, audit_id);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- ---------------------------------------------------------------------------------------------------
-- Shifts and cash
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE shifts (
  shift_id TEXT PRIMARY KEY,
  register_id TEXT NOT NULL,
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  currency TEXT NOT NULL,
  float INTEGER NOT NULL CHECK (float >= 0),
  status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  opened_at TEXT NOT NULL,
  opened_at_ms INTEGER NOT NULL,
  closed_at TEXT,
  closed_by TEXT REFERENCES staff (staff_id),
  expected_cash INTEGER,
  counted_cash INTEGER,
  over_short INTEGER,
  denominations TEXT,
  z_report TEXT,
  CHECK ((status = 'open') = (closed_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX shifts_one_open_per_register ON shifts (register_id) WHERE status = 'open';

CREATE TABLE cash_movements (
  movement_id TEXT PRIMARY KEY,
  shift_id TEXT NOT NULL REFERENCES shifts (shift_id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL,
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  override_id TEXT REFERENCES manager_overrides (override_id),
  moved_at TEXT NOT NULL,
  moved_at_ms INTEGER NOT NULL,
  device_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX cash_movements_by_shift ON cash_movements (shift_id);

-- ---------------------------------------------------------------------------------------------------
-- Sales and returns: everything a sale.completed / sale.voided / return.completed event carries
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE sales (
  sale_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('open', 'parked', 'completed', 'voided')),
  register_id TEXT NOT NULL,
  shift_id TEXT REFERENCES shifts (shift_id),
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  customer_id TEXT,
  currency TEXT NOT NULL,
  -- Set when the sale completes; gapless per device together with returns (see device_state).
  receipt_seq INTEGER UNIQUE,
  receipt_number TEXT UNIQUE,
  price_book_version TEXT,
  promotion_ids TEXT NOT NULL DEFAULT '[]',
  subtotal INTEGER NOT NULL DEFAULT 0,
  discount INTEGER NOT NULL DEFAULT 0,
  tax INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  cash_rounding INTEGER NOT NULL DEFAULT 0,
  paid INTEGER NOT NULL DEFAULT 0,
  change INTEGER NOT NULL DEFAULT 0,
  loyalty TEXT,
  overrides TEXT NOT NULL DEFAULT '[]',
  started_at TEXT NOT NULL,
  completed_at TEXT,
  completed_at_ms INTEGER,
  voided_at TEXT,
  void_reason TEXT,
  device_seq INTEGER,
  tx_id TEXT,
  CHECK (status <> 'completed' OR receipt_number IS NOT NULL),
  CHECK ((receipt_number IS NULL) = (receipt_seq IS NULL))
) STRICT;
CREATE INDEX sales_by_shift ON sales (shift_id, status);

CREATE TABLE sale_lines (
  line_id TEXT PRIMARY KEY,
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  line_no INTEGER NOT NULL,
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  qty INTEGER NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('each', 'kg')),
  unit_price INTEGER NOT NULL,
  tax_inclusive INTEGER NOT NULL CHECK (tax_inclusive IN (0, 1)),
  price_book_id TEXT,
  extended INTEGER NOT NULL,
  -- What the customer actually paid for the line, tax included: returns refund exactly this.
  paid INTEGER NOT NULL,
  UNIQUE (sale_id, line_no)
) STRICT;
CREATE INDEX sale_lines_by_sku ON sale_lines (sku);

CREATE TABLE sale_adjustments (
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  line_id TEXT NOT NULL REFERENCES sale_lines (line_id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('promotion', 'manual_line', 'manual_order', 'price_override')),
  promotion_id TEXT,
  amount INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (line_id, seq)
) STRICT;

CREATE TABLE sale_tax_lines (
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  line_id TEXT NOT NULL REFERENCES sale_lines (line_id),
  rate_id TEXT NOT NULL,
  name TEXT NOT NULL,
  percent REAL NOT NULL,
  amount INTEGER NOT NULL,
  PRIMARY KEY (line_id, rate_id)
) STRICT;

CREATE TABLE sale_tenders (
  tender_id TEXT PRIMARY KEY,
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('cash', 'card', 'store_credit', 'gift_card', 'loyalty_points')),
  amount INTEGER NOT NULL,
  change INTEGER,
  reference TEXT,
  points INTEGER,
  UNIQUE (sale_id, seq)
) STRICT;

CREATE TABLE returns (
  return_id TEXT PRIMARY KEY,
  receipt_seq INTEGER NOT NULL UNIQUE,
  receipt_number TEXT NOT NULL UNIQUE,
  original_sale_id TEXT REFERENCES sales (sale_id),
  original_receipt_number TEXT,
  register_id TEXT NOT NULL,
  shift_id TEXT NOT NULL REFERENCES shifts (shift_id),
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  customer_id TEXT,
  currency TEXT NOT NULL,
  refund_total INTEGER NOT NULL,
  loyalty TEXT,
  override TEXT,
  completed_at TEXT NOT NULL,
  completed_at_ms INTEGER NOT NULL,
  device_seq INTEGER NOT NULL,
  tx_id TEXT NOT NULL
) STRICT;
CREATE INDEX returns_by_original_sale ON returns (original_sale_id);
CREATE INDEX returns_by_shift ON returns (shift_id);

CREATE TABLE return_lines (
  return_line_id TEXT PRIMARY KEY,
  return_id TEXT NOT NULL REFERENCES returns (return_id),
  original_line_id TEXT REFERENCES sale_lines (line_id),
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL CHECK (qty > 0),
  refund INTEGER NOT NULL CHECK (refund >= 0),
  disposition TEXT NOT NULL CHECK (disposition IN ('sellable', 'damaged', 'quality_control', 'write_off'))
) STRICT;
CREATE INDEX return_lines_by_original_line ON return_lines (original_line_id);

CREATE TABLE return_refunds (
  tender_id TEXT PRIMARY KEY,
  return_id TEXT NOT NULL REFERENCES returns (return_id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('cash', 'card', 'store_credit', 'gift_card', 'loyalty_points')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  reference TEXT,
  points INTEGER,
  original_tender_id TEXT REFERENCES sale_tenders (tender_id),
  UNIQUE (return_id, seq)
) STRICT;

-- ---------------------------------------------------------------------------------------------------
-- Stock movements made on this node. device_seq is the outbox event that carries the movement: local
-- stock adds the movements the hub snapshot does not reflect yet (device_seq > reflected_own_seq).
-- ---------------------------------------------------------------------------------------------------

CREATE TABLE stock_movements (
  movement_id TEXT PRIMARY KEY,
  sku TEXT NOT NULL,
  type TEXT NOT NULL,
  bucket TEXT NOT NULL CHECK (bucket IN ('sellable', 'staged', 'damaged', 'quality_control', 'in_transit')),
  delta INTEGER NOT NULL CHECK (delta <> 0),
  reason TEXT,
  source_doc TEXT,
  device_seq INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_movements_by_sku_seq ON stock_movements (sku, device_seq);
CREATE TRIGGER stock_movements_are_append_only BEFORE UPDATE ON stock_movements
BEGIN
  SELECT RAISE(ABORT, 'stock movements are immutable');
END;
