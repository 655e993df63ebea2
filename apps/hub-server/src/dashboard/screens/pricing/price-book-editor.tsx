import { DomainError, fromDecimal, money, toDecimal } from '@retail/domain';
import { useState } from 'react';
import type {
  PriceBook,
  PriceBookChange,
  PriceBookPreview,
  PriceEntry,
  StoreNode,
} from '../../api/api-types';
import type { ApiResult } from '../../api/hub-api';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { Loaded } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { choiceOf, epochOf, localInput, priorityOf, scopeOf, type ScopeChoice } from './pricing-form';
import { EditorActions, PreviewPanel, usePreviewPublish } from './preview-publish';
import { ScheduleFields, ScopeField, TextField } from './pricing-fields';

type Tiers = PriceEntry['tiers'];

/** "2.49", or with quantity breaks "2.49 | 6=1.99 | 12=1.79" (the price import's tier notation). */
export function tiersText(tiers: Tiers, currency: string): string {
  return tiers
    .map((tier, index) =>
      index === 0 && tier.minQty === 1
        ? toDecimal(money(tier.unitPrice, currency))
        : `${tier.minQty}=${toDecimal(money(tier.unitPrice, currency))}`,
    )
    .join(' | ');
}

/** Reads `tiersText`'s notation; the hub checks the tier rules (from 1, rising quantities, falling prices). */
export function parseTiers(text: string, currency: string, sku: string): Tiers {
  const refuse = (): never => {
    throw new DomainError('INVALID_INPUT', t('pricing.book.badPrice', { sku, text }), { sku });
  };
  const parts = text.split('|').map((part) => part.trim());
  if (parts.some((part) => part === '')) refuse();
  return parts.map((part, index) => {
    const match = /^(?:(\d+)\s*=\s*)?(\S+)$/.exec(part);
    if (match === null) return refuse();
    const minQty = match[1] === undefined ? (index === 0 ? 1 : refuse()) : Number(match[1]);
    try {
      return { minQty, unitPrice: fromDecimal(match[2] as string, currency).amount };
    } catch {
      return refuse();
    }
  });
}

interface PriceRow {
  readonly sku: string;
  readonly text: string;
  /** The text as loaded from the hub; null for a SKU this change adds. */
  readonly original: string | null;
  readonly removed: boolean;
}

interface Props {
  current: PriceBook | null;
  stores: readonly StoreNode[];
  onDone: (message: string) => void;
  onCancel: () => void;
  /** The book as the hub now has it, after a refused stale change. */
  onReloaded: (fresh: PriceBook) => void;
}

/**
 * Creates a price book or changes one, header and prices together: the operator edits, asks for a preview
 * (which stores, which SKUs, the price each store charges before → after at the moment the change takes
 * effect), then publishes exactly what was previewed with the version it saw. A start time in the future
 * schedules the prices: the tills hold them and switch at that second, online or not.
 */
export function PriceBookEditor(props: Props) {
  const { api } = useServices();
  const { current } = props;
  const page = useLoad(async (): Promise<ApiResult<readonly PriceEntry[]>> => {
    if (current === null) return { ok: true, value: [] };
    const result = await api.priceBook(current.priceBookId);
    return result.ok ? { ok: true, value: result.value.entries } : result;
  }, [api, current]);
  return <Loaded state={page.state}>{(entries) => <PriceBookForm {...props} entries={entries} />}</Loaded>;
}

function PriceBookForm({
  current,
  stores,
  entries,
  onDone,
  onCancel,
  onReloaded,
}: Props & { entries: readonly PriceEntry[] }) {
  const { api, format } = useServices();
  const [priceBookId, setPriceBookId] = useState(current?.priceBookId ?? '');
  const [name, setName] = useState(current?.name ?? '');
  const [scope, setScope] = useState<ScopeChoice>(current === null ? 'chain' : choiceOf(current.scope));
  const [currency, setCurrency] = useState(current?.currency ?? stores[0]?.currency ?? 'EUR');
  const [priority, setPriority] = useState(String(current?.priority ?? 0));
  const [taxInclusive, setTaxInclusive] = useState(current?.taxInclusive ?? true);
  const [startsAt, setStartsAt] = useState(localInput(current?.startsAt));
  const [endsAt, setEndsAt] = useState(localInput(current?.endsAt));
  const [rows, setRows] = useState<PriceRow[]>(() =>
    entries.map((entry) => {
      const text = tiersText(entry.tiers, current?.currency ?? 'EUR');
      return { sku: entry.sku, text, original: text, removed: false };
    }),
  );
  const [newSku, setNewSku] = useState('');
  const [newPrice, setNewPrice] = useState('');
  const title =
    current === null
      ? t('pricing.book.newTitle')
      : t('pricing.book.editTitle', { name: current.name, version: current.version });
  const flow = usePreviewPublish({
    id: priceBookId,
    needId: t('pricing.book.needId'),
    // The body is read when the operator asks for a preview, from the form as it is then.
    body: () => input(),
    preview: (id, body: PriceBookChange) => api.previewPriceBook(id, body),
    publish: (id, body) => api.publishPriceBook(id, body),
    onPublished: (saved) => onDone(t('pricing.book.published', { name: saved.name, version: saved.version })),
  });
  const preview: PriceBookPreview | null = flow.preview;
  const { edit } = flow;
  const setRow = (sku: string, change: Partial<PriceRow>) =>
    edit(setRows)(rows.map((row) => (row.sku === sku ? { ...row, ...change } : row)));

  const addPrice = () => {
    const sku = newSku.trim();
    if (sku === '' || newPrice.trim() === '') {
      flow.setError({ code: 'INVALID_INPUT', message: t('pricing.book.needSkuAndPrice') });
      return;
    }
    flow.setError(null);
    if (rows.some((row) => row.sku === sku)) setRow(sku, { text: newPrice.trim(), removed: false });
    else edit(setRows)([...rows, { sku, text: newPrice.trim(), original: null, removed: false }]);
    setNewSku('');
    setNewPrice('');
  };

  /** Throws a DomainError naming what is not a number or a price. */
  const input = (): PriceBookChange => {
    const rank = priorityOf(priority);
    const from = epochOf(startsAt);
    const to = epochOf(endsAt);
    const code = currency.trim().toUpperCase();
    return {
      book: {
        name: name.trim(),
        currency: code,
        scope: scopeOf(scope),
        priority: rank,
        taxInclusive,
        ...(from === undefined ? {} : { startsAt: from }),
        ...(to === undefined ? {} : { endsAt: to }),
        ...(current?.active === undefined ? {} : { active: current.active }),
      },
      ...(current === null ? {} : { expectedVersion: current.version }),
      entries: rows
        .filter((row) => !row.removed && row.text !== row.original)
        .map((row) => ({ sku: row.sku, tiers: parseTiers(row.text, code, row.sku) })),
      remove: rows.filter((row) => row.removed && row.original !== null).map((row) => row.sku),
    };
  };

  const reload = () =>
    void flow.run(
      () => api.priceBook(current?.priceBookId ?? ''),
      (page) => onReloaded(page.book),
    );

  const price = (amount: number | null, rowCurrency: string) =>
    amount === null ? t('pricing.book.noPrice') : format.money(amount, rowCurrency);

  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void flow.askPreview(event)}>
      <h2>{title}</h2>
      <TextField
        label={t('pricing.book.id')}
        value={priceBookId}
        readOnly={current !== null}
        onChange={edit(setPriceBookId)}
      />
      <TextField label={t('pricing.editor.name')} value={name} onChange={edit(setName)} />
      <ScopeField value={scope} stores={stores} onChange={edit(setScope)} />
      <TextField label={t('pricing.currency')} value={currency} onChange={edit(setCurrency)} />
      <TextField
        label={t('pricing.priority')}
        inputMode="numeric"
        value={priority}
        onChange={edit(setPriority)}
      />
      <label>
        <input
          type="checkbox"
          checked={taxInclusive}
          onChange={(event) => edit(setTaxInclusive)(event.target.checked)}
        />{' '}
        {t('pricing.book.taxInclusive')}
      </label>
      <ScheduleFields
        startsAt={startsAt}
        endsAt={endsAt}
        onStartsAt={edit(setStartsAt)}
        onEndsAt={edit(setEndsAt)}
      />
      <h3>{t('pricing.book.prices')}</h3>
      <p className="muted">{t('pricing.book.priceHint')}</p>
      {rows.length === 0 ? (
        <p>{t('pricing.book.noPrices')}</p>
      ) : (
        <table aria-label={t('pricing.book.prices')}>
          <thead>
            <tr>
              <th scope="col">{t('pricing.book.sku')}</th>
              <th scope="col">{t('pricing.book.price')}</th>
              <th scope="col">{t('pricing.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.sku} className={row.removed ? 'muted' : undefined}>
                <th scope="row">{row.sku}</th>
                <td>
                  <input
                    aria-label={t('pricing.book.priceOf', { sku: row.sku })}
                    inputMode="decimal"
                    value={row.text}
                    disabled={row.removed}
                    onChange={(event) => setRow(row.sku, { text: event.target.value })}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-quiet"
                    onClick={() => setRow(row.sku, { removed: !row.removed })}
                  >
                    {row.removed
                      ? t('pricing.book.keep', { sku: row.sku })
                      : t('pricing.book.remove', { sku: row.sku })}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <fieldset>
        <legend>{t('pricing.book.addPrice')}</legend>
        <TextField label={t('pricing.book.newSku')} value={newSku} onChange={setNewSku} />
        <TextField
          label={t('pricing.book.newPrice')}
          inputMode="decimal"
          value={newPrice}
          onChange={setNewPrice}
        />
        <button type="button" className="btn" onClick={addPrice}>
          {t('pricing.book.addPrice')}
        </button>
      </fieldset>
      <PreviewPanel
        error={flow.error}
        working={flow.working}
        onReload={current === null ? null : reload}
        answer={preview}
        isNew={t('pricing.book.isNew')}
      >
        {preview === null ? null : (
          <>
            <p>{t('pricing.book.effectiveAt', { at: format.dateTime(preview.effectiveAt) })}</p>
            {preview.prices.length === 0 ? (
              <p>{t('pricing.book.noPriceChanges')}</p>
            ) : (
              <table aria-label={t('pricing.book.priceChanges')}>
                <thead>
                  <tr>
                    <th scope="col">{t('pricing.book.store')}</th>
                    <th scope="col">{t('pricing.book.sku')}</th>
                    <th scope="col">{t('pricing.book.before')}</th>
                    <th scope="col">{t('pricing.book.after')}</th>
                    <th scope="col">{t('pricing.book.decidedBy')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.prices.map((row) => (
                    <tr key={`${row.nodeId}:${row.sku}`}>
                      <td>{`${row.code} ${row.storeName}`}</td>
                      <th scope="row">{row.name === null ? row.sku : `${row.sku} ${row.name}`}</th>
                      <td>{price(row.before, row.currency)}</td>
                      <td>{price(row.after, row.currency)}</td>
                      <td>{row.afterBookId ?? t('pricing.book.noPrice')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {preview.unchanged === 0 ? null : (
              <p>{t('pricing.book.unchanged', { count: format.count(preview.unchanged) })}</p>
            )}
            {preview.skusNotShown === 0 ? null : (
              <p>{t('pricing.book.notShown', { count: format.count(preview.skusNotShown) })}</p>
            )}
          </>
        )}
      </PreviewPanel>
      <EditorActions
        working={flow.working}
        previewVersion={preview?.version ?? null}
        onPublish={() => void flow.publish()}
        onCancel={onCancel}
      />
    </form>
  );
}
