-- Whether the hub said a cached gift card has a PIN (issue 14). Only the hub can check a PIN, so the till
-- refuses such a card while the hub is away: a stolen card with a till's credential must not be spendable.
-- NULL for cards cached before this column: unknown until the next lookup, and the hub still holds any
-- PIN card's payment it never held for review.
ALTER TABLE stored_value_accounts ADD COLUMN pin_protected INTEGER CHECK (pin_protected IN (0, 1));
