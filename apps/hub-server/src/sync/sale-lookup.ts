import { DomainError } from '@retail/domain';
import { checkPayload, type EventEnvelope, type EventPayloads, type SaleLookup } from '@retail/sync';
import type { HubContext } from '../hub-context';

/** The event as the till sent it, lifted to the current payload version (it may be years old). */
async function payloadOf<T extends 'sale.completed' | 'return.completed'>(
  hub: HubContext,
  eventId: string,
  type: T,
): Promise<EventPayloads[T] | undefined> {
  const row = await hub.storage.db
    .selectFrom('ingested_events')
    .select('envelope')
    .where('event_id', '=', eventId)
    .where('status', '=', 'applied')
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const envelope = JSON.parse(row.envelope) as EventEnvelope;
  const checked = checkPayload(envelope.type, envelope.schemaVersion, envelope.payload);
  return checked.ok && checked.type === type ? (checked.payload as EventPayloads[T]) : undefined;
}

/**
 * A sale by receipt number, with every return recorded against it at any store (returns without a
 * receipt anywhere, BORIS, DESIGN §5). Receipt numbers are `{storeCode}-{deviceNo}-{seq}`, unique across
 * the chain.
 */
export async function lookupSale(hub: HubContext, receiptNumber: string): Promise<SaleLookup> {
  const sale = await hub.storage.db
    .selectFrom('sales')
    .select(['sale_id', 'node_id', 'device_id', 'status', 'event_id'])
    .where('receipt_number', '=', receiptNumber)
    .executeTakeFirst();
  const payload = sale === undefined ? undefined : await payloadOf(hub, sale.event_id, 'sale.completed');
  if (sale === undefined || payload === undefined) {
    throw new DomainError(
      'NOT_FOUND',
      `The hub has no sale with receipt number ${receiptNumber}. Check the number; a sale made offline reaches the hub when its till reconnects.`,
      { receiptNumber },
    );
  }
  const returnRows = await hub.storage.db
    .selectFrom('returns')
    .select('event_id')
    .where('original_sale_id', '=', sale.sale_id)
    .orderBy('completed_at')
    .execute();
  const returns: EventPayloads['return.completed'][] = [];
  for (const row of returnRows) {
    const returned = await payloadOf(hub, row.event_id, 'return.completed');
    if (returned !== undefined) returns.push(returned);
  }
  return {
    storeId: sale.node_id,
    deviceId: sale.device_id,
    status: sale.status,
    sale: payload,
    returns,
  };
}
