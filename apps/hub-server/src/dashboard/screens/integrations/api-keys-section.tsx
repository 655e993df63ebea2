import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { ApiKey, ApiKeyScope } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
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
          />
        )}
      </Loaded>
    </>
  );
}

function NewKeyForm({ onCreated }: { onCreated: (key: string) => void }) {
  const { api } = useServices();
  const nameId = useId();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>([]);
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setError({ code: 'INVALID_INPUT', message: t('apiKeys.nameEmpty') });
      return;
    }
    if (scopes.length === 0) {
      setError({ code: 'INVALID_INPUT', message: t('apiKeys.scopesEmpty') });
      return;
    }
    setWorking(true);
    const result = await api.createApiKey(name.trim(), scopes);
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setName('');
    setScopes([]);
    onCreated(result.value.key);
  };

  return (
    <form className="panel" aria-label={t('apiKeys.new')} onSubmit={(event) => void submit(event)}>
      <h3>{t('apiKeys.new')}</h3>
      <label htmlFor={nameId}>{t('apiKeys.name')}</label>
      <input id={nameId} value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
      <fieldset>
        <legend>{t('apiKeys.scopes')}</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label key={scope} className="check">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(event) =>
                setScopes(
                  event.target.checked ? [...scopes, scope] : scopes.filter((chosen) => chosen !== scope),
                )
              }
            />
            {scope}
          </label>
        ))}
      </fieldset>
      <ErrorBanner error={error} />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('apiKeys.create')}
      </button>
    </form>
  );
}

function KeyTable({ keys, onRevoked }: { keys: readonly ApiKey[]; onRevoked: (name: string) => void }) {
  const { api, format } = useServices();
  const [error, setError] = useState<ErrorBody | null>(null);
  if (keys.length === 0) return <p>{t('apiKeys.none')}</p>;
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
                  <button type="button" className="btn btn-danger" onClick={() => void revoke(key)}>
                    {t('apiKeys.revoke', { name: key.name })}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
