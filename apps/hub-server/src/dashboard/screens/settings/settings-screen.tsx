import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { EffectiveSettings, Setting, SettingScope, StoreNode } from '../../api/api-types';
import { useIsAdmin, useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { t } from '../../i18n/translate';

type ScopeChoice = 'chain' | `region:${string}` | `store:${string}`;

function scopeOfChoice(choice: ScopeChoice): SettingScope {
  if (choice.startsWith('region:')) return { kind: 'region', regionId: choice.slice('region:'.length) };
  if (choice.startsWith('store:')) return { kind: 'store', storeId: choice.slice('store:'.length) };
  return { kind: 'chain' };
}

function sameScope(a: SettingScope, b: SettingScope): boolean {
  if (a.kind === 'chain' || b.kind === 'chain') return a.kind === b.kind;
  if (a.kind === 'region') return b.kind === 'region' && a.regionId === b.regionId;
  return b.kind === 'store' && a.storeId === b.storeId;
}

function scopeLabel(scope: SettingScope, stores: readonly StoreNode[]): string {
  if (scope.kind === 'chain') return t('settings.scope.chain');
  if (scope.kind === 'region') return t('settings.scope.region', { region: scope.regionId });
  const store = stores.find((each) => each.nodeId === scope.storeId);
  return t('settings.scope.store', { code: store?.code ?? scope.storeId, name: store?.name ?? '' }).trim();
}

const shown = (value: unknown) => JSON.stringify(value);

/**
 * Store settings HQ sets per chain, region or store. The operator picks a scope and sees, for every key,
 * the value set there and its version; for a store also the value in force and where it comes from, and
 * the settings version the store runs. Admins edit a value at the version on screen, so a change someone
 * else made meanwhile is refused with the hub's sentence instead of being overwritten.
 */
export function SettingsScreen() {
  const { api } = useServices();
  const isAdmin = useIsAdmin();
  const nodes = useLoad(() => api.nodes(), [api]);
  const settings = useLoad(() => api.settings(), [api]);
  const [choice, setChoice] = useState<ScopeChoice>('chain');
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const scope = scopeOfChoice(choice);
  const storeId = scope.kind === 'store' ? scope.storeId : null;
  const effective = useLoad(
    () =>
      storeId === null ? Promise.resolve({ ok: true as const, value: null }) : api.storeSettings(storeId),
    [api, storeId],
  );
  const stores =
    nodes.state.status === 'ready' ? nodes.state.value.filter((node) => node.kind === 'store') : [];
  const regions = [...new Set(stores.map((store) => store.region))].sort();
  const scopeId = useId();
  const done = (message: string) => {
    setNotice(message);
    setEditing(null);
    settings.reload();
    effective.reload();
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <p className="muted">{t('settings.intro')}</p>
      <Notice text={notice} />
      <label htmlFor={scopeId}>{t('settings.scope')}</label>
      <select
        id={scopeId}
        value={choice}
        onChange={(event) => {
          setChoice(event.target.value as ScopeChoice);
          setEditing(null);
        }}
      >
        <option value="chain">{t('settings.scope.chain')}</option>
        {regions.map((region) => (
          <option key={region} value={`region:${region}`}>
            {t('settings.scope.region', { region })}
          </option>
        ))}
        {stores.map((store) => (
          <option key={store.nodeId} value={`store:${store.nodeId}`}>
            {t('settings.scope.store', { code: store.code, name: store.name })}
          </option>
        ))}
      </select>
      <Loaded state={settings.state}>
        {(list) => {
          const here = list.settings.filter((setting) => sameScope(setting.scope, scope));
          const inForce = effective.state.status === 'ready' ? effective.state.value : null;
          const chosen = editing === null ? undefined : here.find((setting) => setting.key === editing);
          return (
            <>
              {inForce !== null && storeId !== null ? (
                <p role="status">
                  {t('settings.storeVersion', {
                    code: stores.find((store) => store.nodeId === storeId)?.code ?? storeId,
                    version: inForce.version,
                  })}
                </p>
              ) : null}
              <SettingsTable
                keys={list.keys}
                here={here}
                inForce={inForce}
                stores={stores}
                caption={t('settings.list', { scope: scopeLabel(scope, stores) })}
                canEdit={isAdmin}
                onEdit={setEditing}
              />
              {editing === null ? null : (
                <EditSettingForm
                  key={`${editing}@${choice}@${chosen?.version ?? 0}`}
                  settingKey={editing}
                  scope={scope}
                  scopeName={scopeLabel(scope, stores)}
                  current={chosen}
                  onDone={done}
                  onCancel={() => setEditing(null)}
                />
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function SettingsTable({
  keys,
  here,
  inForce,
  stores,
  caption,
  canEdit,
  onEdit,
}: {
  keys: readonly string[];
  here: readonly Setting[];
  inForce: EffectiveSettings | null;
  stores: readonly StoreNode[];
  caption: string;
  canEdit: boolean;
  onEdit: (key: string) => void;
}) {
  return (
    <table aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">{t('settings.key')}</th>
          <th scope="col">{t('settings.here')}</th>
          <th scope="col">{t('settings.version')}</th>
          {inForce !== null ? (
            <>
              <th scope="col">{t('settings.effective')}</th>
              <th scope="col">{t('settings.source')}</th>
            </>
          ) : null}
          {canEdit ? (
            <th scope="col">
              <span className="sr-only">{t('order.actions')}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const setting = here.find((each) => each.key === key);
          const effective = inForce?.settings.find((each) => each.key === key);
          return (
            <tr key={key}>
              <th scope="row">
                <code>{key}</code>
              </th>
              <td>
                {setting === undefined || setting.value === null ? (
                  <span className="muted">{t('settings.notSet')}</span>
                ) : (
                  <code>{shown(setting.value)}</code>
                )}
              </td>
              <td>{setting?.version ?? 0}</td>
              {inForce !== null ? (
                <>
                  <td>
                    {effective === undefined || effective.value === null ? (
                      <span className="muted">{t('settings.tillDefault')}</span>
                    ) : (
                      <code>{shown(effective.value)}</code>
                    )}
                  </td>
                  <td>
                    {effective?.source ? scopeLabel(effective.source, stores) : t('settings.tillDefault')}
                  </td>
                </>
              ) : null}
              {canEdit ? (
                <td>
                  <button type="button" className="btn" onClick={() => onEdit(key)}>
                    {t('settings.edit', { key })}
                  </button>
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function EditSettingForm({
  settingKey,
  scope,
  scopeName,
  current,
  onDone,
  onCancel,
}: {
  settingKey: string;
  scope: SettingScope;
  scopeName: string;
  current: Setting | undefined;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { api } = useServices();
  const version = current?.version ?? 0;
  const [text, setText] = useState(
    current === undefined || current.value === null ? '' : JSON.stringify(current.value, null, 2),
  );
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const valueId = useId();
  const title = t('settings.editTitle', { key: settingKey, scope: scopeName, version });

  // The version on screen goes with the change: someone else's change in between is refused, not lost.
  const send = async (value: Setting['value']) => {
    setWorking(true);
    const result = await api.putSetting(settingKey, { scope, value, expectedVersion: version });
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onDone(
      value === null
        ? t('settings.cleared', { key: settingKey })
        : t('settings.saved', { key: settingKey, version: result.value.version }),
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let value: Setting['value'];
    try {
      value = JSON.parse(text) as Setting['value'];
    } catch (cause) {
      setError({
        code: 'INVALID_INPUT',
        message: t('settings.badJson', { reason: cause instanceof Error ? cause.message : String(cause) }),
      });
      return;
    }
    void send(value);
  };

  return (
    <form className="panel" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      <label htmlFor={valueId}>{t('settings.value')}</label>
      <textarea
        id={valueId}
        rows={6}
        value={text}
        aria-describedby={`${valueId}-help`}
        onChange={(event) => setText(event.target.value)}
      />
      <p id={`${valueId}-help`} className="muted">
        {t('settings.valueHelp')}
      </p>
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={working}>
          {t('settings.save')}
        </button>
        {current !== undefined && current.value !== null ? (
          <button type="button" className="btn btn-danger" disabled={working} onClick={() => void send(null)}>
            {t('settings.clear')}
          </button>
        ) : null}
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('settings.cancel')}
        </button>
      </div>
    </form>
  );
}
