-- Gift cards sold or reloaded on a completed sale (issue 14): what the receipt and the till's screens show.
-- The card's number is never kept; the sale.completed event in the outbox carries its SHA-256 for the hub,
-- which loads the card once per line_id when it applies the sale.
CREATE TABLE sale_gift_cards (
  line_id TEXT PRIMARY KEY,
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  line_no INTEGER NOT NULL CHECK (line_no >= 1),
  kind TEXT NOT NULL CHECK (kind IN ('activate', 'reload')),
  masked_number TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  UNIQUE (sale_id, line_no)
) STRICT;
