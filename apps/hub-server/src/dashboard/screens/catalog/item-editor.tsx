import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { CatalogItem, CatalogItemInput, CatalogOptions } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { ErrorBanner, Notice } from '../../components/feedback';
import { t } from '../../i18n/translate';

interface Fields {
  readonly sku: string;
  readonly productId: string;
  readonly name: string;
  readonly unit: 'each' | 'kg';
  readonly taxCategory: string;
  readonly categoryId: string;
  readonly barcodes: string;
  readonly active: boolean;
}

function fieldsOf(item: CatalogItem | null): Fields {
  if (item === null) {
    return {
      sku: '',
      productId: '',
      name: '',
      unit: 'each',
      taxCategory: '',
      categoryId: '',
      barcodes: '',
      active: true,
    };
  }
  return {
    sku: item.sku.sku,
    productId: item.sku.productId,
    name: item.sku.name,
    unit: item.sku.unit,
    taxCategory: item.sku.taxCategory,
    categoryId: item.categoryId ?? '',
    barcodes: item.sku.barcodes.join(' '),
    active: item.sku.active,
  };
}

/**
 * Creates an item or changes one at the version it was opened at. When the hub answers CONFLICT (someone
 * changed the item meanwhile) the operator reloads it: their edits are dropped for the current values,
 * never merged behind their back.
 */
export function ItemEditor(props: {
  item: CatalogItem | null;
  options: CatalogOptions;
  onSaved: (item: CatalogItem) => void;
  onCancel: () => void;
}) {
  const { api } = useServices();
  const [base, setBase] = useState<CatalogItem | null>(props.item);
  const [fields, setFields] = useState<Fields>(fieldsOf(props.item));
  const [error, setError] = useState<ErrorBody | null>(null);
  const [stale, setStale] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const id = useId();
  const taxListId = `${id}-tax`;
  const creating = props.item === null;
  const title =
    base === null
      ? t('catalog.newTitle')
      : t('catalog.editTitle', { sku: base.sku.sku, version: base.version });
  const set = <K extends keyof Fields>(name: K, value: Fields[K]) => setFields({ ...fields, [name]: value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const sku = fields.sku.trim();
    const productId = (fields.productId.trim() === '' && creating ? sku : fields.productId).trim();
    if (sku === '' || productId === '' || fields.name.trim() === '' || fields.taxCategory.trim() === '') {
      setError({ code: 'INVALID_INPUT', message: t('catalog.missing') });
      return;
    }
    const input: CatalogItemInput = {
      expectedVersion: base?.version ?? null,
      productId,
      name: fields.name.trim(),
      unit: fields.unit,
      taxCategory: fields.taxCategory.trim(),
      categoryId: fields.categoryId === '' ? null : fields.categoryId,
      barcodes: fields.barcodes.split(/[\s,;|]+/).filter((code) => code !== ''),
      active: fields.active,
    };
    setSaving(true);
    const result = await api.saveCatalogItem(sku, input);
    setSaving(false);
    if (!result.ok) {
      setError(result.error);
      setStale(result.error.code === 'CONFLICT' && base !== null);
      return;
    }
    props.onSaved(result.value);
  };

  const reload = async () => {
    if (base === null) return;
    const result = await api.catalogItem(base.sku.sku);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setBase(result.value);
    setFields(fieldsOf(result.value));
    setError(null);
    setStale(false);
    setNotice(t('catalog.reloaded', { sku: result.value.sku.sku, version: result.value.version }));
  };

  return (
    <form className="panel stack" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h2>{title}</h2>
      <Notice text={notice} />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {stale ? (
        <div className="banner banner-warning" role="alert">
          <span>{t('catalog.stale')}</span>{' '}
          <button type="button" className="btn" onClick={() => void reload()}>
            {t('catalog.reload')}
          </button>
        </div>
      ) : null}
      <label>
        {t('catalog.sku')}{' '}
        <input value={fields.sku} readOnly={!creating} onChange={(event) => set('sku', event.target.value)} />
      </label>
      <label>
        {t('catalog.productId')}{' '}
        <input
          value={fields.productId}
          placeholder={creating ? fields.sku : undefined}
          onChange={(event) => set('productId', event.target.value)}
        />
      </label>
      <label>
        {t('catalog.name')}{' '}
        <input value={fields.name} onChange={(event) => set('name', event.target.value)} />
      </label>
      <label>
        {t('catalog.unit')}{' '}
        <select value={fields.unit} onChange={(event) => set('unit', event.target.value as Fields['unit'])}>
          <option value="each">{t('catalog.unit.each')}</option>
          <option value="kg">{t('catalog.unit.kg')}</option>
        </select>
      </label>
      <label>
        {t('catalog.taxCategory')}{' '}
        <input
          value={fields.taxCategory}
          list={taxListId}
          onChange={(event) => set('taxCategory', event.target.value)}
        />
        <datalist id={taxListId}>
          {props.options.taxCategories.map((taxCategory) => (
            <option key={taxCategory} value={taxCategory} />
          ))}
        </datalist>
      </label>
      <label>
        {t('catalog.category')}{' '}
        <select value={fields.categoryId} onChange={(event) => set('categoryId', event.target.value)}>
          <option value="">{t('catalog.noCategory')}</option>
          {props.options.categories.map((category) => (
            <option key={category.categoryId} value={category.categoryId}>
              {category.path.join(' › ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('catalog.barcodes')}{' '}
        <input
          value={fields.barcodes}
          aria-describedby={`${id}-barcodes`}
          onChange={(event) => set('barcodes', event.target.value)}
        />
      </label>
      <p id={`${id}-barcodes`} className="muted">
        {t('catalog.barcodesHint')}
      </p>
      <label>
        <input
          type="checkbox"
          checked={fields.active}
          onChange={(event) => set('active', event.target.checked)}
        />{' '}
        {t('catalog.active')}
      </label>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={saving || stale}>
          {saving ? t('catalog.saving') : t('catalog.save')}
        </button>
        <button type="button" className="btn" onClick={props.onCancel}>
          {t('catalog.cancel')}
        </button>
      </div>
    </form>
  );
}
