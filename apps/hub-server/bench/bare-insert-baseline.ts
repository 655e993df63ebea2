import type { EventEnvelope } from '@retail/sync';
import type { Storage } from '../src/storage/storage';

export interface BaselineDevice {
  readonly device: { readonly deviceId: string; readonly storeId: string };
  readonly batches: readonly (readonly EventEnvelope[])[];
}

/**
 * The physical baseline of the ingest benchmarks: the same event and movement rows, inserted in the same
 * batches by the same concurrent writers, with no logic (no lookups, locks, balances, exceptions or
 * feed). The rows carry the events' own ids, so their keys land in the indexes where the hub's do.
 * Creates its two tables, then returns the seconds the inserts took.
 */
export async function bareInsertSeconds(storage: Storage, work: readonly BaselineDevice[]): Promise<number> {
  await storage.db.schema
    .createTable('bench_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('device_seq', 'bigint', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .execute();
  await storage.db.schema
    .createTable('bench_movements')
    .addColumn('movement_id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('delta', 'bigint', (c) => c.notNull())
    .execute();
  const started = performance.now();
  await Promise.all(
    work.map(async ({ device, batches }) => {
      for (const batch of batches) {
        await storage.transaction(async (trx) => {
          await trx
            .insertInto('bench_events' as never)
            .values(
              batch.map((event) => ({
                event_id: event.eventId,
                device_id: device.deviceId,
                device_seq: event.deviceSeq,
                envelope: JSON.stringify(event),
              })) as never,
            )
            .execute();
          const movements = batch.flatMap((event) =>
            (
              event.payload as { movements: { movementId: string; sku: string; delta: number }[] }
            ).movements.map((m) => ({
              movement_id: m.movementId,
              node_id: device.storeId,
              sku: m.sku,
              delta: m.delta,
            })),
          );
          await trx
            .insertInto('bench_movements' as never)
            .values(movements as never)
            .execute();
        });
      }
    }),
  );
  return (performance.now() - started) / 1000;
}
