import { sql, type Db } from '../database';

/**
 * Whether the database has the sync agent's tables (migration 0004). Tests open engines on older
 * schemas to test migrations; such an engine simply has no agent.
 */
export function hasSyncSchema(db: Db): boolean {
  return (
    sql(
      db,
      "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'outbox_rejections'",
    ).get() !== undefined
  );
}
