import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { IntegrationSubscription } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useSubmit } from '../../app/use-submit';
import { ErrorBanner } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { EditError } from '../inventory/stock-edit-forms';

function parseTypes(text: string): string[] {
  return text
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type !== '');
}

function validUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

interface EndpointFields {
  readonly name: string;
  readonly url: string;
  readonly types: string;
  readonly enabled: boolean;
}

function checkFields(fields: EndpointFields): ErrorBody | null {
  if (fields.name.trim() === '') return { code: 'INVALID_INPUT', message: t('webhooks.nameEmpty') };
  if (!validUrl(fields.url.trim())) return { code: 'INVALID_INPUT', message: t('webhooks.urlInvalid') };
  return null;
}

function Fields({
  fields,
  onChange,
  withEnabled,
}: {
  fields: EndpointFields;
  onChange: (fields: EndpointFields) => void;
  withEnabled: boolean;
}) {
  const ids = { name: useId(), url: useId(), types: useId() };
  return (
    <>
      <label htmlFor={ids.name}>{t('webhooks.name')}</label>
      <input
        id={ids.name}
        value={fields.name}
        maxLength={100}
        onChange={(event) => onChange({ ...fields, name: event.target.value })}
      />
      <label htmlFor={ids.url}>{t('webhooks.url')}</label>
      <input
        id={ids.url}
        inputMode="url"
        value={fields.url}
        maxLength={2000}
        onChange={(event) => onChange({ ...fields, url: event.target.value })}
      />
      <label htmlFor={ids.types}>{t('webhooks.types')}</label>
      <input
        id={ids.types}
        value={fields.types}
        placeholder="order.*, stock.adjusted"
        onChange={(event) => onChange({ ...fields, types: event.target.value })}
      />
      {withEnabled ? (
        <label className="check">
          <input
            type="checkbox"
            checked={fields.enabled}
            onChange={(event) => onChange({ ...fields, enabled: event.target.checked })}
          />
          {t('webhooks.enabled')}
        </label>
      ) : null}
    </>
  );
}

/** A new endpoint (admins); its signing secret comes back this once. */
export function NewWebhookForm({ onCreated }: { onCreated: (name: string, secret: string) => void }) {
  const { api } = useServices();
  const empty: EndpointFields = { name: '', url: '', types: '', enabled: true };
  const [fields, setFields] = useState(empty);
  const { working, error, setError, send } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = checkFields(fields);
    if (invalid !== null) {
      setError(invalid);
      return;
    }
    const created = await send(() =>
      api.createSubscription({
        name: fields.name.trim(),
        url: fields.url.trim(),
        types: parseTypes(fields.types),
      }),
    );
    if (created === null) return;
    setError(null);
    setFields(empty);
    onCreated(created.subscription.name, created.secret);
  };

  return (
    <form className="panel" aria-label={t('webhooks.new')} onSubmit={(event) => void submit(event)}>
      <h3>{t('webhooks.new')}</h3>
      <Fields fields={fields} onChange={setFields} withEnabled={false} />
      <ErrorBanner error={error} />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('webhooks.create')}
      </button>
    </form>
  );
}

/** Edits an endpoint on the version the list showed; a stale one is refused (409) and offers a reload. */
export function EditWebhookForm({
  subscription,
  onSaved,
  onCancel,
  onReload,
}: {
  subscription: IntegrationSubscription;
  onSaved: (name: string) => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const { api } = useServices();
  const [fields, setFields] = useState<EndpointFields>({
    name: subscription.name,
    url: subscription.url,
    types: subscription.types.join(', '),
    enabled: subscription.status === 'active',
  });
  const { working, error, setError, send } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const invalid = checkFields(fields);
    if (invalid !== null) {
      setError(invalid);
      return;
    }
    const saved = await send(() =>
      api.updateSubscription(
        subscription.subscriptionId,
        {
          name: fields.name.trim(),
          url: fields.url.trim(),
          types: parseTypes(fields.types),
          status: fields.enabled ? 'active' : 'paused',
        },
        subscription.version,
      ),
    );
    if (saved !== null) onSaved(saved.name);
  };

  const title = t('webhooks.editTitle', { name: subscription.name });
  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <Fields fields={fields} onChange={setFields} withEnabled={true} />
      <EditError error={error} onReload={onReload} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={working}>
          {t('webhooks.save')}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('webhooks.cancel')}
        </button>
      </div>
    </form>
  );
}
