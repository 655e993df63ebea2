-- Stock transfers this till ships get a short number staff can read out and the receiving store types
-- (T-{storeCode}-{deviceNo}-{seq}), allocated from this counter inside the shipping transaction.
ALTER TABLE device_state ADD COLUMN last_transfer_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_transfer_seq >= 0);
