import { useState } from 'react';
import type { Promotion, PromotionInput, PromotionPreview, StoreNode } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { t } from '../../i18n/translate';
import { choiceOf, epochOf, localInput, priorityOf, scopeOf, type ScopeChoice } from './pricing-form';
import { EditorActions, PreviewPanel, usePreviewPublish } from './preview-publish';
import { ScheduleFields, ScopeField, SelectField, TextField } from './pricing-fields';
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
  const { api } = useServices();
  const [promotionId, setPromotionId] = useState(current?.promotionId ?? '');
  const [name, setName] = useState(current?.name ?? '');
  const [scope, setScope] = useState<ScopeChoice>(current === null ? 'chain' : choiceOf(current.scope));
  const [priority, setPriority] = useState(String(current?.priority ?? 0));
  const [stacking, setStacking] = useState<Promotion['stacking']>(current?.stacking ?? 'stackable');
  const [startsAt, setStartsAt] = useState(localInput(current?.startsAt));
  const [endsAt, setEndsAt] = useState(localInput(current?.endsAt));
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(current?.rule, current?.currency ?? 'EUR'));
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
    const rank = priorityOf(priority);
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
  const flow = usePreviewPublish({
    id: promotionId,
    needId: t('pricing.editor.needId'),
    body: input,
    preview: (id, body: PromotionInput) => api.previewPromotion(id, body),
    publish: (id, body) => api.savePromotion(id, body),
    onPublished: (saved) =>
      onDone(t('pricing.editor.published', { name: saved.name, version: saved.version })),
  });
  const { edit } = flow;
  const preview: PromotionPreview | null = flow.preview;
  const reload = () =>
    void flow.run(
      () => api.promotions(),
      (list) => {
        const fresh = list.find((each) => each.promotionId === current?.promotionId);
        if (fresh !== undefined) onReloaded(fresh);
      },
    );

  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void flow.askPreview(event)}>
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
          edit(setDraft)({ ...draft, kind: kind as RuleKind });
        }}
      >
        {RULE_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {t(`pricing.rule.${kind}`)}
          </option>
        ))}
      </SelectField>
      <RuleFields draft={draft} onChange={edit(setDraft)} />
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
      <ScheduleFields
        startsAt={startsAt}
        endsAt={endsAt}
        onStartsAt={edit(setStartsAt)}
        onEndsAt={edit(setEndsAt)}
      />
      <PreviewPanel
        error={flow.error}
        working={flow.working}
        onReload={current === null ? null : reload}
        answer={preview}
        isNew={t('pricing.editor.isNew')}
      >
        {preview === null ? null : (
          <ul aria-label={t('pricing.editor.items')}>
            {preview.everyItem ? <li>{t('pricing.editor.everyItem')}</li> : null}
            {preview.categories.map((category) => (
              <li key={`category:${category}`}>{t('pricing.editor.category', { id: category })}</li>
            ))}
            {preview.items.map((item) => (
              <li key={item.sku}>
                {item.name === null
                  ? t('pricing.editor.unknownItem', { sku: item.sku })
                  : t('pricing.editor.item', { sku: item.sku, name: item.name })}
              </li>
            ))}
          </ul>
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
