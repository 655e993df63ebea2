import { sql, type Db } from '../database';

/**
 * Connections known to have migration 0004's tables. A schema only gains them (migrations never drop them),
 * so a yes is remembered and a no asked again: the sync status after every completed sale would otherwise
 * read the schema table each time.
 */
const syncSchemas = new WeakSet<Db>();

/**
 * Whether the database has the sync agent's tables (migration 0004). Tests open engines on older
 * schemas to test migrations; such an engine simply has no agent.
 */
export function hasSyncSchema(db: Db): boolean {
  if (syncSchemas.has(db)) return true;
  const present =
    sql(
      db,
      "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'outbox_rejections'",
    ).get() !== undefined;
  if (present) syncSchemas.add(db);
  return present;
}
