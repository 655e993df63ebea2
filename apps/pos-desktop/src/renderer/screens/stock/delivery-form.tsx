import { useEffect, useState } from 'react';
import type { CatalogItem, ReceivingDocumentView } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { ProductPicker, QuantityInput, type PickedProduct } from '../../components/product-picker';
import { t } from '../../i18n/translate';
import { screenError } from '../../stores/store-kit';

type Bucket = 'sellable' | 'quality_control';

interface CountedLine {
  readonly sku: string;
  readonly name: string;
  readonly unit: 'each' | 'kg';
  /** What this delivery should bring (0 for an item the document does not list). */
  readonly open: number;
  readonly qty: number;
  readonly bucket: Bucket;
}

function startCount(document: ReceivingDocumentView): CountedLine[] {
  return document.lines.map((line) => ({
    sku: line.sku,
    name: line.name,
    unit: line.unit,
    open: line.open,
    qty: 0,
    bucket: 'sellable',
  }));
}

/**
 * Deliveries HQ announced (shipping notices) or ordered (purchase orders, received blind when no notice
 * comes): pick one, scan every item as it is unpacked (each scan counts one; an item the document does
 * not list is added and shown as extra), correct a count by hand, and receive. Over and under are shown
 * per line before anything is sent; the hub turns them into a variance for HQ.
 */
export function DeliveryForm() {
  const { stock } = usePos();
  const format = useFormat();
  const busy = useArea(stock, (state) => state.busy);
  const documents = useArea(stock, (state) => state.documents);
  const [selected, setSelected] = useState<string>('');
  const [lines, setLines] = useState<readonly CountedLine[]>([]);
  useEffect(() => {
    void stock.getState().loadDocuments();
  }, [stock]);
  const document = documents?.find((entry) => entry.documentKey === selected);

  const choose = (documentKey: string) => {
    setSelected(documentKey);
    const next = documents?.find((entry) => entry.documentKey === documentKey);
    setLines(next ? startCount(next) : []);
  };
  const scan = ({ item, weightGrams }: PickedProduct) => {
    const qty = weightGrams ?? (item.unit === 'kg' ? 1000 : 1);
    setLines((current) => {
      const at = current.findIndex((line) => line.sku === item.sku);
      if (at >= 0)
        return current.map((line, index) => (index === at ? { ...line, qty: line.qty + qty } : line));
      return [...current, extraLine(item, qty)];
    });
  };
  const update = (sku: string, patch: Partial<CountedLine>) =>
    setLines((current) => current.map((line) => (line.sku === sku ? { ...line, ...patch } : line)));

  const submit = async () => {
    if (!document) {
      stock.setState({ error: screenError(t('stock.delivery.pickFirst')) });
      return;
    }
    if (lines.every((line) => line.qty === 0)) {
      stock.setState({ error: screenError(t('stock.delivery.nothingCounted')) });
      return;
    }
    const done = await stock.getState().receiveDocument({
      documentKey: document.documentKey,
      lines: lines.map((line) => ({ sku: line.sku, qty: line.qty, bucket: line.bucket })),
    });
    if (done) {
      setSelected('');
      setLines([]);
    }
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label className="field">
        <span>{t('stock.delivery.document')}</span>
        <select value={selected} onChange={(event) => choose(event.target.value)}>
          <option value="">
            {documents === null
              ? t('common.loading')
              : documents.length === 0
                ? t('stock.delivery.none')
                : t('stock.delivery.pick')}
          </option>
          {(documents ?? []).map((entry) => (
            <option key={entry.documentKey} value={entry.documentKey}>
              {t(`stock.delivery.kind.${entry.kind}`, { number: entry.number, supplier: entry.supplier })}
            </option>
          ))}
        </select>
      </label>
      {document ? (
        <>
          <ProductPicker label={t('stock.delivery.scan')} onPick={scan} />
          <ul className="stock-lines" aria-label={t('stock.delivery.lines')}>
            {lines.map((line) => {
              const difference = line.qty - line.open;
              return (
                <li key={line.sku} className="stock-line" data-testid={`delivery-line-${line.sku}`}>
                  <span className="cart-line-name">{line.name}</span>
                  <span className="muted">
                    {line.open === 0 && !document.lines.some((onDocument) => onDocument.sku === line.sku)
                      ? t('stock.delivery.notListed')
                      : t('stock.delivery.expected', { qty: format.quantity(line.open, line.unit) })}
                  </span>
                  <QuantityInput
                    label={t('stock.delivery.countedFor', { name: line.name })}
                    unit={line.unit}
                    value={line.qty}
                    onChange={(qty) => update(line.sku, { qty })}
                  />
                  <label className="field">
                    <span>{t('stock.bucketFor', { name: line.name })}</span>
                    <select
                      value={line.bucket}
                      onChange={(event) => update(line.sku, { bucket: event.target.value as Bucket })}
                    >
                      <option value="sellable">{t('bucket.sellable')}</option>
                      <option value="quality_control">{t('bucket.quality_control')}</option>
                    </select>
                  </label>
                  <span className={difference === 0 ? 'muted' : 'warning'} role="status">
                    {difference === 0
                      ? t('stock.delivery.matches')
                      : difference > 0
                        ? t('stock.delivery.over', { qty: format.quantity(difference, line.unit) })
                        : t('stock.delivery.under', { qty: format.quantity(-difference, line.unit) })}
                  </span>
                </li>
              );
            })}
          </ul>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('stock.submit.deliveries')}
          </button>
        </>
      ) : null}
    </form>
  );
}

function extraLine(item: CatalogItem, qty: number): CountedLine {
  return { sku: item.sku, name: item.name, unit: item.unit, open: 0, qty, bucket: 'sellable' };
}
