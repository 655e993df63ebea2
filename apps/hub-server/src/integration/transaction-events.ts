import { channelAvailabilityDrafts } from '../channels/channel-availability';
import type { LoyaltyEntry, StoredValueEntry, StoredValueKind } from '@retail/domain';
import type { EventEnvelope, PayloadCheck } from '@retail/sync';
import type { FeedChangeInput } from '../feed/feed-store';
import type { HubTx } from '../hub-tx';
import type { BalanceState } from '../inventory/ledger';
import { balanceFigures } from '../inventory/stock-levels';
import { chunks } from '../storage/chunks';
import type { AlongsideAppend } from '../storage/commit-watermark';
import { compiledQuery } from '../storage/compiled-query';
import { localDate } from './business-date';
import type { EventData } from './event-catalog';
import { raiseExceptions, type RaiseException } from '../exceptions/exception-queue';
import { checkDraft, integrationAppend, type EventDraft } from './outbound-log';
import { storeEventDrafts } from './store-event-drafts';

/** What producers of events may ask while the transaction is finishing. */
export interface DraftContext {
  readonly tx: HubTx;
  /** The store's local date of an instant (its timezone), or null without a node. */
  businessDate(nodeId: string | null | undefined, at: number): Promise<string | null>;
  node(nodeId: string): Promise<{ code: string; timezone: string } | undefined>;
}

type Producer = (context: DraftContext) => Promise<readonly EventDraft[]> | readonly EventDraft[];

/** What HubTx.finish hands over: the facts of the transaction events are derived from. */
export interface TransactionFacts {
  /** Stock balances the transaction changed, as written. */
  readonly balances: readonly BalanceState[];
  /** Exceptions raised (or recurring) in it. */
  readonly exceptionIds: readonly string[];
  /** Feed rows it published (prices and promotions become events from them). */
  readonly feed: readonly FeedChangeInput[];
}

/** Prices per event: a 100,000-row catalog import publishes in many events of bounded size. */
const PRICES_PER_EVENT = 1000;

/**
 * The canonical events of one hub transaction. Code that changes something adds a producer; they all run
 * when the transaction finishes (after its writes, so they read the state it leaves), and the events are
 * appended to the outbound log in the same transaction, just before the feed.
 */
export class TransactionEvents {
  private readonly producers: Producer[] = [];
  /** Nodes' rows the transaction already read (undefined: no such node), by node id. */
  private readonly knownNodes = new Map<string, { code: string; timezone: string } | undefined>();

  /** A node's code and timezone as the transaction read them elsewhere, so the drafts do not read them again. */
  knowNode(nodeId: string, row: { code: string; timezone: string } | undefined): void {
    this.knownNodes.set(nodeId, row);
  }

  emit(draft: EventDraft): void {
    this.producers.push(() => [draft]);
  }

  /** Events whose content needs a read (a node's timezone, a row the transaction wrote). */
  produce(producer: Producer): void {
    this.producers.push(producer);
  }

  /**
   * Store events the hub applied in this transaction (rejected ones never leave the hub), as the hub logs
   * them: a card reference that looks like a card number keeps only its last 4 digits
   * (`withoutCardNumbers`, ingest/sale-events.ts). `checked` holds the payloads the ingest already
   * validated, masked the same way, by event id, so they are not parsed a second time.
   */
  storeEventsApplied(
    events: readonly EventEnvelope[],
    checked: ReadonlyMap<string, PayloadCheck> = new Map(),
  ): void {
    for (const event of events)
      this.producers.push((context) => storeEventDrafts(context, event, checked.get(event.eventId)));
  }

  /** An exception closed in this transaction (by a person or by the hub). */
  exceptionResolved(exceptionId: string): void {
    this.produce(async ({ tx }) => {
      const row = await tx.trx
        .selectFrom('exceptions')
        .selectAll()
        .where('exception_id', '=', exceptionId)
        .executeTakeFirst();
      return row === undefined || row.status !== 'resolved'
        ? []
        : [exceptionDraft(row, 'exception.resolved', tx.at)];
    });
  }

  /** New entries of a points ledger. */
  loyaltyEntriesAppended(entries: readonly LoyaltyEntry[], causeEventId: string | undefined): void {
    for (const entry of entries) {
      this.emit({
        type: 'loyalty.entry_recorded',
        key: entry.entryId,
        aggregateId: entry.accountId,
        nodeId: entry.originNode ?? null,
        sourceEventId: causeEventId ?? null,
        occurredAt: entry.occurredAt,
        data: {
          entryId: entry.entryId,
          accountId: entry.accountId,
          type: entry.type,
          points: entry.points,
          occurredAt: new Date(entry.occurredAt).toISOString(),
          nodeId: entry.originNode ?? null,
          sourceDocument: entry.sourceDoc ?? null,
        } satisfies EventData<'loyalty.entry_recorded'>,
      });
    }
  }

  /**
   * New entries of a gift card or store credit ledger (the journal's liabilities come from these).
   * `businessAt` is when the store did what caused them (the till's sale or return time): an offline
   * store credit belongs to the day of the return that issued it, not the day the till synced.
   */
  storedValueEntriesAppended(
    kind: StoredValueKind,
    entries: readonly StoredValueEntry[],
    causeEventId: string | undefined,
    businessAt?: number,
  ): void {
    for (const entry of entries) {
      this.produce(async (context) => {
        const nodeId = entry.originNode ?? null;
        const businessDate = await context.businessDate(nodeId, businessAt ?? entry.occurredAt);
        return [
          {
            type: 'stored_value.entry_recorded',
            key: entry.entryId,
            aggregateId: entry.accountId,
            nodeId,
            businessDate,
            sourceEventId: causeEventId ?? null,
            occurredAt: entry.occurredAt,
            data: {
              entryId: entry.entryId,
              accountId: entry.accountId,
              kind,
              type: entry.type,
              amount: entry.amount.amount,
              currency: entry.amount.currency,
              occurredAt: new Date(entry.occurredAt).toISOString(),
              nodeId,
              businessDate,
              sourceDocument: entry.sourceDoc ?? null,
            } satisfies EventData<'stored_value.entry_recorded'>,
          },
        ];
      });
    }
  }

  /**
   * The transaction's events, checked, ready to append (HubTx.finish hands the append to the feed's, so
   * one statement on PostgreSQL writes both); undefined when there are none.
   */
  async flush(tx: HubTx, facts: TransactionFacts): Promise<AlongsideAppend | undefined> {
    const nodes = new Map(this.knownNodes);
    const context: DraftContext = {
      tx,
      async node(nodeId) {
        if (!nodes.has(nodeId)) {
          const [row] = await nodeReads(tx.trx, 'node', [nodeId], () =>
            tx.trx.selectFrom('nodes').select(['code', 'timezone']).where('node_id', '=', nodeId),
          );
          nodes.set(nodeId, row);
        }
        return nodes.get(nodeId);
      },
      async businessDate(nodeId, at) {
        if (nodeId === null || nodeId === undefined || nodeId === '') return null;
        const node = await this.node(nodeId);
        return localDate(at, node?.timezone ?? 'UTC');
      },
    };
    const produced: EventDraft[] = [];
    for (const producer of this.producers) produced.push(...(await producer(context)));
    produced.push(...(await priceDrafts(tx, facts.feed)));
    const drafts: EventDraft[] = [];
    const invalid: RaiseException[] = [];
    for (const draft of produced) {
      const checked = checkDraft(draft);
      if (checked.ok) {
        drafts.push(checked.draft);
        continue;
      }
      // The change itself is sound and stays applied (a till's sync must never stall on how the hub
      // describes it); the missing event is a bug for a person to see.
      invalid.push({
        type: 'INTEGRATION_EVENT_INVALID',
        severity: 'critical',
        nodeId: draft.nodeId ?? undefined,
        causeEventIds: draft.sourceEventId ? [draft.sourceEventId] : [],
        details: {
          eventType: draft.type,
          aggregateId: draft.aggregateId,
          problem: checked.problem,
          message: `The hub could not publish a ${draft.type} event for ${draft.aggregateId} (${checked.problem}); integrations did not receive it.`,
        },
      });
    }
    const raised = await raiseExceptions(tx.trx, invalid, tx.at, tx.hub.newId);
    drafts.push(...(await exceptionDrafts(tx, [...facts.exceptionIds, ...raised])));
    drafts.push(...availabilityDrafts(tx, facts.balances));
    drafts.push(...(await channelAvailabilityDrafts(tx, facts.balances)));
    return integrationAppend(tx.trx, tx.hub.storage, drafts, tx.at);
  }
}

/** The store's code and timezone, read by every push with sales (its business dates). */
const nodeReads = compiledQuery<{ code: string; timezone: string }>();

function availabilityDrafts(tx: HubTx, balances: readonly BalanceState[]): EventDraft[] {
  if (balances.length === 0) return [];
  // One event per SKU and node per transaction (a batch of 500 sales moves each once); the key only has
  // to be unique, the state it carries is what matters.
  const batch = tx.hub.newId();
  return balances.map((state) => ({
    type: 'availability.changed',
    key: `${batch}:${state.nodeId}:${state.sku}`,
    aggregateId: `${state.nodeId}:${state.sku}`,
    nodeId: state.nodeId,
    occurredAt: tx.at,
    data: balanceFigures(state) satisfies EventData<'availability.changed'>,
  }));
}

async function exceptionDrafts(tx: HubTx, exceptionIds: readonly string[]): Promise<EventDraft[]> {
  const drafts: EventDraft[] = [];
  for (const chunk of chunks([...new Set(exceptionIds)], 300)) {
    const rows = await tx.trx
      .selectFrom('exceptions')
      .selectAll()
      .where('exception_id', 'in', chunk)
      .orderBy('exception_id')
      .execute();
    for (const row of rows) drafts.push(exceptionDraft(row, 'exception.raised', tx.at));
  }
  return drafts;
}

export function exceptionDraft(
  row: {
    exception_id: string;
    type: string;
    severity: 'info' | 'warning' | 'critical';
    node_id: string | null;
    sku: string | null;
    status: 'open' | 'resolved';
    occurrences: number;
    details: string;
    cause_event_ids: string;
    resolution_note: string | null;
    resolved_by: string | null;
  },
  type: 'exception.raised' | 'exception.resolved',
  at: number,
): EventDraft {
  const details = JSON.parse(row.details) as { message?: unknown };
  const occurrences = Number(row.occurrences);
  return {
    type,
    key: type === 'exception.raised' ? `${row.exception_id}:${occurrences}` : row.exception_id,
    aggregateId: row.exception_id,
    nodeId: row.node_id,
    occurredAt: at,
    data: {
      exceptionId: row.exception_id,
      exceptionType: row.type,
      severity: row.severity,
      nodeId: row.node_id,
      sku: row.sku,
      status: row.status,
      occurrences,
      message: typeof details.message === 'string' ? details.message : row.type,
      causeEventIds: JSON.parse(row.cause_event_ids) as string[],
      resolutionNote: row.resolution_note,
      resolvedBy: row.resolved_by,
    } satisfies EventData<'exception.raised'>,
  };
}

interface PublishedPrice {
  readonly priceBookId: string;
  readonly sku: string;
  readonly tiers: { minQty: number; unitPrice: number }[];
}

/** Price books, prices and promotions the transaction published to the stores become events too. */
async function priceDrafts(tx: HubTx, feed: readonly FeedChangeInput[]): Promise<EventDraft[]> {
  const books = new Map<string, { prices: Map<string, PublishedPrice>; removed: Set<string> }>();
  const bookOf = (priceBookId: string) => {
    let book = books.get(priceBookId);
    if (book === undefined) {
      book = { prices: new Map(), removed: new Set() };
      books.set(priceBookId, book);
    }
    return book;
  };
  const promotions = new Map<string, Record<string, unknown>>();
  for (const change of feed) {
    if (change.entity === 'price_book' && change.op === 'upsert') {
      bookOf((change.data as { priceBookId: string }).priceBookId);
    } else if (change.entity === 'price') {
      const separator = change.key.lastIndexOf(':');
      if (change.op === 'upsert') {
        const price = change.data as PublishedPrice;
        const book = bookOf(price.priceBookId);
        book.prices.set(price.sku, price);
        book.removed.delete(price.sku);
      } else if (separator > 0) {
        // A delete in a scope the book left is followed by the upsert in its new one; only a delete that
        // stays one removes the price.
        const book = bookOf(change.key.slice(0, separator));
        const sku = change.key.slice(separator + 1);
        if (!book.prices.has(sku)) book.removed.add(sku);
      }
    } else if (change.entity === 'promotion' && change.op === 'upsert') {
      const promotion = change.data as Record<string, unknown> & { promotionId: string };
      promotions.set(promotion.promotionId, promotion);
    }
  }
  const drafts: EventDraft[] = [];
  for (const [priceBookId, changes] of books) {
    const row = await tx.trx
      .selectFrom('price_books')
      .select(['version', 'data'])
      .where('price_book_id', '=', priceBookId)
      .executeTakeFirst();
    if (row === undefined) continue;
    const book = JSON.parse(row.data) as {
      name: string;
      currency: string;
      taxInclusive: boolean;
      scope: Record<string, unknown>;
    };
    const version = Number(row.version);
    const prices = [...changes.prices.values()].map(({ sku, tiers }) => ({
      sku,
      tiers: tiers.map(({ minQty, unitPrice }) => ({ minQty, unitPrice })),
    }));
    const parts = prices.length === 0 ? [[]] : chunks(prices, PRICES_PER_EVENT);
    parts.forEach((part, index) =>
      drafts.push({
        type: 'prices.published',
        key: `${priceBookId}:${version}:${index}`,
        aggregateId: priceBookId,
        occurredAt: tx.at,
        data: {
          priceBookId,
          version,
          name: book.name,
          currency: book.currency,
          taxInclusive: book.taxInclusive,
          scope: book.scope,
          prices: part,
          removedSkus: index === 0 ? [...changes.removed] : [],
        } satisfies EventData<'prices.published'>,
      }),
    );
  }
  for (const [promotionId, promotion] of promotions) {
    const version = Number(promotion.version);
    drafts.push({
      type: 'promotion.published',
      key: `${promotionId}:${version}`,
      aggregateId: promotionId,
      occurredAt: tx.at,
      data: { promotionId, version, promotion } satisfies EventData<'promotion.published'>,
    });
  }
  return drafts;
}
