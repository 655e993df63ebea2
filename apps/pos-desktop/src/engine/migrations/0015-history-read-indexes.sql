-- Reads a sale or a return makes by key, which scanned every sale or return the till has kept:
-- starting a sale looks for the register's open sale; a sale's view looks for the return it was an
-- exchange for (by transaction); a return's lines are read by return (its view and receipt, a hub
-- sale's unsynced returns, what a receipt has had returned already). Only open sales are indexed by
-- register, so completing a sale does not pay for that index.
CREATE INDEX sales_open_by_register ON sales (register_id) WHERE status = 'open';
CREATE INDEX returns_by_tx ON returns (tx_id);
CREATE INDEX return_lines_by_return ON return_lines (return_id);
