-- What the sync agent keeps next to the outbox and the feed cursor (docs/sync.md §10).

-- The device credential the hub issued at enrollment (dev_<deviceId>.<secret>). Only the sync transport
-- reads it: no command returns it and nothing logs it.
ALTER TABLE sync_state ADD COLUMN device_credential TEXT;

-- A snapshot being downloaded (first sync, or a re-sync after the hub's feed epoch changed): enough to
-- resume it after a restart. All NULL when no snapshot is in progress.
ALTER TABLE sync_state ADD COLUMN snapshot_epoch TEXT;
ALTER TABLE sync_state ADD COLUMN snapshot_up_to INTEGER;
ALTER TABLE sync_state ADD COLUMN snapshot_after INTEGER;
ALTER TABLE sync_state ADD COLUMN snapshot_received INTEGER;
ALTER TABLE sync_state ADD COLUMN snapshot_total INTEGER;

-- 1 while a snapshot loads: the product search index is rebuilt once when it completes instead of row by
-- row (100,000 SKUs load in seconds instead of half a minute).
ALTER TABLE sync_state ADD COLUMN search_index_deferred INTEGER NOT NULL DEFAULT 0
  CHECK (search_index_deferred IN (0, 1));

-- When each stretch of the outbox was acknowledged: a row per acknowledgement that moved last_acked_seq,
-- covering (the previous row's up_to_seq, up_to_seq]. The outbox is append-only, so ack times live here;
-- pruning deletes only outbox rows acknowledged before the retention cutoff, always a prefix.
CREATE TABLE outbox_acks (
  up_to_seq INTEGER PRIMARY KEY CHECK (up_to_seq >= 1),
  acked_at TEXT NOT NULL,
  acked_at_ms INTEGER NOT NULL
) STRICT;

-- Events already acknowledged before this migration count as acknowledged now, so they are kept for a
-- full retention period.
INSERT INTO outbox_acks (up_to_seq, acked_at, acked_at_ms)
  SELECT last_acked_seq, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM sync_state WHERE last_acked_seq > 0;

-- Events the hub refused for ever, with its reason, shown to staff. One row per event, however often the
-- hub reports it again.
CREATE TABLE outbox_rejections (
  event_id TEXT PRIMARY KEY,
  device_seq INTEGER NOT NULL,
  reason TEXT NOT NULL,
  rejected_at TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_rejections_by_seq ON outbox_rejections (device_seq);

-- The product search triggers of 0002, now idle while a snapshot defers the index to its end.
DROP TRIGGER skus_search_insert;
DROP TRIGGER skus_search_delete;
DROP TRIGGER skus_search_update;

CREATE TRIGGER skus_search_insert AFTER INSERT ON skus
WHEN (SELECT search_index_deferred FROM sync_state WHERE singleton = 1) = 0
BEGIN
  INSERT INTO sku_search (rowid, name, sku) VALUES (NEW.rowid, NEW.name, NEW.sku);
END;

CREATE TRIGGER skus_search_delete AFTER DELETE ON skus
WHEN (SELECT search_index_deferred FROM sync_state WHERE singleton = 1) = 0
BEGIN
  INSERT INTO sku_search (sku_search, rowid, name, sku) VALUES ('delete', OLD.rowid, OLD.name, OLD.sku);
END;

CREATE TRIGGER skus_search_update AFTER UPDATE OF name, sku ON skus
WHEN (SELECT search_index_deferred FROM sync_state WHERE singleton = 1) = 0
BEGIN
  INSERT INTO sku_search (sku_search, rowid, name, sku) VALUES ('delete', OLD.rowid, OLD.name, OLD.sku);
  INSERT INTO sku_search (rowid, name, sku) VALUES (NEW.rowid, NEW.name, NEW.sku);
END;
