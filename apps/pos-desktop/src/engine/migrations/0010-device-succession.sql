-- A till restored from a backup must never reuse a receipt or sequence number the hub already holds
-- (docs/sync.md §2, "A till restored from a backup").

-- Set in every backup copy (`pos-store backup`, `pos-store restore`) and when the hub shows this till's
-- numbers are taken: the last local deviceSeq known to agree with the hub's record. While it is set the
-- till completes no sale or return (no receipt number) and sends nothing until the hub has said what it
-- holds of this device; then it is cleared, either because the hub holds nothing beyond it or because the
-- till became a new device.
ALTER TABLE device_state ADD COLUMN restore_hold_seq INTEGER CHECK (restore_hold_seq >= 0);

-- The devices this till has been. The outbox keeps ONE local numbering (deviceSeq 1, 2, 3 … for ever:
-- stock movements, sales and returns refer to it); from `from_seq` on, events are sent to the hub as the
-- device of that row, numbered from 1 (hub deviceSeq = local deviceSeq - from_seq + 1). Events before the
-- first row belong to the device the till was set up as.
CREATE TABLE device_succession (
  from_seq INTEGER PRIMARY KEY CHECK (from_seq >= 1),
  device_id TEXT NOT NULL UNIQUE,
  device_no INTEGER NOT NULL CHECK (device_no BETWEEN 1 AND 999),
  previous_device_id TEXT NOT NULL,
  previous_device_no INTEGER NOT NULL,
  -- What the hub held of the previous device, and up to where the restored till agreed with it (both in
  -- the previous device's numbering).
  hub_last_seq INTEGER NOT NULL CHECK (hub_last_seq >= 0),
  kept_up_to INTEGER NOT NULL CHECK (kept_up_to >= 0),
  -- Receipts keep one local counter too (sales.receipt_seq and returns.receipt_seq are unique); this
  -- device's receipt numbers count from 1 over it: printed seq = receipt_seq - receipt_offset.
  receipt_offset INTEGER NOT NULL CHECK (receipt_offset >= 0),
  exception_id TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
