import type { ErrorBody } from '@retail/domain';
import { useState, type FormEvent } from 'react';
import type { CatalogItem, CatalogOptions } from '../../api/api-types';
import type { CatalogItemQuery } from '../../api/hub-api';
import { useCanAct, useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { t, type MessageKey } from '../../i18n/translate';
import { CatalogImportPanel } from './catalog-import-panel';
import { ItemEditor } from './item-editor';

const STATUSES = ['all', 'active', 'inactive'] as const;
type Status = (typeof STATUSES)[number];

/** What the editor is open on: nothing, a new item, or an item at the version the operator saw. */
type Editing =
  { readonly mode: 'none' } | { readonly mode: 'new' } | { readonly mode: 'edit'; item: CatalogItem };

/**
 * The catalog: find items by name, SKU or barcode, create and edit them (at the version shown, so a
 * change made meanwhile by someone else is never overwritten), and import a CSV with its report.
 */
export function CatalogScreen() {
  const { api } = useServices();
  const canAct = useCanAct();
  const [query, setQuery] = useState<{ q: string; status: Status }>({ q: '', status: 'all' });
  const [draft, setDraft] = useState<{ q: string; status: Status }>(query);
  const [extra, setExtra] = useState<{ items: CatalogItem[]; nextCursor: string | null } | null>(null);
  const [editing, setEditing] = useState<Editing>({ mode: 'none' });
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const page = useLoad(
    () => api.catalogItems({ q: query.q === '' ? undefined : query.q, status: query.status }),
    [api, query],
  );
  const options = useLoad(() => api.catalogOptions(), [api]);
  const optionValues: CatalogOptions =
    options.state.status === 'ready' ? options.state.value : { categories: [], taxCategories: [] };

  const search = (event: FormEvent) => {
    event.preventDefault();
    setExtra(null);
    setQuery(draft);
  };
  const more = async (after: string) => {
    const request: CatalogItemQuery = {
      q: query.q === '' ? undefined : query.q,
      status: query.status,
      after,
    };
    const result = await api.catalogItems(request);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setExtra((earlier) => ({
      items: [...(earlier?.items ?? []), ...result.value.items],
      nextCursor: result.value.nextCursor,
    }));
  };
  const saved = (item: CatalogItem) => {
    setNotice(t('catalog.saved', { sku: item.sku.sku, version: item.version }));
    setError(null);
    setEditing({ mode: 'none' });
    setExtra(null);
    page.reload();
  };

  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">{t('catalog.title')}</h1>
      <p className="muted">{t('catalog.intro')}</p>
      <Notice text={notice} />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <form role="search" aria-label={t('catalog.search')} className="inline-form" onSubmit={search}>
        <label>
          {t('catalog.searchLabel')}{' '}
          <input
            type="search"
            value={draft.q}
            onChange={(event) => setDraft({ ...draft, q: event.target.value })}
          />
        </label>
        <label>
          {t('catalog.status')}{' '}
          <select
            value={draft.status}
            onChange={(event) => setDraft({ ...draft, status: event.target.value as Status })}
          >
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`catalog.status.${status}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn">
          {t('catalog.searchButton')}
        </button>
        {canAct ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              setNotice(null);
              setEditing({ mode: 'new' });
            }}
          >
            {t('catalog.new')}
          </button>
        ) : null}
      </form>
      {editing.mode === 'none' ? null : (
        <ItemEditor
          key={editing.mode === 'edit' ? `${editing.item.sku.sku}@${editing.item.version}` : 'new'}
          item={editing.mode === 'edit' ? editing.item : null}
          options={optionValues}
          onSaved={saved}
          onCancel={() => setEditing({ mode: 'none' })}
        />
      )}
      <Loaded state={page.state}>
        {(first) => {
          const items = [...first.items, ...(extra?.items ?? [])];
          const nextCursor = extra === null ? first.nextCursor : extra.nextCursor;
          return (
            <>
              <ItemTable
                items={items}
                options={optionValues}
                canEdit={canAct}
                onEdit={(item) => {
                  setNotice(null);
                  setEditing({ mode: 'edit', item });
                }}
              />
              {nextCursor === null ? null : (
                <button type="button" className="btn" onClick={() => void more(nextCursor)}>
                  {t('catalog.more')}
                </button>
              )}
            </>
          );
        }}
      </Loaded>
      {canAct ? (
        <CatalogImportPanel
          onImported={() => {
            setExtra(null);
            page.reload();
            options.reload();
          }}
        />
      ) : null}
    </section>
  );
}

export function categoryLabel(options: CatalogOptions, categoryId: string | null): string {
  if (categoryId === null) return t('catalog.noCategory');
  const category = options.categories.find((each) => each.categoryId === categoryId);
  return category === undefined ? categoryId : category.path.join(' › ');
}

function ItemTable(props: {
  items: readonly CatalogItem[];
  options: CatalogOptions;
  canEdit: boolean;
  onEdit: (item: CatalogItem) => void;
}) {
  if (props.items.length === 0) return <p>{t('catalog.noItems')}</p>;
  return (
    <table aria-label={t('catalog.items')}>
      <thead>
        <tr>
          <th scope="col">{t('catalog.sku')}</th>
          <th scope="col">{t('catalog.name')}</th>
          <th scope="col">{t('catalog.barcodes')}</th>
          <th scope="col">{t('catalog.category')}</th>
          <th scope="col">{t('catalog.taxCategory')}</th>
          <th scope="col">{t('catalog.status')}</th>
          <th scope="col">{t('catalog.version')}</th>
          {props.canEdit ? <th scope="col" /> : null}
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr key={item.sku.sku}>
            <th scope="row">{item.sku.sku}</th>
            <td>{item.sku.name}</td>
            <td>{item.sku.barcodes.join(', ')}</td>
            <td>{categoryLabel(props.options, item.categoryId)}</td>
            <td>{item.sku.taxCategory}</td>
            <td>{t(item.sku.active ? 'catalog.status.active' : 'catalog.status.inactive')}</td>
            <td>{item.version}</td>
            {props.canEdit ? (
              <td>
                <button
                  type="button"
                  className="btn"
                  onClick={() => props.onEdit(item)}
                  aria-label={t('catalog.edit', { sku: item.sku.sku })}
                >
                  {t('catalog.editButton')}
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
