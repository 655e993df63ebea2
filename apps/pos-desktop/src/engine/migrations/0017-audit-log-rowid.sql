-- The audit log's ids without AUTOINCREMENT: every command appends an audit row, and AUTOINCREMENT
-- rewrote `sqlite_sequence` on each of them, one of the four log pages a scan commits. Rows are never
-- deleted (the trigger below refuses it, since 0001), so the largest id never falls and a plain rowid
-- key hands out the same ids AUTOINCREMENT would: the next is the largest so far plus one, never a
-- reused one. The table is rebuilt in place, ids and rows kept, in the migration's one transaction.
CREATE TABLE audit_log_rowid (
  audit_id INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  at TEXT NOT NULL,
  tx_id TEXT,
  staff_id TEXT,
  action TEXT NOT NULL,
  subject TEXT,
  override_id TEXT,
  details TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO audit_log_rowid (audit_id, at_ms, at, tx_id, staff_id, action, subject, override_id, details)
  SELECT audit_id, at_ms, at, tx_id, staff_id, action, subject, override_id, details
  FROM audit_log ORDER BY audit_id;
DROP TABLE audit_log;
ALTER TABLE audit_log_rowid RENAME TO audit_log;
CREATE INDEX audit_log_by_action ON audit_log (action, audit_id);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
