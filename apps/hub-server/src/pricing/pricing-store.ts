import { z } from 'zod';
import {
  DomainError,
  PriceBookSchema,
  PriceEntrySchema,
  PriceTierSchema,
  PromotionSchema,
  type PriceBook,
  type PriceEntry,
  type Promotion,
} from '@retail/domain';
import { CHAIN_SCOPE, regionScope } from '../feed/feed-store';
import { inHubTransaction, type HubTx } from '../hub-tx';
import type { HubContext } from '../hub-context';
import { chunks } from '../storage/chunks';
import type { Executor } from '../storage/storage';

/**
 * Price books and promotions are versioned: every change raises the version, keeps the previous state in
 * `entity_versions`, and publishes the new state to the stores in scope well ahead of its start time, so
 * a price switches on offline at the right moment. Updates name the version they were based on; a stale
 * one is refused with CONFLICT rather than silently overwriting someone else's change.
 */
type Scope = PriceBook['scope'];

function feedScope(scope: Scope): string {
  switch (scope.type) {
    case 'chain':
      return CHAIN_SCOPE;
    case 'region':
      return regionScope(scope.regionId);
    case 'store':
      return scope.storeId;
  }
}

async function assertScopeExists(tx: HubTx, scope: Scope): Promise<void> {
  if (scope.type !== 'store') return;
  const node = await tx.trx
    .selectFrom('nodes')
    .select('node_id')
    .where('node_id', '=', scope.storeId)
    .executeTakeFirst();
  if (node === undefined) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.pricing.noStoreScope',
      { storeId: scope.storeId },
      {
        path: 'body.scope.storeId',
      },
    );
  }
}

export function checkVersion(
  entity: 'priceBook' | 'promotion',
  id: string,
  current: number | undefined,
  expected: number | undefined,
): void {
  if (current !== undefined && expected !== undefined && current !== expected) {
    throw new DomainError(
      'CONFLICT',
      'hub.pricing.changedMeanwhile',
      { entity, id, current },
      { version: current },
    );
  }
  if (current === undefined && expected !== undefined) {
    throw new DomainError('NOT_FOUND', 'hub.pricing.noneToUpdate', { entity, id });
  }
}

async function recordVersion(
  tx: HubTx,
  entity: string,
  key: string,
  version: number,
  data: unknown,
  actor: string,
) {
  await tx.trx
    .insertInto('entity_versions')
    .values({
      entity,
      entity_key: key,
      version,
      data: JSON.stringify(data),
      changed_by: actor,
      changed_at: tx.at,
    })
    .execute();
}

export const PriceBookInputSchema = z.object({
  // The schema's cross-field checks run on the whole book once id and version are added.
  book: z.object(PriceBookSchema.shape).omit({ priceBookId: true, version: true }),
  /** The version this change is based on; omit to create. */
  expectedVersion: z.number().int().min(1).optional(),
});

async function lockedBook(tx: HubTx, priceBookId: string) {
  return tx.trx
    .selectFrom('price_books')
    .selectAll()
    .where('price_book_id', '=', priceBookId)
    .$if(tx.hub.storage.kind === 'postgres', (query) => query.forUpdate())
    .executeTakeFirst();
}

async function writeBook(
  tx: HubTx,
  book: PriceBook,
  previousScope: Scope | undefined,
  actor: string,
): Promise<void> {
  await tx.trx
    .insertInto('price_books')
    .values({
      price_book_id: book.priceBookId,
      version: book.version,
      data: JSON.stringify(book),
      updated_at: tx.at,
      updated_by: actor,
    })
    .onConflict((oc) =>
      oc.column('price_book_id').doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        data: eb.ref('excluded.data'),
        updated_at: eb.ref('excluded.updated_at'),
        updated_by: eb.ref('excluded.updated_by'),
      })),
    )
    .execute();
  await recordVersion(tx, 'price_book', book.priceBookId, book.version, book, actor);
  const moved = previousScope !== undefined && feedScope(previousScope) !== feedScope(book.scope);
  if (moved) {
    // Stores that lose the book drop it and its prices (deletes in the old scope, published first);
    // the new audience gets everything with the new scope.
    tx.publish({
      entity: 'price_book',
      key: book.priceBookId,
      op: 'delete',
      scope: feedScope(previousScope),
    });
  }
  tx.publish({
    entity: 'price_book',
    key: book.priceBookId,
    op: 'upsert',
    scope: feedScope(book.scope),
    data: book,
  });
  if (moved) {
    const entries = await tx.trx
      .selectFrom('price_entries')
      .select('data')
      .where('price_book_id', '=', book.priceBookId)
      .execute();
    for (const row of entries) {
      const entry = JSON.parse(row.data) as PriceEntry;
      const key = `${entry.priceBookId}:${entry.sku}`;
      tx.publish({ entity: 'price', key, op: 'delete', scope: feedScope(previousScope) });
      tx.publish({ entity: 'price', key, op: 'upsert', scope: feedScope(book.scope), data: entry });
    }
  }
}

export async function savePriceBook(
  hub: HubContext,
  priceBookId: string,
  input: z.infer<typeof PriceBookInputSchema>,
  actor: string,
): Promise<PriceBook> {
  return inHubTransaction(hub, async (tx) => {
    const current = await lockedBook(tx, priceBookId);
    checkVersion('priceBook', priceBookId, current?.version, input.expectedVersion);
    if (current !== undefined && input.expectedVersion === undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.pricing.priceBookExistsSendVersion',
        { priceBookId },
        {
          version: current.version,
        },
      );
    }
    await assertScopeExists(tx, input.book.scope);
    const parsed = PriceBookSchema.safeParse({
      ...input.book,
      priceBookId,
      version: (current?.version ?? 0) + 1,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DomainError(
        'INVALID_INPUT',
        issue === undefined ? 'hub.pricing.priceBookNotValid' : 'hub.pricing.inputProblem',
        issue === undefined ? {} : { problem: issue.message },
        {
          path: ['body', 'book', ...(issue?.path ?? [])].join('.'),
        },
      );
    }
    const book = parsed.data;
    const previous = current === undefined ? undefined : (JSON.parse(current.data) as PriceBook);
    await writeBook(tx, book, previous?.scope, actor);
    return book;
  });
}

const PriceEntryInputSchema = z.object({
  sku: z.string().min(1).max(100),
  tiers: z.array(PriceTierSchema).min(1),
});

export const PriceEntriesInputSchema = z.object({
  expectedVersion: z.number().int().min(1).optional(),
  entries: z.array(PriceEntryInputSchema).min(1).max(5000),
  remove: z.array(z.string().min(1).max(100)).max(5000).default([]),
});

/** Sets (or removes) prices in a book; the book's version goes up once for the whole change. */
export async function savePriceEntries(
  hub: HubContext,
  priceBookId: string,
  input: z.input<typeof PriceEntriesInputSchema>,
  actor: string,
): Promise<PriceBook> {
  const change = PriceEntriesInputSchema.parse(input);
  return inHubTransaction(hub, async (tx) => {
    const current = await lockedBook(tx, priceBookId);
    if (current === undefined)
      throw new DomainError('NOT_FOUND', 'hub.pricing.noPriceBook', { priceBookId }, { priceBookId });
    checkVersion('priceBook', priceBookId, current.version, change.expectedVersion);
    const entries: PriceEntry[] = change.entries.map((entry, index) => {
      const parsed = PriceEntrySchema.safeParse({ priceBookId, ...entry });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DomainError(
          'INVALID_INPUT',
          issue === undefined ? 'hub.pricing.priceEntryNotValid' : 'hub.pricing.inputProblem',
          issue === undefined ? {} : { problem: issue.message },
          {
            path: ['body', 'entries', index, ...(issue?.path ?? []).filter((p) => p !== 'priceBookId')].join(
              '.',
            ),
          },
        );
      }
      return parsed.data;
    });
    await assertSkusExist(
      tx.trx,
      entries.map((entry) => entry.sku),
    );
    const book = { ...(JSON.parse(current.data) as PriceBook), version: current.version + 1 };
    await writeBook(tx, book, undefined, actor);
    await writePriceEntries(tx, book, entries, change.remove, actor);
    return book;
  });
}

/**
 * One change of a price book as the dashboard publishes it: the header and the prices together, so a new
 * book with its first prices (or a rescheduled book with its new prices) reaches the stores as one version,
 * never as an empty book or half a change.
 */
export const PriceBookChangeSchema = z.object({
  book: PriceBookInputSchema.shape.book,
  /** The version the operator saw; omit to create. */
  expectedVersion: z.number().int().min(1).optional(),
  entries: z.array(PriceEntryInputSchema).max(5000).default([]),
  remove: z.array(z.string().min(1).max(100)).max(5000).default([]),
});
export type PriceBookChange = z.infer<typeof PriceBookChangeSchema>;

/**
 * The book and prices `change` would publish, checked like the publish itself (version seen, scope, book
 * and entry rules, SKUs in the catalog), with the book at its next version. Shared by the publish and its
 * preview so the preview refuses exactly what the publish would.
 */
export async function checkedPriceBookChange(
  executor: Executor,
  priceBookId: string,
  change: PriceBookChange,
  currentVersion: number | undefined,
): Promise<{ book: PriceBook; entries: PriceEntry[] }> {
  checkVersion('priceBook', priceBookId, currentVersion, change.expectedVersion);
  if (currentVersion !== undefined && change.expectedVersion === undefined) {
    throw new DomainError(
      'CONFLICT',
      'hub.pricing.priceBookExistsReload',
      { priceBookId },
      {
        version: currentVersion,
      },
    );
  }
  if (change.book.scope.type === 'store') {
    const node = await executor
      .selectFrom('nodes')
      .select('node_id')
      .where('node_id', '=', change.book.scope.storeId)
      .executeTakeFirst();
    if (node === undefined) {
      throw new DomainError(
        'INVALID_INPUT',
        'hub.pricing.noStoreScope',
        { storeId: change.book.scope.storeId },
        {
          path: 'body.book.scope.storeId',
        },
      );
    }
  }
  const parsed = PriceBookSchema.safeParse({
    ...change.book,
    priceBookId,
    version: (currentVersion ?? 0) + 1,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      'INVALID_INPUT',
      issue === undefined ? 'hub.pricing.priceBookNotValid' : 'hub.pricing.inputProblem',
      issue === undefined ? {} : { problem: issue.message },
      { path: ['body', 'book', ...(issue?.path ?? [])].join('.') },
    );
  }
  const entries = change.entries.map((entry, index) => {
    const checked = PriceEntrySchema.safeParse({ priceBookId, ...entry });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new DomainError(
        'INVALID_INPUT',
        issue === undefined ? 'hub.pricing.priceEntryNotValid' : 'hub.pricing.inputProblem',
        issue === undefined ? {} : { problem: issue.message },
        {
          path: ['body', 'entries', index, ...(issue?.path ?? []).filter((p) => p !== 'priceBookId')].join(
            '.',
          ),
        },
      );
    }
    return checked.data;
  });
  const skus = entries.map((entry) => entry.sku);
  const twice = skus.find((sku, index) => skus.indexOf(sku) !== index);
  if (twice !== undefined) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.pricing.skuPricedTwiceChange',
      { twice },
      {
        path: `body.entries.${skus.lastIndexOf(twice)}.sku`,
      },
    );
  }
  await assertSkusExist(executor, skus);
  return { book: parsed.data, entries };
}

/**
 * Publishes a price book's header and prices in one transaction and one new version, refused with
 * CONFLICT when the book changed after the version the operator saw. Stores get it through the feed at
 * once, so a book that starts later switches on at its start time even when the till is offline then.
 */
export async function publishPriceBook(
  hub: HubContext,
  priceBookId: string,
  input: z.input<typeof PriceBookChangeSchema>,
  actor: string,
): Promise<PriceBook> {
  const change = PriceBookChangeSchema.parse(input);
  return inHubTransaction(hub, async (tx) => {
    const current = await lockedBook(tx, priceBookId);
    const { book, entries } = await checkedPriceBookChange(tx.trx, priceBookId, change, current?.version);
    const previous = current === undefined ? undefined : (JSON.parse(current.data) as PriceBook);
    await writeBook(tx, book, previous?.scope, actor);
    if (entries.length > 0 || change.remove.length > 0) {
      await writePriceEntries(tx, book, entries, change.remove, actor);
    }
    return book;
  });
}

/** The `entity_versions` entity that keeps every price a book ever had, keyed `bookId:sku`. */
export const PRICE_ENTRY_HISTORY = 'price_entry';

/**
 * Writes prices of `book` (already at its new version), records each change in the price history at that
 * version, and publishes it to the book's stores. Every path that changes prices (the prices API, the
 * catalog import, the price import) goes through here, so the history the pricing audit reads is complete.
 * A SKU both set and removed in one change ends up removed.
 */
export async function writePriceEntries(
  tx: HubTx,
  book: PriceBook,
  entries: readonly PriceEntry[],
  removedSkus: readonly string[],
  actor: string,
): Promise<void> {
  const priceBookId = book.priceBookId;
  const scope = feedScope(book.scope);
  for (const chunk of chunks(entries, 500)) {
    await tx.trx
      .insertInto('price_entries')
      .values(
        chunk.map((entry) => ({ price_book_id: priceBookId, sku: entry.sku, data: JSON.stringify(entry) })),
      )
      .onConflict((oc) =>
        oc.columns(['price_book_id', 'sku']).doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })),
      )
      .execute();
  }
  for (const entry of entries) {
    tx.publish({ entity: 'price', key: `${priceBookId}:${entry.sku}`, op: 'upsert', scope, data: entry });
  }
  for (const chunk of chunks(removedSkus, 500)) {
    await tx.trx
      .deleteFrom('price_entries')
      .where('price_book_id', '=', priceBookId)
      .where('sku', 'in', chunk)
      .execute();
  }
  for (const sku of removedSkus)
    tx.publish({ entity: 'price', key: `${priceBookId}:${sku}`, op: 'delete', scope });
  const history = new Map<string, PriceEntry | null>(entries.map((entry) => [entry.sku, entry]));
  for (const sku of removedSkus) history.set(sku, null);
  for (const chunk of chunks([...history], 500)) {
    await tx.trx
      .insertInto('entity_versions')
      .values(
        chunk.map(([sku, entry]) => ({
          entity: PRICE_ENTRY_HISTORY,
          entity_key: `${priceBookId}:${sku}`,
          version: book.version,
          data: JSON.stringify(entry),
          changed_by: actor,
          changed_at: tx.at,
        })),
      )
      // Two batches of one import may price the same SKU of a book at the same version: the last wins.
      .onConflict((oc) =>
        oc
          .columns(['entity', 'entity_key', 'version'])
          .doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })),
      )
      .execute();
  }
}

/**
 * The price of `sku` in `priceBookId` as of book version `version`: the entry, `null` when the SKU had
 * no price in that version, or `undefined` when the hub cannot know.
 *
 * Prices written before the hub kept this history have no rows; one that has none at all was never changed
 * since, so the stored price is its price in every version since history began. One whose first recorded
 * change is later than `version` may have had an unrecorded price then: unknown.
 */
export async function priceEntryAtVersion(
  executor: Executor,
  priceBookId: string,
  sku: string,
  version: number,
): Promise<PriceEntry | null | undefined> {
  const key = `${priceBookId}:${sku}`;
  const row = await executor
    .selectFrom('entity_versions')
    .select('data')
    .where('entity', '=', PRICE_ENTRY_HISTORY)
    .where('entity_key', '=', key)
    .where('version', '<=', version)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row !== undefined) return JSON.parse(row.data) as PriceEntry | null;
  const later = await executor
    .selectFrom('entity_versions')
    .select('version')
    .where('entity', '=', PRICE_ENTRY_HISTORY)
    .where('entity_key', '=', key)
    .limit(1)
    .executeTakeFirst();
  if (later !== undefined) return undefined;
  const current = await executor
    .selectFrom('price_entries')
    .select('data')
    .where('price_book_id', '=', priceBookId)
    .where('sku', '=', sku)
    .executeTakeFirst();
  return current === undefined ? undefined : (JSON.parse(current.data) as PriceEntry);
}

/**
 * `priceEntryAtVersion` for many prices in one query: `wanted` maps `bookId:sku` to a book version. Keys the
 * history cannot answer (no recorded change at or below the version) are left out; ask
 * `priceEntryAtVersion` for those.
 */
export async function priceEntriesAtVersions(
  executor: Executor,
  wanted: ReadonlyMap<string, number>,
): Promise<Map<string, PriceEntry | null>> {
  const found = new Map<string, { version: number; entry: PriceEntry | null }>();
  if (wanted.size === 0) return new Map();
  const highest = Math.max(...wanted.values());
  for (const chunk of chunks([...wanted.keys()], 500)) {
    const rows = await executor
      .selectFrom('entity_versions')
      .select(['entity_key', 'version', 'data'])
      .where('entity', '=', PRICE_ENTRY_HISTORY)
      .where('entity_key', 'in', chunk)
      .where('version', '<=', highest)
      .execute();
    for (const row of rows) {
      const limit = wanted.get(row.entity_key);
      const version = Number(row.version);
      if (limit === undefined || version > limit) continue;
      const best = found.get(row.entity_key);
      if (best === undefined || best.version < version) {
        found.set(row.entity_key, { version, entry: JSON.parse(row.data) as PriceEntry | null });
      }
    }
  }
  return new Map([...found].map(([key, value]) => [key, value.entry]));
}

/** One published version of a price book or promotion, or undefined when the hub never published it. */
export async function publishedVersion<T>(
  executor: Executor,
  entity: 'price_book' | 'promotion',
  key: string,
  version: number,
): Promise<T | undefined> {
  const row = await executor
    .selectFrom('entity_versions')
    .select('data')
    .where('entity', '=', entity)
    .where('entity_key', '=', key)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined ? undefined : (JSON.parse(row.data) as T);
}

async function assertSkusExist(executor: Executor, skus: readonly string[]): Promise<void> {
  const known = new Set<string>();
  for (const chunk of chunks([...new Set(skus)], 500)) {
    const rows = await executor.selectFrom('skus').select('sku').where('sku', 'in', chunk).execute();
    for (const row of rows) known.add(row.sku);
  }
  const index = skus.findIndex((sku) => !known.has(sku));
  if (index >= 0) {
    throw new DomainError(
      'INVALID_INPUT',
      'hub.pricing.skuNotCatalog',
      { skus: String(skus[index]) },
      {
        path: `body.entries.${index}.sku`,
      },
    );
  }
}

export async function listPriceBooks(executor: Executor): Promise<PriceBook[]> {
  const rows = await executor.selectFrom('price_books').select('data').orderBy('price_book_id').execute();
  return rows.map((row) => JSON.parse(row.data) as PriceBook);
}

export async function getPriceBook(
  executor: Executor,
  priceBookId: string,
  page: { afterSku?: string | undefined; limit: number },
): Promise<{ book: PriceBook; entries: PriceEntry[] }> {
  const row = await executor
    .selectFrom('price_books')
    .select('data')
    .where('price_book_id', '=', priceBookId)
    .executeTakeFirst();
  if (row === undefined)
    throw new DomainError('NOT_FOUND', 'hub.pricing.noPriceBook', { priceBookId }, { priceBookId });
  let query = executor.selectFrom('price_entries').select('data').where('price_book_id', '=', priceBookId);
  if (page.afterSku !== undefined) query = query.where('sku', '>', page.afterSku);
  const entries = await query.orderBy('sku').limit(page.limit).execute();
  return {
    book: JSON.parse(row.data) as PriceBook,
    entries: entries.map((entry) => JSON.parse(entry.data) as PriceEntry),
  };
}

export const EntityVersionSchema = z.object({
  version: z.number().int(),
  data: z.unknown(),
  changedBy: z.string(),
  changedAt: z.number().int(),
});

export async function listVersions(executor: Executor, entity: 'price_book' | 'promotion', key: string) {
  const rows = await executor
    .selectFrom('entity_versions')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_key', '=', key)
    .orderBy('version', 'desc')
    .execute();
  if (rows.length === 0)
    throw new DomainError('NOT_FOUND', 'hub.pricing.noSuchVersionedEntity', { entity, key }, { key });
  return rows.map((row) => ({
    version: row.version,
    data: JSON.parse(row.data) as unknown,
    changedBy: row.changed_by,
    changedAt: Number(row.changed_at),
  }));
}

export const PromotionInputSchema = z.object({
  promotion: z.object(PromotionSchema.shape).omit({ promotionId: true, version: true }),
  expectedVersion: z.number().int().min(1).optional(),
});

export async function savePromotion(
  hub: HubContext,
  promotionId: string,
  input: z.infer<typeof PromotionInputSchema>,
  actor: string,
): Promise<Promotion> {
  return inHubTransaction(hub, async (tx) => {
    const current = await tx.trx
      .selectFrom('promotions')
      .selectAll()
      .where('promotion_id', '=', promotionId)
      .$if(hub.storage.kind === 'postgres', (query) => query.forUpdate())
      .executeTakeFirst();
    checkVersion('promotion', promotionId, current?.version, input.expectedVersion);
    if (current !== undefined && input.expectedVersion === undefined) {
      throw new DomainError(
        'CONFLICT',
        'hub.pricing.promotionAlreadyExistsSend',
        { promotionId },
        {
          version: current.version,
        },
      );
    }
    await assertScopeExists(tx, input.promotion.scope);
    const parsed = PromotionSchema.safeParse({
      ...input.promotion,
      promotionId,
      version: (current?.version ?? 0) + 1,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DomainError(
        'INVALID_INPUT',
        issue === undefined ? 'hub.pricing.promotionNotValid' : 'hub.pricing.inputProblem',
        issue === undefined ? {} : { problem: issue.message },
        { path: ['body', 'promotion', ...(issue?.path ?? [])].join('.') },
      );
    }
    const promotion = parsed.data;
    await tx.trx
      .insertInto('promotions')
      .values({
        promotion_id: promotionId,
        version: promotion.version,
        data: JSON.stringify(promotion),
        updated_at: tx.at,
        updated_by: actor,
      })
      .onConflict((oc) =>
        oc.column('promotion_id').doUpdateSet((eb) => ({
          version: eb.ref('excluded.version'),
          data: eb.ref('excluded.data'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
        })),
      )
      .execute();
    await recordVersion(tx, 'promotion', promotionId, promotion.version, promotion, actor);
    const previous = current === undefined ? undefined : (JSON.parse(current.data) as Promotion);
    if (previous !== undefined && feedScope(previous.scope) !== feedScope(promotion.scope)) {
      // Stores that are no longer in scope drop it; the new audience gets the upsert below.
      tx.publish({ entity: 'promotion', key: promotionId, op: 'delete', scope: feedScope(previous.scope) });
    }
    tx.publish({
      entity: 'promotion',
      key: promotionId,
      op: 'upsert',
      scope: feedScope(promotion.scope),
      data: promotion,
    });
    return promotion;
  });
}

export async function listPromotions(executor: Executor): Promise<Promotion[]> {
  const rows = await executor.selectFrom('promotions').select('data').orderBy('promotion_id').execute();
  return rows.map((row) => JSON.parse(row.data) as Promotion);
}
