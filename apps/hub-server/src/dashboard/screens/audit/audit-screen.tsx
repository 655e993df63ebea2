import { useId, useState } from 'react';
import type { AuditEntry } from '../../api/api-types';
import type { AuditFilter } from '../../api/hub-api';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { Loaded } from '../../components/feedback';
import { t } from '../../i18n/translate';

/** Action kinds: a prefix of the action (`store.` every store entry) or one action. */
const KINDS = [
  { value: '', label: 'audit.kind.all' },
  { value: 'staff.', label: 'audit.kind.staff' },
  { value: 'settings.', label: 'audit.kind.setting' },
  { value: 'exception.', label: 'audit.kind.exception' },
  { value: 'session.', label: 'audit.kind.session' },
  { value: 'api-keys.', label: 'audit.kind.apiKeys' },
  { value: 'devices.', label: 'audit.kind.devices' },
  { value: 'nodes.', label: 'audit.kind.nodes' },
  { value: 'price-books.', label: 'audit.kind.prices' },
  { value: 'promotions.', label: 'audit.kind.promotions' },
  { value: 'catalog.', label: 'audit.kind.catalog' },
  { value: 'adjustments.', label: 'audit.kind.stock' },
  { value: 'transfers.', label: 'audit.kind.transfers' },
  { value: 'integration.', label: 'audit.kind.webhooks' },
  { value: 'alert-rules.', label: 'audit.kind.alerts' },
  { value: 'store.', label: 'audit.kind.store' },
  { value: 'store.override', label: 'audit.kind.storeOverride' },
  { value: 'store.price-override', label: 'audit.kind.storePrice' },
  { value: 'store.void', label: 'audit.kind.storeVoid' },
  { value: 'store.no-receipt-return', label: 'audit.kind.storeNoReceipt' },
  { value: 'store.drawer-open', label: 'audit.kind.storeDrawer' },
  { value: 'store.cash-movement', label: 'audit.kind.storeCash' },
] as const;

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A `<input type="date">` day as the epoch ms of its start in the browser's timezone. */
function dayStart(day: string, plusDays = 0): number | undefined {
  if (day === '') return undefined;
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, (date ?? 1) + plusDays).getTime();
}

/**
 * The audit log: every change made at HQ and the stores' own audit trail (overrides, voids, no-receipt
 * returns, drawer openings), searchable by store, person, kind and day.
 */
export function AuditScreen() {
  const { api } = useServices();
  const [action, setAction] = useState('');
  const [nodeId, setNodeId] = useState('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const nodes = useLoad(() => api.nodes(), [api]);
  const entries = useLoad(() => {
    const filter: AuditFilter = {
      ...(action === '' ? {} : { action }),
      ...(nodeId === '' ? {} : { nodeId }),
      ...(actor.trim() === '' ? {} : { actor: actor.trim() }),
      from: dayStart(from),
      to: dayStart(to, 1),
    };
    return api.audit(filter);
  }, [api, action, nodeId, actor, from, to]);
  const ids = { kind: useId(), store: useId(), actor: useId(), from: useId(), to: useId() };
  const storeOptions = nodes.state.status === 'ready' ? nodes.state.value : [];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={ids.kind}>{t('audit.filter')}</label>
        <select id={ids.kind} value={action} onChange={(event) => setAction(event.target.value)}>
          {KINDS.map((kind) => (
            <option key={kind.value} value={kind.value}>
              {t(kind.label)}
            </option>
          ))}
        </select>
        <label htmlFor={ids.store}>{t('audit.store')}</label>
        <select id={ids.store} value={nodeId} onChange={(event) => setNodeId(event.target.value)}>
          <option value="">{t('audit.store.all')}</option>
          <option value="hq">{t('audit.store.hq')}</option>
          {storeOptions.map((node) => (
            <option key={node.nodeId} value={node.nodeId}>
              {node.code} · {node.name}
            </option>
          ))}
        </select>
        <label htmlFor={ids.actor}>{t('audit.actor')}</label>
        <input
          id={ids.actor}
          value={actor}
          placeholder="staff:… / user:…"
          onChange={(event) => setActor(event.target.value)}
        />
        <label htmlFor={ids.from}>{t('audit.from')}</label>
        <input id={ids.from} type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        <label htmlFor={ids.to}>{t('audit.to')}</label>
        <input id={ids.to} type="date" value={to} onChange={(event) => setTo(event.target.value)} />
      </form>
      <Loaded state={entries.state}>{(list) => <AuditTable entries={list} />}</Loaded>
    </section>
  );
}

function AuditTable({ entries }: { entries: readonly AuditEntry[] }) {
  const { format } = useServices();
  if (entries.length === 0) return <p>{t('audit.none')}</p>;
  return (
    <table aria-label={t('audit.entries')}>
      <thead>
        <tr>
          <th scope="col">{t('audit.at')}</th>
          <th scope="col">{t('audit.store')}</th>
          <th scope="col">{t('audit.actor')}</th>
          <th scope="col">{t('audit.action')}</th>
          <th scope="col">{t('audit.subject')}</th>
          <th scope="col">{t('audit.before')}</th>
          <th scope="col">{t('audit.after')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.auditId}>
            <th scope="row">{format.dateTime(entry.at)}</th>
            <td>{entry.nodeId ?? t('audit.store.hq')}</td>
            <td>{entry.actor}</td>
            <td>{entry.action}</td>
            <td>{entry.subject}</td>
            <td>
              <code className="audit-state">{shown(entry.before)}</code>
            </td>
            <td>
              <code className="audit-state">{shown(entry.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
