import { useState } from 'react';
import type { PriceBook, Promotion } from '../../api/api-types';
import type { ApiResult } from '../../api/hub-api';
import type { EntityVersion } from '../../api/api-types';
import { useCanAct, useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { Loaded, Notice } from '../../components/feedback';
import { maybeT, t } from '../../i18n/translate';
import { PriceBookEditor } from './price-book-editor';
import { PromotionEditor } from './promotion-editor';

type Scope = PriceBook['scope'] | Promotion['scope'];

function scopeLabel(scope: Scope): string {
  switch (scope.type) {
    case 'chain':
      return t('pricing.scope.chain');
    case 'region':
      return t('pricing.scope.region', { id: scope.regionId });
    case 'store':
      return t('pricing.scope.store', { id: scope.storeId });
  }
}

function windowLabel(
  startsAt: number | undefined,
  endsAt: number | undefined,
  dateTime: (at: number) => string,
): string {
  if (startsAt === undefined && endsAt === undefined) return t('pricing.windowAlways');
  if (endsAt === undefined) return t('pricing.windowFrom', { from: dateTime(startsAt ?? 0) });
  if (startsAt === undefined) return t('pricing.windowUntil', { until: dateTime(endsAt) });
  return t('pricing.windowBetween', { from: dateTime(startsAt), until: dateTime(endsAt) });
}

/**
 * Price books and promotions with their versions. Operators create and change both here: preview what
 * changes where, then publish at the version seen.
 */
export function PricingScreen() {
  const { api, format } = useServices();
  const canAct = useCanAct();
  const books = useLoad(() => api.priceBooks(), [api]);
  const promotions = useLoad(() => api.promotions(), [api]);
  const nodes = useLoad(() => api.nodes(), [api]);
  const stores =
    nodes.state.status === 'ready' ? nodes.state.value.filter((node) => node.kind === 'store') : [];
  const [editing, setEditing] = useState<Promotion | 'new' | null>(null);
  const [editingBook, setEditingBook] = useState<PriceBook | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [versionsOf, setVersionsOf] = useState<{
    kind: 'book' | 'promotion';
    id: string;
    name: string;
  } | null>(null);

  /** An open editor's ends: published (say so, close, reload the list), cancelled, or reloaded when stale. */
  const editorEnds = <T,>(setOpen: (value: T | null) => void, list: { reload: () => void }) => ({
    onDone: (message: string) => {
      setNotice(message);
      setOpen(null);
      list.reload();
    },
    onCancel: () => setOpen(null),
    onReloaded: (fresh: T) => {
      setOpen(fresh);
      list.reload();
    },
  });

  return (
    <section aria-labelledby="pricing-title">
      <h1 id="pricing-title">{t('pricing.title')}</h1>
      <Notice text={notice} />
      <h2>{t('pricing.books')}</h2>
      {canAct ? (
        <button type="button" className="btn" onClick={() => setEditingBook('new')}>
          {t('pricing.newBook')}
        </button>
      ) : null}
      <Loaded state={books.state}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('pricing.noBooks')}</p>
          ) : (
            <table aria-label={t('pricing.books')}>
              <thead>
                <tr>
                  <th scope="col">{t('pricing.name')}</th>
                  <th scope="col">{t('pricing.id')}</th>
                  <th scope="col">{t('pricing.scope')}</th>
                  <th scope="col">{t('pricing.currency')}</th>
                  <th scope="col">{t('pricing.priority')}</th>
                  <th scope="col">{t('pricing.window')}</th>
                  <th scope="col">{t('pricing.version')}</th>
                  {canAct ? <th scope="col">{t('pricing.actions')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.map((book) => (
                  <tr key={book.priceBookId}>
                    <th scope="row">{book.name}</th>
                    <td>
                      <code>{book.priceBookId}</code>
                    </td>
                    <td>{scopeLabel(book.scope)}</td>
                    <td>{book.currency}</td>
                    <td>{format.count(book.priority)}</td>
                    <td>{windowLabel(book.startsAt, book.endsAt, format.dateTime)}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-quiet"
                        aria-label={t('pricing.showVersions', { name: book.name })}
                        onClick={() => setVersionsOf({ kind: 'book', id: book.priceBookId, name: book.name })}
                      >
                        {format.count(book.version)}
                      </button>
                    </td>
                    {canAct ? (
                      <td>
                        <button type="button" className="btn" onClick={() => setEditingBook(book)}>
                          {t('pricing.editBook', { name: book.name })}
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <h2>{t('pricing.promotions')}</h2>
      {canAct ? (
        <button type="button" className="btn" onClick={() => setEditing('new')}>
          {t('pricing.newPromotion')}
        </button>
      ) : null}
      <Loaded state={promotions.state}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('pricing.noPromotions')}</p>
          ) : (
            <table aria-label={t('pricing.promotions')}>
              <thead>
                <tr>
                  <th scope="col">{t('pricing.name')}</th>
                  <th scope="col">{t('pricing.rule')}</th>
                  <th scope="col">{t('pricing.scope')}</th>
                  <th scope="col">{t('pricing.priority')}</th>
                  <th scope="col">{t('pricing.stacking')}</th>
                  <th scope="col">{t('pricing.window')}</th>
                  <th scope="col">{t('pricing.version')}</th>
                  {canAct ? <th scope="col">{t('pricing.actions')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {list.map((promotion) => (
                  <tr key={promotion.promotionId}>
                    <th scope="row">{promotion.name}</th>
                    <td>{maybeT(`pricing.rule.${promotion.rule.type}`) ?? promotion.rule.type}</td>
                    <td>{scopeLabel(promotion.scope)}</td>
                    <td>{format.count(promotion.priority)}</td>
                    <td>{promotion.stacking}</td>
                    <td>{windowLabel(promotion.startsAt, promotion.endsAt, format.dateTime)}</td>
                    <td>
                      <button
                        type="button"
                        className="btn btn-quiet"
                        aria-label={t('pricing.showVersions', { name: promotion.name })}
                        onClick={() =>
                          setVersionsOf({
                            kind: 'promotion',
                            id: promotion.promotionId,
                            name: promotion.name,
                          })
                        }
                      >
                        {format.count(promotion.version)}
                      </button>
                    </td>
                    {canAct ? (
                      <td>
                        <button type="button" className="btn" onClick={() => setEditing(promotion)}>
                          {t('pricing.editPromotion', { name: promotion.name })}
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {editing === null ? null : (
        <PromotionEditor
          key={editing === 'new' ? 'new' : `${editing.promotionId}@${editing.version}`}
          current={editing === 'new' ? null : editing}
          stores={stores}
          {...editorEnds<Promotion>(setEditing, promotions)}
        />
      )}
      {editingBook === null ? null : (
        <PriceBookEditor
          key={editingBook === 'new' ? 'new' : `${editingBook.priceBookId}@${editingBook.version}`}
          current={editingBook === 'new' ? null : editingBook}
          stores={stores}
          {...editorEnds<PriceBook>(setEditingBook, books)}
        />
      )}
      {versionsOf === null ? null : (
        <Versions
          key={`${versionsOf.kind}:${versionsOf.id}`}
          name={versionsOf.name}
          load={() =>
            versionsOf.kind === 'book'
              ? api.priceBookVersions(versionsOf.id)
              : api.promotionVersions(versionsOf.id)
          }
        />
      )}
    </section>
  );
}

function Versions({ name, load }: { name: string; load: () => Promise<ApiResult<EntityVersion[]>> }) {
  const { format } = useServices();
  // Keyed by what it shows, so the load runs once per entity (the parent passes a new closure each render).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const versions = useLoad(load, []);
  const title = t('pricing.versions', { name });
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <Loaded state={versions.state}>
        {(list) => (
          <ol className="timeline">
            {list.map((version) => (
              <li key={version.version}>
                {t('pricing.changed', {
                  version: version.version,
                  actor: version.changedBy,
                  at: format.dateTime(version.changedAt),
                })}
              </li>
            ))}
          </ol>
        )}
      </Loaded>
    </section>
  );
}
