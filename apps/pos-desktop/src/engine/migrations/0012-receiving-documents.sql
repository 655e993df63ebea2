-- Purchase orders and shipping notices the hub sent this node (feed entity `receiving_document`, issue 17):
-- what the stock screen lists and receives against. Hub-owned: a snapshot replaces the table.
CREATE TABLE receiving_documents (
  document_key TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('purchase_order', 'shipping_notice')),
  document_id TEXT NOT NULL,
  number TEXT NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL
) STRICT;

-- The till's own record that it received a document (before and after the hub heard of it), so a second
-- lane cannot receive the same delivery twice while the hub's new status is still on its way. Till-owned:
-- kept across snapshots.
CREATE TABLE receiving_document_receipts (
  document_key TEXT PRIMARY KEY,
  receipt_id TEXT NOT NULL UNIQUE,
  device_seq INTEGER NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
