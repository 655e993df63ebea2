import { useId, useState } from 'react';
import type { SalesReportRow } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { Loaded } from '../../components/feedback';
import { t } from '../../i18n/translate';

const DAY_MS = 86_400_000;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Sales, voids and returns per store and local day (GET /api/reports/sales); the last week at first. */
export function ReportsScreen() {
  const { api, now } = useServices();
  const [from, setFrom] = useState(() => isoDay(now() - 6 * DAY_MS));
  const [to, setTo] = useState(() => isoDay(now()));
  const report = useLoad(() => api.salesReport(from, to), [api, from, to]);
  const ids = { from: useId(), to: useId() };
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{t('reports.title')}</h1>
      <p className="muted">{t('reports.intro')}</p>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={ids.from}>{t('reports.from')}</label>
        <input
          id={ids.from}
          type="date"
          value={from}
          onChange={(event) => event.target.value !== '' && setFrom(event.target.value)}
        />
        <label htmlFor={ids.to}>{t('reports.to')}</label>
        <input
          id={ids.to}
          type="date"
          value={to}
          onChange={(event) => event.target.value !== '' && setTo(event.target.value)}
        />
      </form>
      <Loaded state={report.state}>{(rows) => <ReportTable rows={rows} />}</Loaded>
    </section>
  );
}

function ReportTable({ rows }: { rows: readonly SalesReportRow[] }) {
  const { format } = useServices();
  if (rows.length === 0) return <p>{t('reports.none')}</p>;
  return (
    <table aria-label={t('reports.table')}>
      <thead>
        <tr>
          <th scope="col">{t('reports.date')}</th>
          <th scope="col">{t('reports.store')}</th>
          <th scope="col">{t('reports.sales')}</th>
          <th scope="col">{t('reports.voids')}</th>
          <th scope="col">{t('reports.returns')}</th>
          <th scope="col">{t('reports.net')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.nodeId}:${row.date}:${row.currency}`}>
            <th scope="row">{row.date}</th>
            <td>{row.nodeCode}</td>
            <td>
              {format.count(row.sales)} · {format.money(row.salesTotal, row.currency)}
            </td>
            <td>
              {format.count(row.voids)} · {format.money(row.voidsTotal, row.currency)}
            </td>
            <td>
              {format.count(row.returns)} · {format.money(row.refundsTotal, row.currency)}
            </td>
            <td>{format.money(row.netTotal, row.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
