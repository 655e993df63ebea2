import type { ShiftReport, ZReport } from '../../../shared/commands';
import type { StoreFormat } from '../../format/format';
import { useFormat } from '../../app/pos-context';
import { escapeHtml } from '../../format/escape-html';
import { tenderLabel } from '../../format/tender-label';
import { MESSAGES } from '../../i18n/messages';
import { t, type MessageKey } from '../../i18n/translate';

function isZReport(report: ShiftReport | ZReport): report is ZReport {
  return report.kind === 'Z' && 'countedCash' in report;
}

/** The rows of an X or Z report, as label/value pairs, shared by the screen and the printout. */
export function reportRows(report: ShiftReport | ZReport, format: StoreFormat): [string, string][] {
  const rows: [string, string][] = [
    [t('report.opened'), format.dateTime(report.shift.openedAt)],
    [t('report.float'), format.money(report.float)],
    [
      t('report.sales'),
      t('report.countAndTotal', { count: report.salesCount, total: format.money(report.salesTotal) }),
    ],
    ...(report.giftCardLoads === undefined || report.giftCardLoads.count === 0
      ? []
      : [
          [
            t('report.giftCardLoads'),
            t('report.countAndTotal', {
              count: report.giftCardLoads.count,
              total: format.money(report.giftCardLoads.total),
            }),
          ] satisfies [string, string],
        ]),
    [
      t('report.returns'),
      t('report.countAndTotal', { count: report.returnsCount, total: format.money(report.returnsTotal) }),
    ],
    [t('report.cashSales'), format.money(report.cashSales)],
    [t('report.cashRefunds'), format.money(report.cashRefunds)],
    [t('report.cashIn'), format.money(report.cashIn)],
    [t('report.cashOut'), format.money(report.cashOut)],
    ...Object.entries(report.byTender).map(([type, amount]): [string, string] => [
      t('report.byTender', { tender: tenderLabel(type) }),
      format.money(amount),
    ]),
    ...breakdownRows(report, format),
    [t('report.expectedCash'), format.money(report.expectedCash)],
  ];
  if (isZReport(report)) {
    rows.push([t('report.countedCash'), format.money(report.countedCash)]);
    rows.push([
      report.overShort >= 0 ? t('report.over') : t('report.short'),
      format.money(Math.abs(report.overShort)),
    ]);
  }
  return rows;
}

/** An override's action as staff say it; one this till does not know yet shows as the node named it. */
function overrideActionLabel(action: string): string {
  const key = `overrideAction.${action}`;
  return Object.prototype.hasOwnProperty.call(MESSAGES, key) ? t(key as MessageKey) : action;
}

/** Sales per VAT rate, discounts, voids, overrides, no-sales and each cashier's share (issue 14). */
function breakdownRows(report: ShiftReport | ZReport, format: StoreFormat): [string, string][] {
  const breakdown = report.breakdown;
  if (!breakdown) return [];
  const countAndTotal = (count: number, total: number) =>
    t('report.countAndTotal', { count, total: format.money(total) });
  return [
    ...breakdown.taxes.map((rate): [string, string] => [
      t('report.taxRate', {
        name: rate.name,
        percent: new Intl.NumberFormat(format.locale, { maximumFractionDigits: 3 }).format(rate.percent),
      }),
      t('report.taxAndNet', { taxable: format.money(rate.taxable), tax: format.money(rate.tax) }),
    ]),
    [t('report.discounts'), countAndTotal(breakdown.discounts.count, breakdown.discounts.total)],
    [t('report.cancelledSales'), format.count(breakdown.voids.cancelledSales)],
    [t('report.postVoids'), countAndTotal(breakdown.voids.postVoids, breakdown.voids.postVoidTotal)],
    ...breakdown.overrides.map((override): [string, string] => [
      t('report.overrides', { action: overrideActionLabel(override.action) }),
      format.count(override.count),
    ]),
    [t('report.noSales'), format.count(breakdown.noSales)],
    ...breakdown.cashiers.map((cashier): [string, string] => [
      t('report.cashier', { name: cashier.name }),
      t('report.cashierFigures', {
        sales: countAndTotal(cashier.salesCount, cashier.salesTotal),
        returns: countAndTotal(cashier.returnsCount, cashier.returnsTotal),
      }),
    ]),
  ];
}

/** The legal header HQ set, as printed lines (company, address, VAT number); none while unset. */
function legalLines(report: ShiftReport | ZReport): string[] {
  const legal = report.breakdown?.legal;
  if (!legal) return [];
  return [
    legal.companyName,
    ...legal.address,
    t('report.vatNumber', { vatNumber: legal.vatNumber }),
    ...legal.extraLines,
  ];
}

export function ShiftReportView({ report }: { report: ShiftReport | ZReport }) {
  const format = useFormat();
  const title = report.kind === 'Z' ? t('report.zTitle') : t('report.xTitle');
  return (
    <section className="report" aria-label={title}>
      <h2>{title}</h2>
      {legalLines(report).map((line) => (
        <p key={line} className="muted">
          {line}
        </p>
      ))}
      <p className="muted">
        {t('report.generated', {
          at: format.dateTime(report.generatedAt),
          register: report.shift.registerId,
        })}
      </p>
      <dl className="totals">
        {reportRows(report, format).map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** An 80 mm printout of the report for the receipt printer (the node prints receipts; reports are the till's). */
export function reportHtml(report: ShiftReport | ZReport, format: StoreFormat, storeLabel: string): string {
  const title = report.kind === 'Z' ? t('report.zTitle') : t('report.xTitle');
  const rows = reportRows(report, format)
    .map(([label, value]) => `<tr><td>${escapeHtml(label)}</td><td class="r">${escapeHtml(value)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="${escapeHtml(format.locale)}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:monospace;width:72mm;margin:0 auto;font-size:12px}h1{font-size:14px;text-align:center}table{width:100%;border-collapse:collapse}.r{text-align:right}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${[storeLabel, ...legalLines(report)]
    .map((line) => escapeHtml(line))
    .join('<br>')}<br>${escapeHtml(
    t('report.generated', { at: format.dateTime(report.generatedAt), register: report.shift.registerId }),
  )}</p><table>${rows}</table></body></html>`;
}
