-- migrate: foreign-keys-off
-- A sale's receipt number and sequence unique among the sales that have one, by partial indexes: as
-- UNIQUE columns their indexes held an entry for every open sale's NULLs, written at `sale-start` and moved
-- at `sale-complete`, two log pages at the start and, once the indexes span more than a page, two more at
-- the completion (the NULLs sort first, a new receipt last). Uniqueness is unchanged (NULLs never
-- conflicted). The constraints are in the table's definition, so the table is rebuilt (SQLite's 12-step
-- change: other tables reference sales, so foreign keys are off for it and checked before it commits).
CREATE TABLE sales_v18 (
  sale_id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('open', 'parked', 'completed', 'voided')),
  register_id TEXT NOT NULL,
  shift_id TEXT REFERENCES shifts (shift_id),
  staff_id TEXT NOT NULL REFERENCES staff (staff_id),
  customer_id TEXT,
  currency TEXT NOT NULL,
  -- Set when the sale completes; gapless per device together with returns (see device_state).
  receipt_seq INTEGER,
  receipt_number TEXT,
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
  draft TEXT,
  parked_at TEXT,
  promotions TEXT NOT NULL DEFAULT '[]',
  voided_by TEXT REFERENCES staff (staff_id),
  CHECK (status <> 'completed' OR receipt_number IS NOT NULL),
  CHECK ((receipt_number IS NULL) = (receipt_seq IS NULL))
) STRICT;
INSERT INTO sales_v18 (sale_id, status, register_id, shift_id, staff_id, customer_id, currency, receipt_seq,
    receipt_number, price_book_version, promotion_ids, subtotal, discount, tax, total, cash_rounding, paid,
    change, loyalty, overrides, started_at, completed_at, completed_at_ms, voided_at, void_reason, device_seq,
    tx_id, draft, parked_at, promotions, voided_by)
  SELECT sale_id, status, register_id, shift_id, staff_id, customer_id, currency, receipt_seq,
    receipt_number, price_book_version, promotion_ids, subtotal, discount, tax, total, cash_rounding, paid,
    change, loyalty, overrides, started_at, completed_at, completed_at_ms, voided_at, void_reason, device_seq,
    tx_id, draft, parked_at, promotions, voided_by
  FROM sales ORDER BY rowid;
DROP TABLE sales;
ALTER TABLE sales_v18 RENAME TO sales;
CREATE UNIQUE INDEX sales_receipt_seq ON sales (receipt_seq) WHERE receipt_seq IS NOT NULL;
CREATE UNIQUE INDEX sales_receipt_number ON sales (receipt_number) WHERE receipt_number IS NOT NULL;
CREATE INDEX sales_by_shift ON sales (shift_id, status);
CREATE INDEX sales_parked ON sales (status, parked_at) WHERE status = 'parked';
CREATE INDEX sales_open_by_register ON sales (register_id) WHERE status = 'open';
