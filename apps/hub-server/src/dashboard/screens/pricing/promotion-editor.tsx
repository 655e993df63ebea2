import type { ErrorBody } from '@retail/domain';
import { DomainError } from '@retail/domain';
import { useState, type FormEvent } from 'react';
import type { Promotion, PromotionInput, PromotionPreview, StoreNode } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { ErrorBanner } from '../../components/feedback';
import { t } from '../../i18n/translate';
import {
  choiceOf,
  epochOf,
  localInput,
  scopeOf,
  shownValue as shown,
  type ScopeChoice,
} from './pricing-form';
import { ScopeField, SelectField, TextField } from './pricing-fields';
import { draftOf, RULE_KINDS, ruleOf, type RuleDraft, type RuleKind } from './promotion-rule';

/**
 * Creates a promotion of any kind the tills apply (percent or amount off, multi-buy, buy X get Y, spend
 * threshold) or changes one: the operator fills the form, asks for a preview (the hub says which fields
 * change, which stores' tills get it and which lose it, and which items it names), then publishes exactly
 * what was previewed with the version it saw. A change someone made meanwhile is refused by the hub (409):
 * its sentence is shown with an offer to reload the promotion as it now is; nothing is overwritten.
 */
export function PromotionEditor({
  current,
  stores,
  onDone,
  onCancel,
  onReloaded,
}: {
  current: Promotion | null;
  stores: readonly StoreNode[];
  onDone: (message: string) => void;
  onCancel: () => void;
  /** The promotion as the hub now has it, after a refused stale change. */
  onReloaded: (fresh: Promotion) => void;
}) {
  const { api, format } = useServices();
  const [promotionId, setPromotionId] = useState(current?.promotionId ?? '');
  const [name, setName] = useState(current?.name ?? '');
  const [scope, setScope] = useState<ScopeChoice>(current === null ? 'chain' : choiceOf(current.scope));
  const [priority, setPriority] = useState(String(current?.priority ?? 0));
  const [stacking, setStacking] = useState<Promotion['stacking']>(current?.stacking ?? 'stackable');
  const [startsAt, setStartsAt] = useState(localInput(current?.startsAt));
  const [endsAt, setEndsAt] = useState(localInput(current?.endsAt));
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(current?.rule, current?.currency ?? 'EUR'));
  const [preview, setPreview] = useState<{ input: PromotionInput; answer: PromotionPreview } | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const title =
    current === null
      ? t('pricing.editor.newTitle')
      : t('pricing.editor.editTitle', { name: current.name, version: current.version });

  const currencyFor = (chosen: Promotion['scope']): string => {
    if (current !== null) return current.currency;
    const store = chosen.type === 'store' ? stores.find((each) => each.nodeId === chosen.storeId) : stores[0];
    return store?.currency ?? 'EUR';
  };

  /** Throws a DomainError naming the field whose text is not a number or an amount. */
  const input = (): PromotionInput => {
    const chosen = scopeOf(scope);
    const currency = currencyFor(chosen);
    const from = epochOf(startsAt);
    const to = epochOf(endsAt);
    const rank = Number(priority.trim());
    if (priority.trim() === '' || !Number.isSafeInteger(rank)) {
      throw new DomainError(
        'INVALID_INPUT',
        t('pricing.rule.invalid', { field: t('pricing.priority'), text: priority }),
      );
    }
    return {
      promotion: {
        name: name.trim(),
        priority: rank,
        stacking,
        scope: chosen,
        currency,
        ...(from === undefined ? {} : { startsAt: from }),
        ...(to === undefined ? {} : { endsAt: to }),
        ...(current?.maxApplications === undefined ? {} : { maxApplications: current.maxApplications }),
        rule: ruleOf(draft, currency),
      },
      ...(current === null ? {} : { expectedVersion: current.version }),
    };
  };
  const changed = () => setPreview(null);
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      changed();
    };
  const reload = async () => {
    if (current === null) return;
    setWorking(true);
    const result = await api.promotions();
    setWorking(false);
    const fresh = result.ok
      ? result.value.find((each) => each.promotionId === current.promotionId)
      : undefined;
    if (!result.ok) setError(result.error);
    else if (fresh !== undefined) onReloaded(fresh);
  };

  const askPreview = async (event: FormEvent) => {
    event.preventDefault();
    const id = promotionId.trim();
    if (id === '') {
      setError({ code: 'INVALID_INPUT', message: t('pricing.editor.needId') });
      return;
    }
    let body: PromotionInput;
    try {
      body = input();
    } catch (problem) {
      if (!(problem instanceof DomainError)) throw problem;
      setError(problem.toJSON());
      setPreview(null);
      return;
    }
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
      <TextField
        label={t('pricing.editor.id')}
        value={promotionId}
        readOnly={current !== null}
        onChange={edit(setPromotionId)}
      />
      <TextField label={t('pricing.editor.name')} value={name} onChange={edit(setName)} />
      <SelectField
        label={t('pricing.editor.kind')}
        value={draft.kind}
        onChange={(kind) => {
          setDraft({ ...draft, kind: kind as RuleKind });
          changed();
        }}
      >
        {RULE_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {t(`pricing.rule.${kind}`)}
          </option>
        ))}
      </SelectField>
      <RuleFields
        draft={draft}
        onChange={(next) => {
          setDraft(next);
          changed();
        }}
      />
      <ScopeField value={scope} stores={stores} onChange={edit(setScope)} />
      <TextField
        label={t('pricing.priority')}
        inputMode="numeric"
        value={priority}
        onChange={edit(setPriority)}
      />
      <SelectField
        label={t('pricing.stacking')}
        value={stacking}
        onChange={(value) => edit(setStacking)(value as Promotion['stacking'])}
      >
        <option value="stackable">{t('pricing.editor.stackable')}</option>
        <option value="exclusive">{t('pricing.editor.exclusive')}</option>
      </SelectField>
      <TextField
        label={t('pricing.editor.startsAt')}
        type="datetime-local"
        value={startsAt}
        onChange={edit(setStartsAt)}
      />
      <TextField
        label={t('pricing.editor.endsAt')}
        type="datetime-local"
        value={endsAt}
        onChange={edit(setEndsAt)}
      />
      <ErrorBanner error={error} />
      {error?.code === 'CONFLICT' && current !== null ? (
        <button type="button" className="btn" disabled={working} onClick={() => void reload()}>
          {t('pricing.editor.reload')}
        </button>
      ) : null}
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
            {preview.answer.categories.map((category) => (
              <li key={`category:${category}`}>{t('pricing.editor.category', { id: category })}</li>
            ))}
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

/** The fields of the chosen kind of rule; amounts are typed as decimals of the promotion's currency. */
function RuleFields({ draft, onChange }: { draft: RuleDraft; onChange: (draft: RuleDraft) => void }) {
  const field = (name: keyof RuleDraft, label: string, inputMode?: 'decimal' | 'numeric') => (
    <TextField
      label={label}
      value={draft[name]}
      {...(inputMode === undefined ? {} : { inputMode })}
      onChange={(value) => onChange({ ...draft, [name]: value })}
    />
  );
  const items = (skusLabel: string, categoriesLabel: string) => (
    <>
      {field('skus', skusLabel)}
      {field('categories', categoriesLabel)}
    </>
  );
  switch (draft.kind) {
    case 'percent_off':
      return (
        <>
          {field('percent', t('pricing.editor.percent'), 'decimal')}
          {items(t('pricing.editor.skus'), t('pricing.editor.categories'))}
        </>
      );
    case 'amount_off':
      return (
        <>
          {field('amount', t('pricing.editor.amount'), 'decimal')}
          {items(t('pricing.editor.skus'), t('pricing.editor.categories'))}
        </>
      );
    case 'multi_buy':
      return (
        <>
          {field('qty', t('pricing.editor.groupQty'), 'numeric')}
          {field('price', t('pricing.editor.groupPrice'), 'decimal')}
          {items(t('pricing.editor.skus'), t('pricing.editor.categories'))}
        </>
      );
    case 'buy_x_get_y':
      return (
        <>
          {field('qty', t('pricing.editor.buyQty'), 'numeric')}
          {items(t('pricing.editor.buySkus'), t('pricing.editor.buyCategories'))}
          {field('getQty', t('pricing.editor.getQty'), 'numeric')}
          {field('getSkus', t('pricing.editor.getSkus'))}
          {field('getCategories', t('pricing.editor.getCategories'))}
          {field('percent', t('pricing.editor.getPercent'), 'decimal')}
        </>
      );
    case 'spend_threshold':
      return (
        <>
          {field('threshold', t('pricing.editor.threshold'), 'decimal')}
          {items(t('pricing.editor.countedSkus'), t('pricing.editor.countedCategories'))}
          <SelectField
            label={t('pricing.editor.reward')}
            value={draft.rewardKind}
            onChange={(value) => onChange({ ...draft, rewardKind: value as RuleDraft['rewardKind'] })}
          >
            <option value="percent">{t('pricing.editor.rewardPercent')}</option>
            <option value="amount">{t('pricing.editor.rewardAmount')}</option>
          </SelectField>
          {draft.rewardKind === 'percent'
            ? field('percent', t('pricing.editor.percent'), 'decimal')
            : field('amount', t('pricing.editor.amountOffOrder'), 'decimal')}
        </>
      );
  }
}
