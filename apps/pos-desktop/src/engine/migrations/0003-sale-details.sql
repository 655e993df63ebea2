-- Sales as the till builds and completes them, matching sale.completed v1 as the lead finalised it:
-- the price source of each line (book, scale label, manager override) with the book version and the book
-- price an override replaced, the line's net amount, tendered vs applied amounts, per-promotion versions,
-- and the open cart itself while a sale is being rung up or is parked.

-- The cart of an open or parked sale (JSON, see engine/sales/draft.ts); NULL once completed or voided.
ALTER TABLE sales ADD COLUMN draft TEXT;
ALTER TABLE sales ADD COLUMN parked_at TEXT;
-- [{ promotionId, version }] of every promotion applied.
ALTER TABLE sales ADD COLUMN promotions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sales ADD COLUMN voided_by TEXT REFERENCES staff (staff_id);

ALTER TABLE sale_lines ADD COLUMN tax_category TEXT NOT NULL DEFAULT '';
ALTER TABLE sale_lines ADD COLUMN price_source TEXT NOT NULL DEFAULT 'price_book'
  CHECK (price_source IN ('price_book', 'label', 'override'));
ALTER TABLE sale_lines ADD COLUMN price_book_version INTEGER;
ALTER TABLE sale_lines ADD COLUMN original_unit_price INTEGER;
ALTER TABLE sale_lines ADD COLUMN net INTEGER NOT NULL DEFAULT 0;

-- amount = what the tender paid towards the sale (tendered − change); tendered = what was handed over.
ALTER TABLE sale_tenders ADD COLUMN tendered INTEGER;

-- A price override is the line's price (price_source), no longer an adjustment kind: rebuild the table
-- with the narrower CHECK. No sale could be completed before this migration, so no row is lost.
CREATE TABLE sale_adjustments_v3 (
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  line_id TEXT NOT NULL REFERENCES sale_lines (line_id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('promotion', 'manual_line', 'manual_order')),
  promotion_id TEXT,
  amount INTEGER NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (line_id, seq)
) STRICT;
INSERT INTO sale_adjustments_v3 SELECT sale_id, line_id, seq, kind, promotion_id, amount, reason
  FROM sale_adjustments WHERE kind <> 'price_override';
DROP TABLE sale_adjustments;
ALTER TABLE sale_adjustments_v3 RENAME TO sale_adjustments;

CREATE INDEX sales_parked ON sales (status, parked_at) WHERE status = 'parked';
