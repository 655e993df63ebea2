import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { Promotion, PromotionInput, PromotionPreview, StoreNode } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { ErrorBanner } from '../../components/feedback';
import { t } from '../../i18n/translate';

type ScopeChoice = 'chain' | `region:${string}` | `store:${string}`;

function choiceOf(scope: Promotion['scope']): ScopeChoice {
  if (scope.type === 'region') return `region:${scope.regionId}`;
  if (scope.type === 'store') return `store:${scope.storeId}`;
  return 'chain';
}

function scopeOf(choice: ScopeChoice): Promotion['scope'] {
  if (choice.startsWith('region:')) return { type: 'region', regionId: choice.slice('region:'.length) };
  if (choice.startsWith('store:')) return { type: 'store', storeId: choice.slice('store:'.length) };
  return { type: 'chain' };
}

/** `datetime-local` works in the browser's local time, as the operator reads it. */
function localInput(at: number | undefined): string {
  if (at === undefined) return '';
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function epochOf(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const at = new Date(text).getTime();
  return Number.isNaN(at) ? undefined : at;
}

const shown = (value: unknown) => (value === null ? t('pricing.editor.unset') : JSON.stringify(value));

/**
 * Creates a percent-off promotion or changes one: the operator fills the form, asks for a preview (the
 * hub says which fields change, which stores' tills get it and which lose it, and which items it names),
 * then publishes exactly what was previewed with the version it saw. A change someone made meanwhile is
 * refused by the hub (409) and its sentence is shown; nothing is overwritten.
 */
export function PromotionEditor({
  current,
  stores,
  onDone,
  onCancel,
}: {
  current: Promotion | null;
  stores: readonly StoreNode[];
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { api, format } = useServices();
  const rule = current?.rule.type === 'percent_off' ? current.rule : null;
  const [promotionId, setPromotionId] = useState(current?.promotionId ?? '');
  const [name, setName] = useState(current?.name ?? '');
  const [percent, setPercent] = useState(rule === null ? '' : String(rule.percent));
  const [skus, setSkus] = useState((rule?.target.skus ?? []).join(', '));
  const [scope, setScope] = useState<ScopeChoice>(current === null ? 'chain' : choiceOf(current.scope));
  const [startsAt, setStartsAt] = useState(localInput(current?.startsAt));
  const [endsAt, setEndsAt] = useState(localInput(current?.endsAt));
  const [preview, setPreview] = useState<{ input: PromotionInput; answer: PromotionPreview } | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const ids = {
    id: useId(),
    name: useId(),
    percent: useId(),
    skus: useId(),
    scope: useId(),
    from: useId(),
    to: useId(),
  };
  const regions = [...new Set(stores.map((store) => store.region))].sort();
  const title =
    current === null
      ? t('pricing.editor.newTitle')
      : t('pricing.editor.editTitle', { name: current.name, version: current.version });

  const input = (): PromotionInput => {
    const chosen = scopeOf(scope);
    const store = chosen.type === 'store' ? stores.find((each) => each.nodeId === chosen.storeId) : stores[0];
    const from = epochOf(startsAt);
    const to = epochOf(endsAt);
    return {
      promotion: {
        name: name.trim(),
        priority: current?.priority ?? 0,
        stacking: current?.stacking ?? 'stackable',
        scope: chosen,
        currency: current?.currency ?? store?.currency ?? 'EUR',
        ...(from === undefined ? {} : { startsAt: from }),
        ...(to === undefined ? {} : { endsAt: to }),
        ...(current?.maxApplications === undefined ? {} : { maxApplications: current.maxApplications }),
        rule: {
          type: 'percent_off',
          target: {
            skus: skus
              .split(/[\s,]+/)
              .map((sku) => sku.trim())
              .filter((sku) => sku !== ''),
          },
          percent: Number(percent),
        },
      },
      ...(current === null ? {} : { expectedVersion: current.version }),
    };
  };
  const changed = () => setPreview(null);

  const askPreview = async (event: FormEvent) => {
    event.preventDefault();
    const id = promotionId.trim();
    if (id === '') {
      setError({ code: 'INVALID_INPUT', message: t('pricing.editor.needId') });
      return;
    }
    const body = input();
    setWorking(true);
    const result = await api.previewPromotion(id, body);
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      setPreview(null);
      return;
    }
    setError(null);
    setPreview({ input: body, answer: result.value });
  };

  const publish = async () => {
    if (preview === null) return;
    setWorking(true);
    const result = await api.savePromotion(preview.answer.promotionId, preview.input);
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onDone(t('pricing.editor.published', { name: result.value.name, version: result.value.version }));
  };

  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void askPreview(event)}>
      <h2>{title}</h2>
      <label htmlFor={ids.id}>{t('pricing.editor.id')}</label>
      <input
        id={ids.id}
        value={promotionId}
        readOnly={current !== null}
        onChange={(event) => {
          setPromotionId(event.target.value);
          changed();
        }}
      />
      <label htmlFor={ids.name}>{t('pricing.editor.name')}</label>
      <input
        id={ids.name}
        value={name}
        onChange={(event) => {
          setName(event.target.value);
          changed();
        }}
      />
      <label htmlFor={ids.percent}>{t('pricing.editor.percent')}</label>
      <input
        id={ids.percent}
        inputMode="decimal"
        value={percent}
        onChange={(event) => {
          setPercent(event.target.value);
          changed();
        }}
      />
      <label htmlFor={ids.skus}>{t('pricing.editor.skus')}</label>
      <input
        id={ids.skus}
        value={skus}
        onChange={(event) => {
          setSkus(event.target.value);
          changed();
        }}
      />
      <label htmlFor={ids.scope}>{t('pricing.scope')}</label>
      <select
        id={ids.scope}
        value={scope}
        onChange={(event) => {
          setScope(event.target.value as ScopeChoice);
          changed();
        }}
      >
        <option value="chain">{t('pricing.scope.chain')}</option>
        {regions.map((region) => (
          <option key={region} value={`region:${region}`}>
            {t('pricing.scope.region', { id: region })}
          </option>
        ))}
        {stores.map((store) => (
          <option key={store.nodeId} value={`store:${store.nodeId}`}>
            {t('pricing.editor.store', { code: store.code, name: store.name })}
          </option>
        ))}
      </select>
      <label htmlFor={ids.from}>{t('pricing.editor.startsAt')}</label>
      <input
        id={ids.from}
        type="datetime-local"
        value={startsAt}
        onChange={(event) => {
          setStartsAt(event.target.value);
          changed();
        }}
      />
      <label htmlFor={ids.to}>{t('pricing.editor.endsAt')}</label>
      <input
        id={ids.to}
        type="datetime-local"
        value={endsAt}
        onChange={(event) => {
          setEndsAt(event.target.value);
          changed();
        }}
      />
      <ErrorBanner error={error} />
      {preview === null ? null : (
        <section aria-label={t('pricing.editor.previewTitle', { version: preview.answer.version })}>
          <h3>{t('pricing.editor.previewTitle', { version: preview.answer.version })}</h3>
          <p>
            {preview.answer.currentVersion === 0
              ? t('pricing.editor.isNew')
              : t('pricing.editor.replaces', { version: preview.answer.currentVersion })}
          </p>
          <ul aria-label={t('pricing.editor.changes')}>
            {preview.answer.changes.map((change) => (
              <li key={change.field}>
                {t('pricing.editor.change', {
                  field: change.field,
                  before: shown(change.before),
                  after: shown(change.after),
                })}
              </li>
            ))}
          </ul>
          <p>
            {t('pricing.editor.reaches', {
              count: format.count(preview.answer.stores.length),
              stores: preview.answer.stores.map((store) => `${store.code} ${store.name}`).join(', '),
            })}
          </p>
          {preview.answer.storesDropped.length === 0 ? null : (
            <p>
              {t('pricing.editor.drops', {
                stores: preview.answer.storesDropped.map((store) => `${store.code} ${store.name}`).join(', '),
              })}
            </p>
          )}
          <ul aria-label={t('pricing.editor.items')}>
            {preview.answer.everyItem ? <li>{t('pricing.editor.everyItem')}</li> : null}
            {preview.answer.items.map((item) => (
              <li key={item.sku}>
                {item.name === null
                  ? t('pricing.editor.unknownItem', { sku: item.sku })
                  : t('pricing.editor.item', { sku: item.sku, name: item.name })}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="actions">
        <button type="submit" className="btn" disabled={working}>
          {t('pricing.editor.preview')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={working || preview === null}
          onClick={() => void publish()}
        >
          {preview === null
            ? t('pricing.editor.publishAfterPreview')
            : t('pricing.editor.publish', { version: preview.answer.version })}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('pricing.editor.cancel')}
        </button>
      </div>
    </form>
  );
}
