import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { AlertDelivery, AlertRule, AlertRuleInput, StoreNode } from '../../api/api-types';
import { useCanAct, useIsAdmin, useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { kindLabel, nodeLabel } from '../../format/labels';
import { t, type MessageKey } from '../../i18n/translate';
import { KNOWN_KINDS } from '../exceptions/exceptions-screen';

const SEVERITIES = ['info', 'warning', 'critical'] as const;
type Severity = (typeof SEVERITIES)[number];
const severityLabel = (severity: Severity) => t(`exceptions.severity.${severity}` as MessageKey);

/**
 * Alert rules (which exception kinds go to which webhook or e-mail addresses) and the alerts that could
 * not be delivered. Admins add, change (at the version they see) and delete rules; operators send a
 * failed alert again.
 */
export function AlertsScreen() {
  const { api } = useServices();
  const isAdmin = useIsAdmin();
  const canAct = useCanAct();
  const rules = useLoad(() => api.alertRules(), [api]);
  const failed = useLoad(() => api.alertDeliveries('failed'), [api]);
  const nodes = useLoad(() => api.nodes(), [api]);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const nodeList = nodes.state.status === 'ready' ? nodes.state.value : [];
  const done = (message: string) => {
    setNotice(message);
    setError(null);
    setEditing(null);
    rules.reload();
  };
  const remove = async (rule: AlertRule) => {
    const result = await api.deleteAlertRule(rule.ruleId, rule.version);
    if (!result.ok) {
      setError(result.error);
      rules.reload();
      return;
    }
    done(t('alerts.deleted', { name: rule.name }));
  };
  const retry = async (delivery: AlertDelivery) => {
    const result = await api.retryAlertDelivery(delivery.deliveryId);
    if (!result.ok) setError(result.error);
    else setNotice(t('alerts.retried'));
    failed.reload();
    rules.reload();
  };
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">{t('alerts.title')}</h1>
      <p className="muted">{t('alerts.intro')}</p>
      <Notice text={notice} />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <h2>{t('alerts.rules')}</h2>
      <Loaded state={rules.state}>
        {(list) => (
          <>
            <RuleTable
              rules={list}
              nodes={nodeList}
              canEdit={isAdmin}
              onEdit={setEditing}
              onDelete={(rule) => void remove(rule)}
            />
            {(() => {
              const chosen = list.find((rule) => rule.ruleId === editing);
              return chosen === undefined ? null : (
                <RuleForm
                  key={`${chosen.ruleId}@${chosen.version}`}
                  rule={chosen}
                  nodes={nodeList}
                  onDone={done}
                  onCancel={() => setEditing(null)}
                />
              );
            })()}
          </>
        )}
      </Loaded>
      {isAdmin ? <RuleForm nodes={nodeList} onDone={done} /> : null}
      <h2>{t('alerts.failedTitle')}</h2>
      <Loaded state={failed.state}>
        {(list) => <FailedTable deliveries={list} canRetry={canAct} onRetry={(each) => void retry(each)} />}
      </Loaded>
    </section>
  );
}

function RuleTable(props: {
  rules: readonly AlertRule[];
  nodes: readonly StoreNode[];
  canEdit: boolean;
  onEdit: (ruleId: string) => void;
  onDelete: (rule: AlertRule) => void;
}) {
  if (props.rules.length === 0) return <p>{t('alerts.noRules')}</p>;
  return (
    <table aria-label={t('alerts.rules')}>
      <thead>
        <tr>
          <th scope="col">{t('alerts.name')}</th>
          <th scope="col">{t('alerts.kind')}</th>
          <th scope="col">{t('alerts.minSeverity')}</th>
          <th scope="col">{t('alerts.store')}</th>
          <th scope="col">{t('alerts.target')}</th>
          <th scope="col">{t('alerts.enabled')}</th>
          <th scope="col">{t('alerts.failed')}</th>
          {props.canEdit ? <th scope="col" /> : null}
        </tr>
      </thead>
      <tbody>
        {props.rules.map((rule) => (
          <tr key={rule.ruleId}>
            <th scope="row">{rule.name}</th>
            <td>{kindLabel(rule.exceptionType)}</td>
            <td>{rule.minSeverity === null ? t('alerts.anySeverity') : severityLabel(rule.minSeverity)}</td>
            <td>{rule.nodeId === null ? t('alerts.anyStore') : nodeLabel(props.nodes, rule.nodeId)}</td>
            <td>
              {t(`alerts.channel.${rule.channel}` as MessageKey)}: {rule.url ?? rule.emails?.join(', ')}
            </td>
            <td>{rule.enabled ? t('common.yes') : t('common.no')}</td>
            <td>{rule.failedDeliveries}</td>
            {props.canEdit ? (
              <td>
                <button
                  type="button"
                  className="btn"
                  onClick={() => props.onEdit(rule.ruleId)}
                  aria-label={t('alerts.edit', { name: rule.name })}
                >
                  {t('alerts.editButton')}
                </button>{' '}
                <button
                  type="button"
                  className="btn"
                  onClick={() => props.onDelete(rule)}
                  aria-label={t('alerts.delete', { name: rule.name })}
                >
                  {t('alerts.deleteButton')}
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Adds a rule, or (given one) changes it at the version shown. */
function RuleForm(props: {
  rule?: AlertRule;
  nodes: readonly StoreNode[];
  onDone: (message: string) => void;
  onCancel?: () => void;
}) {
  const { api } = useServices();
  const { rule } = props;
  const [name, setName] = useState(rule?.name ?? '');
  const [kind, setKind] = useState(rule?.exceptionType ?? 'OVERSELL');
  const [minSeverity, setMinSeverity] = useState<string>(rule?.minSeverity ?? '');
  const [nodeId, setNodeId] = useState(rule?.nodeId ?? '');
  const [channel, setChannel] = useState<'email' | 'webhook'>(rule?.channel ?? 'email');
  const [emails, setEmails] = useState(rule?.emails?.join(', ') ?? '');
  const [url, setUrl] = useState(rule?.url ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const common = {
      name: name.trim(),
      exceptionType: kind as AlertRuleInput['exceptionType'],
      minSeverity: minSeverity === '' ? null : (minSeverity as Severity),
      nodeId: nodeId === '' ? null : nodeId,
      enabled,
    };
    const input: AlertRuleInput =
      channel === 'email'
        ? {
            ...common,
            channel,
            emails: emails
              .split(/[,;\s]+/)
              .map((each) => each.trim())
              .filter((each) => each !== ''),
          }
        : { ...common, channel, url: url.trim() };
    const result =
      rule === undefined
        ? await api.createAlertRule(input)
        : await api.updateAlertRule(rule.ruleId, { ...input, version: rule.version });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const { secret } = result.value;
    props.onDone(
      rule !== undefined
        ? t('alerts.saved', { name: result.value.rule.name })
        : secret === null
          ? t('alerts.created', { name: result.value.rule.name })
          : t('alerts.createdWithSecret', { name: result.value.rule.name, secret }),
    );
    if (rule === undefined) {
      setName('');
      setEmails('');
      setUrl('');
    }
  };
  const title = rule === undefined ? t('alerts.add') : t('alerts.editTitle', { name: rule.name });
  return (
    <form className="card form" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <label htmlFor={`${id}-name`}>{t('alerts.name')}</label>
      <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} required />
      <label htmlFor={`${id}-kind`}>{t('alerts.kind')}</label>
      <select id={`${id}-kind`} value={kind} onChange={(event) => setKind(event.target.value)}>
        {KNOWN_KINDS.map((type) => (
          <option key={type} value={type}>
            {kindLabel(type)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-severity`}>{t('alerts.minSeverity')}</label>
      <select
        id={`${id}-severity`}
        value={minSeverity}
        onChange={(event) => setMinSeverity(event.target.value)}
      >
        <option value="">{t('alerts.anySeverity')}</option>
        {SEVERITIES.map((severity) => (
          <option key={severity} value={severity}>
            {severityLabel(severity)}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-store`}>{t('alerts.store')}</label>
      <select id={`${id}-store`} value={nodeId} onChange={(event) => setNodeId(event.target.value)}>
        <option value="">{t('alerts.anyStore')}</option>
        {props.nodes.map((node) => (
          <option key={node.nodeId} value={node.nodeId}>
            {node.code} · {node.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-channel`}>{t('alerts.channel')}</label>
      <select
        id={`${id}-channel`}
        value={channel}
        onChange={(event) => setChannel(event.target.value === 'webhook' ? 'webhook' : 'email')}
      >
        <option value="email">{t('alerts.channel.email')}</option>
        <option value="webhook">{t('alerts.channel.webhook')}</option>
      </select>
      {channel === 'email' ? (
        <>
          <label htmlFor={`${id}-emails`}>{t('alerts.emails')}</label>
          <input
            id={`${id}-emails`}
            value={emails}
            onChange={(event) => setEmails(event.target.value)}
            required
          />
        </>
      ) : (
        <>
          <label htmlFor={`${id}-url`}>{t('alerts.url')}</label>
          <input
            id={`${id}-url`}
            type="url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            required
          />
        </>
      )}
      <label>
        <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />{' '}
        {t('alerts.enabled')}
      </label>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {rule === undefined ? t('alerts.create') : t('alerts.save')}
        </button>
        {props.onCancel === undefined ? null : (
          <button type="button" className="btn" onClick={props.onCancel}>
            {t('alerts.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

function FailedTable(props: {
  deliveries: readonly AlertDelivery[];
  canRetry: boolean;
  onRetry: (delivery: AlertDelivery) => void;
}) {
  const { format } = useServices();
  if (props.deliveries.length === 0) return <p>{t('alerts.noFailed')}</p>;
  return (
    <table aria-label={t('alerts.failedTitle')}>
      <thead>
        <tr>
          <th scope="col">{t('alerts.name')}</th>
          <th scope="col">{t('alerts.exception')}</th>
          <th scope="col">{t('alerts.target')}</th>
          <th scope="col">{t('alerts.attempts')}</th>
          <th scope="col">{t('alerts.lastError')}</th>
          <th scope="col">{t('storedValue.when')}</th>
          {props.canRetry ? <th scope="col" /> : null}
        </tr>
      </thead>
      <tbody>
        {props.deliveries.map((delivery) => (
          <tr key={delivery.deliveryId}>
            <th scope="row">{delivery.ruleName}</th>
            <td>
              {kindLabel(delivery.exceptionType)} · {delivery.exceptionId}
            </td>
            <td>{delivery.target}</td>
            <td>{delivery.attempts}</td>
            <td>{delivery.lastError ?? '—'}</td>
            <td>{format.dateTime(delivery.createdAt)}</td>
            {props.canRetry ? (
              <td>
                <button type="button" className="btn" onClick={() => props.onRetry(delivery)}>
                  {t('alerts.retry')}
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
