import { useId, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { AnalyticsTable, SalesAnalytics } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { CsvButton } from '../../components/csv-download';
import { Loaded } from '../../components/feedback';
import { t, type MessageKey } from '../../i18n/translate';
import { StoredValueSection } from './stored-value-section';

const DAY_MS = 86_400_000;
const isoDay = (at: number) => new Date(at).toISOString().slice(0, 10);

interface Range {
  readonly from: string;
  readonly to: string;
  readonly nodeId?: string | undefined;
}

/**
 * Sales analysis per store (GET /api/reports/analytics): charts of revenue by day and hour, and tables by
 * store and day, hour, cashier, discounts, tenders and shifts with over/short, each downloadable as CSV.
 */
export function ReportsScreen() {
  const { api, now } = useServices();
  const [from, setFrom] = useState(() => isoDay(now() - 6 * DAY_MS));
  const [to, setTo] = useState(() => isoDay(now()));
  const [nodeId, setNodeId] = useState('');
  const nodes = useLoad(() => api.nodes(), [api]);
  const report = useLoad(
    () => api.salesAnalytics(from, to, nodeId === '' ? undefined : nodeId),
    [api, from, to, nodeId],
  );
  const ids = { from: useId(), to: useId(), store: useId() };
  const range: Range = { from, to, nodeId: nodeId === '' ? undefined : nodeId };
  const stores =
    nodes.state.status === 'ready' ? nodes.state.value.filter((node) => node.kind === 'store') : [];
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
        <label htmlFor={ids.store}>{t('reports.storeFilter')}</label>
        <select id={ids.store} value={nodeId} onChange={(event) => setNodeId(event.target.value)}>
          <option value="">{t('reports.allStores')}</option>
          {stores.map((node) => (
            <option key={node.nodeId} value={node.nodeId}>
              {node.code} · {node.name}
            </option>
          ))}
        </select>
      </form>
      <Loaded state={report.state}>{(analytics) => <Report analytics={analytics} range={range} />}</Loaded>
      <StoredValueSection nodes={nodes.state.status === 'ready' ? nodes.state.value : []} />
    </section>
  );
}

/** The currency most rows are in: charts plot one currency (tables show every one). */
function mainCurrency(analytics: SalesAnalytics): string | undefined {
  const counts = new Map<string, number>();
  for (const row of analytics.byDay) counts.set(row.currency, (counts.get(row.currency) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

function Report({ analytics, range }: { analytics: SalesAnalytics; range: Range }) {
  const { format } = useServices();
  if (analytics.byDay.length === 0 && analytics.shifts.length === 0) return <p>{t('reports.none')}</p>;
  const currency = mainCurrency(analytics);
  const money = (minor: number, rowCurrency: string) => format.money(minor, rowCurrency);
  const perDay = new Map<string, number>();
  for (const row of analytics.byDay)
    if (row.currency === currency) perDay.set(row.date, (perDay.get(row.date) ?? 0) + row.revenue);
  const dayData = [...perDay.entries()].map(([date, revenue]) => ({ label: date, revenue }));
  const hourData = analytics.byHour
    .filter((row) => row.currency === currency)
    .map((row) => ({ label: `${String(row.hour).padStart(2, '0')}h`, revenue: row.revenue }));
  return (
    <>
      {currency === undefined ? null : (
        <div className="charts">
          <RevenueChart title={t('reports.chart.byDay')} data={dayData} currency={currency} />
          <RevenueChart title={t('reports.chart.byHour')} data={hourData} currency={currency} />
        </div>
      )}
      <ReportTable
        table="byDay"
        title="reports.table"
        range={range}
        headers={[
          'reports.date',
          'reports.store',
          'reports.sales',
          'reports.revenue',
          'reports.voids',
          'reports.returns',
          'reports.net',
          'reports.giftCardLoads',
        ]}
        rows={analytics.byDay.map((row) => ({
          key: `${row.nodeId}:${row.date}:${row.currency}`,
          cells: [
            row.date,
            row.nodeCode,
            format.count(row.sales),
            money(row.revenue, row.currency),
            `${format.count(row.voids)} · ${money(row.voidsTotal, row.currency)}`,
            `${format.count(row.returns)} · ${money(row.refundsTotal, row.currency)}`,
            money(row.net, row.currency),
            money(row.giftCardLoads, row.currency),
          ],
        }))}
      />
      <ReportTable
        table="byHour"
        title="reports.byHour"
        range={range}
        headers={['reports.hour', 'reports.sales', 'reports.revenue']}
        rows={analytics.byHour.map((row) => ({
          key: `${row.hour}:${row.currency}`,
          cells: [
            `${String(row.hour).padStart(2, '0')}:00`,
            format.count(row.sales),
            money(row.revenue, row.currency),
          ],
        }))}
      />
      <ReportTable
        table="byCashier"
        title="reports.byCashier"
        range={range}
        headers={['reports.cashier', 'reports.store', 'reports.sales', 'reports.revenue', 'reports.returns']}
        rows={analytics.byCashier.map((row) => ({
          key: `${row.nodeId}:${row.staffId}:${row.currency}`,
          cells: [
            row.staffId,
            row.nodeCode,
            format.count(row.sales),
            money(row.revenue, row.currency),
            `${format.count(row.returns)} · ${money(row.refundsTotal, row.currency)}`,
          ],
        }))}
      />
      <ReportTable
        table="discounts"
        title="reports.discounts"
        range={range}
        headers={['reports.date', 'reports.store', 'reports.discountedSales', 'reports.discountTotal']}
        rows={analytics.discounts.map((row) => ({
          key: `${row.nodeId}:${row.date}:${row.currency}`,
          cells: [
            row.date,
            row.nodeCode,
            format.count(row.discountedSales),
            money(row.discountTotal, row.currency),
          ],
        }))}
      />
      <ReportTable
        table="tenders"
        title="reports.tenders"
        range={range}
        headers={['reports.tender', 'reports.store', 'reports.taken', 'reports.refunded']}
        rows={analytics.tenders.map((row) => ({
          key: `${row.nodeId}:${row.currency}:${row.tender}`,
          cells: [
            row.tender,
            row.nodeCode,
            money(row.taken, row.currency),
            money(row.refunded, row.currency),
          ],
        }))}
      />
      <ReportTable
        table="shifts"
        title="reports.shifts"
        range={range}
        headers={[
          'reports.shift',
          'reports.store',
          'reports.cashier',
          'reports.closedAt',
          'reports.float',
          'reports.expected',
          'reports.counted',
          'reports.overShort',
        ]}
        rows={analytics.shifts.map((row) => {
          const amount = (value: number | null) => (value === null ? '—' : money(value, row.currency));
          return {
            key: row.shiftId,
            cells: [
              row.shiftId,
              row.nodeCode,
              row.staffId,
              row.closedAt === null ? t('reports.open') : format.dateTime(Date.parse(row.closedAt)),
              amount(row.float),
              amount(row.expectedCash),
              amount(row.countedCash),
              amount(row.overShort),
            ],
          };
        })}
      />
    </>
  );
}

function RevenueChart(props: {
  title: string;
  currency: string;
  data: readonly { label: string; revenue: number }[];
}) {
  const { format } = useServices();
  return (
    <figure className="chart">
      <figcaption>
        {props.title} ({props.currency})
      </figcaption>
      <BarChart width={520} height={220} data={[...props.data]} accessibilityLayer>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="label" />
        <YAxis tickFormatter={(value: number) => format.money(value, props.currency)} width={90} />
        <Tooltip formatter={(value) => format.money(Number(value), props.currency)} />
        <Bar dataKey="revenue" name={t('reports.revenue')} fill="#2563eb" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}

function ReportTable(props: {
  table: AnalyticsTable;
  title: MessageKey;
  range: Range;
  headers: readonly MessageKey[];
  rows: readonly { key: string; cells: readonly ReactNode[] }[];
}) {
  const { api } = useServices();
  return (
    <section className="report-table">
      <h2>{t(props.title)}</h2>
      <CsvButton
        label={t(props.title)}
        load={() => api.analyticsCsv(props.table, props.range)}
        fileName={`${props.table}-${props.range.from}-${props.range.to}.csv`}
      />
      {props.rows.length === 0 ? (
        <p>{t('reports.none')}</p>
      ) : (
        <table aria-label={t(props.title)}>
          <thead>
            <tr>
              {props.headers.map((header) => (
                <th scope="col" key={header}>
                  {t(header)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr key={row.key}>
                {row.cells.map((cell, index) =>
                  index === 0 ? (
                    <th scope="row" key={index}>
                      {cell}
                    </th>
                  ) : (
                    <td key={index}>{cell}</td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
