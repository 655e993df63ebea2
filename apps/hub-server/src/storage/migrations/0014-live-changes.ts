import { sql, type Kysely } from 'kysely';
import type { BackendKind } from '../backend-kind';

/**
 * The open HQ dashboards follow exceptions, order states and device sync status as they change. Triggers,
 * not calls at each write site: every path that raises an exception or moves an order (ingest, routing,
 * HQ actions, modules yet to come) is covered without knowing about the dashboard.
 *
 * PostgreSQL: the trigger NOTIFYs `hub_live_changed` inside the writing transaction, so every hub process
 * on the database hears of it once, at commit, and never for a rolled-back attempt (storage.ts listens).
 * SQLite (one hub process): the trigger appends to `live_changes`, which the process reads by sequence;
 * its rows are hints, so only the latest 1,000 are kept.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types
export async function up(db: Kysely<any>, kind: BackendKind): Promise<void> {
  if (kind === 'postgres') {
    await sql`
      create function hub_live_change() returns trigger language plpgsql as $$
      begin
        if TG_TABLE_NAME = 'exceptions' then
          perform pg_notify('hub_live_changed', json_build_object(
            'topic', 'exceptions', 'id', NEW.exception_id, 'type', NEW.type, 'severity', NEW.severity,
            'status', NEW.status, 'raised', TG_OP = 'INSERT')::text);
        elsif TG_TABLE_NAME = 'bopis_orders' then
          perform pg_notify('hub_live_changed', json_build_object(
            'topic', 'orders', 'id', NEW.order_id, 'status', NEW.status)::text);
        else
          perform pg_notify('hub_live_changed', json_build_object('topic', 'devices', 'id', NEW.device_id)::text);
        end if;
        return null;
      end
      $$`.execute(db);
    await sql`create trigger exceptions_live after insert or update on exceptions
      for each row execute function hub_live_change()`.execute(db);
    await sql`create trigger bopis_orders_live after insert or update on bopis_orders
      for each row execute function hub_live_change()`.execute(db);
    await sql`create trigger devices_live after update on devices
      for each row when (old.* is distinct from new.*) execute function hub_live_change()`.execute(db);
    return;
  }
  await db.schema
    .createTable('live_changes')
    .addColumn('seq', 'integer', (column) => column.primaryKey().autoIncrement())
    .addColumn('topic', 'text', (column) => column.notNull())
    .addColumn('entity_id', 'text', (column) => column.notNull())
    .addColumn('detail', 'text', (column) => column.notNull())
    .execute();
  const prune = `delete from live_changes where seq <= (select max(seq) from live_changes) - 1000;`;
  const exceptionRow = (raised: 0 | 1) =>
    `insert into live_changes (topic, entity_id, detail) values ('exceptions', new.exception_id,
       json_object('type', new.type, 'severity', new.severity, 'status', new.status, 'raised', json(${raised ? "'true'" : "'false'"})));`;
  await sql
    .raw(
      `create trigger exceptions_live_insert after insert on exceptions begin ${exceptionRow(1)} ${prune} end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger exceptions_live_update after update on exceptions begin ${exceptionRow(0)} ${prune} end`,
    )
    .execute(db);
  const orderRow = `insert into live_changes (topic, entity_id, detail) values ('orders', new.order_id,
       json_object('status', new.status));`;
  await sql
    .raw(
      `create trigger bopis_orders_live_insert after insert on bopis_orders begin ${orderRow} ${prune} end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger bopis_orders_live_update after update on bopis_orders begin ${orderRow} ${prune} end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger devices_live after update on devices begin
         insert into live_changes (topic, entity_id, detail) values ('devices', new.device_id, '{}'); ${prune} end`,
    )
    .execute(db);
}
