import { useId, useState } from 'react';
import type { AuditEntry } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { Loaded } from '../../components/feedback';
import { t } from '../../i18n/translate';

const KINDS = [
  { value: '', label: 'audit.kind.all' },
  { value: 'staff:', label: 'audit.kind.staff' },
  { value: 'setting:', label: 'audit.kind.setting' },
  { value: 'exception:', label: 'audit.kind.exception' },
] as const;

function shown(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The HQ audit log: every change made at HQ, who made it and what it was before and after. */
export function AuditScreen() {
  const { api } = useServices();
  const [subject, setSubject] = useState('');
  const entries = useLoad(() => api.audit(subject === '' ? {} : { subject }), [api, subject]);
  const filterId = useId();
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={filterId}>{t('audit.filter')}</label>
        <select id={filterId} value={subject} onChange={(event) => setSubject(event.target.value)}>
          {KINDS.map((kind) => (
            <option key={kind.value} value={kind.value}>
              {t(kind.label)}
            </option>
          ))}
        </select>
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
