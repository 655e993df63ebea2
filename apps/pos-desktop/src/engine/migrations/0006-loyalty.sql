-- Customers, loyalty balances and stored value as this node knows them (docs/pricing-loyalty.md). The hub
-- owns all of it; these are caches for lookups while it is unreachable, plus this device's own offline
-- redemptions, which bound what it may still let customers spend offline.

-- Customers found through the hub or created here. A customer created while the hub was unreachable is
-- temporary until the hub makes it permanent or merges it (merged_into = the customer to use instead).
CREATE TABLE customers (
  customer_id TEXT PRIMARY KEY,
  temporary INTEGER NOT NULL CHECK (temporary IN (0, 1)),
  name TEXT,
  phone TEXT,
  email TEXT,
  account_id TEXT,
  card_number TEXT,
  tier_id TEXT,
  tier_name TEXT,
  account_status TEXT CHECK (account_status IN ('active', 'blocked', 'merged')),
  merged_into TEXT,
  -- A customer created here that the hub has not confirmed yet: the till asks it again when online.
  created_here INTEGER NOT NULL DEFAULT 0 CHECK (created_here IN (0, 1)),
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  CHECK (phone IS NOT NULL OR email IS NOT NULL OR account_id IS NOT NULL),
  CHECK ((account_id IS NULL) = (card_number IS NULL))
) STRICT;
CREATE INDEX customers_by_phone ON customers (phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_by_email ON customers (email) WHERE email IS NOT NULL;
CREATE INDEX customers_by_card ON customers (card_number) WHERE card_number IS NOT NULL;
CREATE INDEX customers_by_account ON customers (account_id) WHERE account_id IS NOT NULL;

-- The last balances the hub sent for an account (LoyaltySnapshotSchema JSON); offline redemption trusts
-- it only while it is younger than the programme's maximum snapshot age.
CREATE TABLE loyalty_snapshots (
  account_id TEXT PRIMARY KEY,
  snapshot TEXT NOT NULL,
  taken_at_ms INTEGER NOT NULL
) STRICT;

-- The loyalty programme and the stored-value settings as the hub last sent them.
CREATE TABLE loyalty_settings (
  setting TEXT NOT NULL CHECK (setting IN ('programme', 'stored_value')),
  currency TEXT NOT NULL,
  value TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  PRIMARY KEY (setting, currency)
) STRICT;

-- Store credit and gift card accounts looked up here. number_key is a SHA-256 of the normalised number:
-- the full number is never stored.
CREATE TABLE stored_value_accounts (
  account_id TEXT PRIMARY KEY,
  number_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('store_credit', 'gift_card')),
  masked_number TEXT NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
  available INTEGER NOT NULL,
  held INTEGER NOT NULL,
  taken_at_ms INTEGER NOT NULL
) STRICT;

-- Points and stored value this device let customers spend without the hub, written with the completed
-- sale. The offline allowance deducts those made since the account's snapshot and caps the last 24 hours.
CREATE TABLE offline_redemptions (
  redemption_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('points', 'stored_value')),
  account_id TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT,
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  occurred_at_ms INTEGER NOT NULL,
  CHECK ((kind = 'points') = (currency IS NULL))
) STRICT;
CREATE INDEX offline_redemptions_by_time ON offline_redemptions (kind, occurred_at_ms);
