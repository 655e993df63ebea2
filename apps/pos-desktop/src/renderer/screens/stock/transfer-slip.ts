import { escapeHtml } from '../../format/escape-html';
import type { StoreFormat } from '../../format/format';
import { t } from '../../i18n/translate';
import { destinationName, type SentTransfer } from '../../stores/stock-store';

/**
 * The transfer slip for the receipt printer (80 mm), printed the way the till prints its X and Z reports:
 * it travels with the goods, so the receiving store reads the number off it and checks what arrived.
 */
export function transferSlipHtml(sent: SentTransfer, format: StoreFormat, fromStore: string): string {
  const title = t('stock.slip.title');
  const rows = sent.lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.name)}<br><small>${escapeHtml(line.sku)}</small></td><td class="r">${escapeHtml(
          format.quantity(line.qty, line.unit),
        )}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="${escapeHtml(format.locale)}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:monospace;width:72mm;margin:0 auto;font-size:12px}h1{font-size:14px;text-align:center}.number{font-size:20px;font-weight:bold;text-align:center}table{width:100%;border-collapse:collapse}.r{text-align:right;vertical-align:top}</style>
</head><body><h1>${escapeHtml(title)}</h1><p class="number">${escapeHtml(sent.transferId)}</p><p>${[
    t('stock.slip.from', { store: fromStore }),
    t('stock.slip.to', { store: destinationName(sent.destination) }),
    t('stock.slip.shipped', { at: format.dateTime(sent.shippedAt) }),
  ]
    .map(escapeHtml)
    .join('<br>')}</p><table>${rows}</table><p>${escapeHtml(t('stock.transferNumberHow'))}</p></body></html>`;
}
