-- What the hub has not acknowledged yet, counted with the age of its oldest event, after every command
-- that appends an event (the sync status staff screens follow): `created_at_ms` is the outbox's last
-- column, stored after the payload, which a sale's event spills into overflow pages, so the count read
-- every unacknowledged event's payload, the more the longer the till stayed offline. Read from this
-- index it reads neither.
CREATE INDEX outbox_pending ON outbox (device_seq, created_at_ms);
