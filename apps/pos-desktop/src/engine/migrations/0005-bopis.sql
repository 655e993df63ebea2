-- BOPIS at the store (issue 6).

-- Orders the hub routed to this store, or that left it (re-routed, cancelled, expired): the hub's latest
-- state of each, as the change feed carries it. Written only by feed apply; cleared with the rest of the
-- replica on a re-snapshot.
CREATE TABLE bopis_orders (
  order_id TEXT PRIMARY KEY,
  -- Upper case without '#', spaces or dashes, as normaliseOrderNumber gives it: what the till looks up.
  order_number_key TEXT NOT NULL,
  pickup_code TEXT NOT NULL,
  hub_version INTEGER NOT NULL CHECK (hub_version >= 1),
  hub_status TEXT NOT NULL,
  hub_node_id TEXT,
  state TEXT NOT NULL
) STRICT;
CREATE INDEX bopis_orders_pickup_code ON bopis_orders (pickup_code);
CREATE INDEX bopis_orders_number ON bopis_orders (order_number_key);

-- Steps this store took on its orders (accept, pick scans, short pick, ready, handover), offline or not.
-- The store's view of an order is the hub's state with these replayed on top, until the hub's state
-- carries them: the same write-checkpoint idea as local stock. Kept, never updated.
CREATE TABLE bopis_steps (
  transition_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  -- The outbox event that carries the step to the hub.
  device_seq INTEGER NOT NULL UNIQUE,
  action TEXT NOT NULL,
  transition TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX bopis_steps_order ON bopis_steps (order_id, device_seq);
CREATE TRIGGER bopis_steps_are_append_only BEFORE UPDATE ON bopis_steps
BEGIN
  SELECT RAISE(ABORT, 'BOPIS steps are immutable');
END;

-- Orders the tills were already told about, so each newly routed order is announced once.
CREATE TABLE bopis_announced (
  order_id TEXT PRIMARY KEY,
  announced_at_ms INTEGER NOT NULL
) STRICT;

-- Staged units of an order are the store's own movements with source_doc 'bopis:<orderId>'.
CREATE INDEX stock_movements_by_source ON stock_movements (source_doc);
