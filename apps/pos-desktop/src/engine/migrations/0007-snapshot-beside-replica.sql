-- A snapshot (a new till's first download, or a re-download after the hub's feed epoch changed) is built
-- in a staging database beside this one and swapped in with its last page, in one transaction: a link
-- that drops mid-download leaves the till pricing from its whole old catalog, never from part of a new
-- one (docs/sync.md §5). The download's progress lives in the staging database with its pages, so the
-- snapshot_* columns of 0004 are no longer written.
--
-- 1 once the hub asked for a re-download (mustRefetch, or a new epoch mid-download): the replica and its
-- epoch and cursor stay as they are and keep serving sales, but the feed is no longer followed from them;
-- the swap of the next complete snapshot replaces them and sets it back to 0.
ALTER TABLE sync_state ADD COLUMN refetch_pending INTEGER NOT NULL DEFAULT 0 CHECK (refetch_pending IN (0, 1));
