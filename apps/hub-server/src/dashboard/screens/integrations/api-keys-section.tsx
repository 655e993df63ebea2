import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { ApiKey, ApiKeyScope } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { useSubmit } from '../../app/use-submit';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { SecretOnce } from './secret-once';

/** Every scope the hub grants (auth/api-keys.ts); the record type makes a new hub scope a compile error here. */
const SCOPE_SET: Record<ApiKeyScope, true> = {
  'inventory:read': true,
  'reservations:write': true,
  'orders:write': true,
  'catalog:read': true,
  'integration:read': true,
  'purchasing:write': true,
  'fulfilment:write': true,
};
export const API_KEY_SCOPES = Object.keys(SCOPE_SET) as ApiKeyScope[];

/** API keys for integrations (admins): created with scopes, the key shown once, revoked at once. */
export function ApiKeysSection() {
  const { api } = useServices();
  const keys = useLoad(() => api.apiKeys(), [api]);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <h2>{t('apiKeys.title')}</h2>
      <Notice text={notice} />
      {secret === null ? null : (
        <SecretOnce
          title={t('apiKeys.secretTitle')}
          secret={secret}
          explanation={t('apiKeys.secretOnce')}
          onDismiss={() => setSecret(null)}
        />
      )}
      <NewKeyForm
        onCreated={(key) => {
          setNotice(null);
          setSecret(key);
          keys.reload();
        }}
      />
      <Loaded state={keys.state}>
        {(list) => (
          <KeyTable
            keys={list}
            onRevoked={(name) => {
              setNotice(t('apiKeys.revokedNotice', { name }));
              keys.reload();
            }}
            onChanged={(changed) => {
              setNotice(
                t('apiKeys.changedNotice', { name: changed.name, scopes: changed.scopes.join(', ') }),
              );
              keys.reload();
            }}
          />
        )}
      </Loaded>
    </>
  );
}

/** What a key form must hold before it asks the hub: a name and at least one scope. */
function keyFormRefusal(name: string, scopes: readonly ApiKeyScope[]): ErrorBody | null {
  if (name.trim() === '') return { code: 'INVALID_INPUT', message: t('apiKeys.nameEmpty') };
  if (scopes.length === 0) return { code: 'INVALID_INPUT', message: t('apiKeys.scopesEmpty') };
  return null;
}

/** A key's name and scopes, as the new-key and change-key forms both ask for them. */
function KeyFields({
  name,
  scopes,
  onName,
  onScopes,
}: {
  name: string;
  scopes: readonly ApiKeyScope[];
  onName: (name: string) => void;
  onScopes: (scopes: ApiKeyScope[]) => void;
}) {
  const nameId = useId();
  return (
    <>
      <label htmlFor={nameId}>{t('apiKeys.name')}</label>
      <input id={nameId} value={name} maxLength={100} onChange={(event) => onName(event.target.value)} />
      <ScopePicker scopes={scopes} onChange={onScopes} />
    </>
  );
}

function NewKeyForm({ onCreated }: { onCreated: (key: string) => void }) {
  const { api } = useServices();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>([]);
  const { working, error, setError, send } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const refusal = keyFormRefusal(name, scopes);
    if (refusal !== null) {
      setError(refusal);
      return;
    }
    const created = await send(() => api.createApiKey(name.trim(), scopes));
    if (created === null) return;
    setError(null);
    setName('');
    setScopes([]);
    onCreated(created.key);
  };

  return (
    <form className="panel" aria-label={t('apiKeys.new')} onSubmit={(event) => void submit(event)}>
      <h3>{t('apiKeys.new')}</h3>
      <KeyFields name={name} scopes={scopes} onName={setName} onScopes={setScopes} />
      <ErrorBanner error={error} />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('apiKeys.create')}
      </button>
    </form>
  );
}

/** The scopes a key may have, ticked (in the hub's order, whatever order they were ticked in). */
function ScopePicker({
  scopes,
  onChange,
}: {
  scopes: readonly ApiKeyScope[];
  onChange: (next: ApiKeyScope[]) => void;
}) {
  return (
    <fieldset>
      <legend>{t('apiKeys.scopes')}</legend>
      {API_KEY_SCOPES.map((scope) => (
        <label key={scope} className="check">
          <input
            type="checkbox"
            checked={scopes.includes(scope)}
            onChange={(event) =>
              onChange(
                event.target.checked ? [...scopes, scope] : scopes.filter((chosen) => chosen !== scope),
              )
            }
          />
          {scope}
        </label>
      ))}
    </fieldset>
  );
}

/** Renames a key or changes its scopes; the integration keeps its key. */
function EditKeyForm({
  apiKey,
  onDone,
  onCancel,
}: {
  apiKey: ApiKey;
  onDone: (changed: ApiKey) => void;
  onCancel: () => void;
}) {
  const { api } = useServices();
  const [name, setName] = useState(apiKey.name);
  const [scopes, setScopes] = useState<ApiKeyScope[]>([...apiKey.scopes]);
  const { working, error, setError, send } = useSubmit();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const refusal = keyFormRefusal(name, scopes);
    if (refusal !== null) {
      setError(refusal);
      return;
    }
    const ordered = API_KEY_SCOPES.filter((scope) => scopes.includes(scope));
    const changed = await send(() => api.updateApiKey(apiKey.keyId, { name: name.trim(), scopes: ordered }));
    if (changed !== null) onDone(changed);
  };
  const title = t('apiKeys.editTitle', { name: apiKey.name });
  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <p className="muted">{t('apiKeys.editHelp')}</p>
      <KeyFields name={name} scopes={scopes} onName={setName} onScopes={setScopes} />
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={working}>
          {t('apiKeys.save')}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('apiKeys.cancel')}
        </button>
      </div>
    </form>
  );
}

function KeyTable({
  keys,
  onRevoked,
  onChanged,
}: {
  keys: readonly ApiKey[];
  onRevoked: (name: string) => void;
  onChanged: (changed: ApiKey) => void;
}) {
  const { api, format } = useServices();
  const [error, setError] = useState<ErrorBody | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  if (keys.length === 0) return <p>{t('apiKeys.none')}</p>;
  const chosen = keys.find((key) => key.keyId === editing && !key.revoked);
  const revoke = async (key: ApiKey) => {
    const result = await api.revokeApiKey(key.keyId);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    onRevoked(key.name);
  };
  return (
    <>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <table aria-label={t('apiKeys.title')}>
        <thead>
          <tr>
            <th scope="col">{t('apiKeys.name')}</th>
            <th scope="col">{t('apiKeys.scopes')}</th>
            <th scope="col">{t('apiKeys.created')}</th>
            <th scope="col">{t('apiKeys.lastUsed')}</th>
            <th scope="col">{t('apiKeys.state')}</th>
            <th scope="col">
              <span className="sr-only">{t('integrations.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.keyId}>
              <th scope="row">{key.name}</th>
              <td>{key.scopes.join(', ')}</td>
              <td>{format.dateTime(key.createdAt)}</td>
              <td>{key.lastUsedAt === null ? t('common.never') : format.dateTime(key.lastUsedAt)}</td>
              <td>{key.revoked ? t('apiKeys.revoked') : t('apiKeys.active')}</td>
              <td>
                {key.revoked ? null : (
                  <>
                    <button type="button" className="btn" onClick={() => setEditing(key.keyId)}>
                      {t('apiKeys.edit', { name: key.name })}
                    </button>
                    <button type="button" className="btn btn-danger" onClick={() => void revoke(key)}>
                      {t('apiKeys.revoke', { name: key.name })}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {chosen === undefined ? null : (
        <EditKeyForm
          key={chosen.keyId}
          apiKey={chosen}
          onDone={(changed) => {
            setEditing(null);
            onChanged(changed);
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </>
  );
}
