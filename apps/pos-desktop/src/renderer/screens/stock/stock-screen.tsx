import { PHYSICAL_BUCKETS, type PhysicalBucket } from '@retail/domain';
import { useEffect, useState, type ReactNode } from 'react';
import type { CatalogItem, LocalStock } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { Segmented } from '../../components/segmented';
import { ProductPicker, QuantityInput, type PickedProduct } from '../../components/product-picker';
import { t } from '../../i18n/translate';
import { destinationName } from '../../stores/stock-store';
import { screenError } from '../../stores/store-kit';
import { DeliveryForm } from './delivery-form';
import { transferSlipHtml } from './transfer-slip';

const TABS = ['receive', 'deliveries', 'transfer-in', 'count', 'adjust', 'transfer-out'] as const;
type StockTab = (typeof TABS)[number];

const COUNT_BUCKETS = ['sellable', 'damaged', 'quality_control'] as const;
type CountBucket = (typeof COUNT_BUCKETS)[number];
const RECEIVE_BUCKETS = ['sellable', 'quality_control'] as const;
type ReceiveBucket = (typeof RECEIVE_BUCKETS)[number];

const LEVEL_FIELDS: Readonly<Record<CountBucket | 'staged', keyof LocalStock>> = {
  sellable: 'sellable',
  staged: 'staged',
  damaged: 'damaged',
  quality_control: 'qualityControl',
};

interface DraftLine {
  readonly item: CatalogItem;
  readonly qty: number;
  readonly bucket: PhysicalBucket;
  /** Adjustments only: whether the quantity comes in or goes out of the bucket. */
  readonly direction: 'add' | 'remove';
}

/** Receive, count, adjust and transfer stock, with the local level of every item on screen kept live. */
export function StockScreen() {
  const { stock } = usePos();
  const [tab, setTab] = useState<StockTab>('receive');
  const error = useArea(stock, (state) => state.error);
  const lastDone = useArea(stock, (state) => state.lastDone);
  return (
    <section className="screen stock" aria-labelledby="stock-title">
      <h1 id="stock-title">{t('stock.title')}</h1>
      <div className="tabs" role="tablist" aria-label={t('stock.tabs')}>
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            className="btn"
            aria-selected={tab === name}
            onClick={() => {
              setTab(name);
              stock.setState({ error: null, lastDone: null, lastTransfer: null });
            }}
          >
            {t(`stock.tab.${name}`)}
          </button>
        ))}
      </div>
      <ErrorBanner error={error} onDismiss={() => stock.setState({ error: null })} />
      <Notice text={lastDone} tone="success" />
      <TransferNumber />
      <div role="tabpanel" aria-label={t(`stock.tab.${tab}`)}>
        {tab === 'count' ? (
          <CountForm />
        ) : tab === 'deliveries' ? (
          <DeliveryForm />
        ) : (
          <MovementForm key={tab} tab={tab} />
        )}
      </div>
    </section>
  );
}

/** The number of the transfer just sent, large enough to read out or copy: the receiving store types it. */
function TransferNumber() {
  const { stock, devices, session } = usePos();
  const format = useFormat();
  const node = useArea(session, (state) => state.node);
  const sent = useArea(stock, (state) => state.lastTransfer);
  const [notice, setNotice] = useState<string | null>(null);
  if (!sent) return null;
  const fromStore =
    node === null ? '' : node.storeName === null ? node.storeCode : `${node.storeName} (${node.storeCode})`;
  const print = async () => {
    const outcome = await devices.printReceipt(transferSlipHtml(sent, format, fromStore));
    setNotice(outcome.ok ? null : outcome.message);
  };
  return (
    <div className="pairing-code" role="status" aria-label={t('stock.transferNumberTitle')}>
      <p>{t('stock.transferNumberFor', { destination: destinationName(sent.destination) })}</p>
      <p className="big-code transfer-number">{sent.transferId}</p>
      <p className="muted">{t('stock.transferNumberHow')}</p>
      <button type="button" className="btn" onClick={() => void print()}>
        {t('stock.printSlip')}
      </button>
      <Notice text={notice} tone="warning" />
    </div>
  );
}

/** Where a transfer goes: the other stores and warehouses by name and code (the node sends the id). */
function DestinationSelect({ value, onChange }: { value: string; onChange: (nodeId: string) => void }) {
  const { stock } = usePos();
  const destinations = useArea(stock, (state) => state.destinations);
  useEffect(() => {
    void stock.getState().loadDestinations();
  }, [stock]);
  return (
    <label className="field">
      <span>{t('stock.destination')}</span>
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{destinations === null ? t('common.loading') : t('stock.destinationPick')}</option>
        {(destinations ?? []).map((destination) => (
          <option key={destination.nodeId} value={destination.nodeId}>
            {destination.code === '' ? destination.name : `${destination.code} · ${destination.name}`}
          </option>
        ))}
      </select>
    </label>
  );
}

function LevelSummary({ item }: { item: CatalogItem }) {
  const { stock } = usePos();
  const format = useFormat();
  const level = useArea(stock, (state) => state.levels[item.sku]);
  if (!level) return null;
  return (
    <span className="muted level" data-testid={`level-${item.sku}`}>
      {t('stock.level', {
        sellable: format.quantity(level.sellable, item.unit),
        onHand: format.quantity(level.onHand, item.unit),
        atp: format.quantity(level.atp, item.unit),
      })}
    </span>
  );
}

function MovementForm({ tab }: { tab: Exclude<StockTab, 'count' | 'deliveries'> }) {
  const { stock } = usePos();
  const format = useFormat();
  const busy = useArea(stock, (state) => state.busy);
  const [lines, setLines] = useState<readonly DraftLine[]>([]);
  const [reference, setReference] = useState('');
  const [sourceType, setSourceType] = useState<'supplier' | 'transfer'>('supplier');
  const store = stock.getState();

  const add = ({ item, weightGrams }: PickedProduct) => {
    void store.loadLevels([item.sku]);
    setLines((current) => {
      const qty = weightGrams ?? (item.unit === 'kg' ? 1000 : 1);
      const at = current.findIndex((line) => line.item.sku === item.sku);
      if (at >= 0)
        return current.map((line, index) => (index === at ? { ...line, qty: line.qty + qty } : line));
      return [...current, { item, qty, bucket: 'sellable', direction: tab === 'adjust' ? 'remove' : 'add' }];
    });
  };
  const update = (index: number, patch: Partial<DraftLine>) =>
    setLines((current) => current.map((line, at) => (at === index ? { ...line, ...patch } : line)));

  const submit = async () => {
    if (lines.length === 0) {
      stock.setState({ error: screenError(t('stock.noLines')) });
      return;
    }
    if (lines.some((line) => line.qty <= 0)) {
      stock.setState({ error: screenError(t('stock.zeroQty')) });
      return;
    }
    const ref = reference.trim();
    if (ref === '') {
      stock.setState({ error: screenError(t(`stock.referenceNeeded.${tab}`)) });
      return;
    }
    const plain = lines.map((line) => ({ sku: line.item.sku, qty: line.qty }));
    let done = false;
    switch (tab) {
      case 'receive':
        done = await store.receive({
          source: { type: sourceType, reference: ref },
          lines: lines.map((line) => ({
            sku: line.item.sku,
            qty: line.qty,
            bucket: (RECEIVE_BUCKETS as readonly string[]).includes(line.bucket)
              ? (line.bucket as ReceiveBucket)
              : 'sellable',
          })),
        });
        break;
      case 'transfer-in':
        done = await store.transferIn({ transferId: ref, lines: plain });
        break;
      case 'transfer-out':
        done = await store.transferOut({ toNodeId: ref, lines: plain });
        break;
      case 'adjust':
        done = await store.adjust({
          reason: ref,
          lines: lines.map((line) => ({
            sku: line.item.sku,
            bucket: line.bucket,
            delta: line.direction === 'add' ? line.qty : -line.qty,
          })),
        });
        break;
    }
    if (done) {
      setLines([]);
      setReference('');
    }
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {tab === 'receive' ? (
        <Segmented
          legend={t('stock.source')}
          name="source"
          options={[
            { value: 'supplier', label: t('stock.source.supplier') },
            { value: 'transfer', label: t('stock.source.transfer') },
          ]}
          value={sourceType}
          onChange={setSourceType}
        />
      ) : null}
      {tab === 'transfer-out' ? (
        <DestinationSelect value={reference} onChange={setReference} />
      ) : (
        <label className="field">
          <span>{t(`stock.reference.${tab}`)}</span>
          <input value={reference} onChange={(event) => setReference(event.target.value)} />
        </label>
      )}
      <ProductPicker label={t('stock.addItem')} onPick={add} />
      <ul className="stock-lines" aria-label={t('stock.lines')}>
        {lines.map((line, index) => (
          <li key={line.item.sku} className="stock-line">
            <span className="cart-line-name">{line.item.name}</span>
            <LevelSummary item={line.item} />
            {tab === 'adjust' ? (
              <label className="field">
                <span>{t('stock.directionFor', { name: line.item.name })}</span>
                <select
                  value={line.direction}
                  onChange={(event) => update(index, { direction: event.target.value as 'add' | 'remove' })}
                >
                  <option value="remove">{t('stock.direction.remove')}</option>
                  <option value="add">{t('stock.direction.add')}</option>
                </select>
              </label>
            ) : null}
            <QuantityInput
              label={t('stock.qtyFor', { name: line.item.name })}
              unit={line.item.unit}
              value={line.qty}
              onChange={(qty) => update(index, { qty })}
            />
            {tab === 'receive' || tab === 'adjust' ? (
              <BucketSelect
                label={t('stock.bucketFor', { name: line.item.name })}
                buckets={tab === 'receive' ? RECEIVE_BUCKETS : PHYSICAL_BUCKETS}
                value={line.bucket}
                onChange={(bucket) => update(index, { bucket })}
              />
            ) : null}
            <span className="muted">{format.quantity(line.qty, line.item.unit)}</span>
            <button
              type="button"
              className="btn btn-quiet"
              aria-label={t('stock.removeLine', { name: line.item.name })}
              onClick={() => setLines((current) => current.filter((_, at) => at !== index))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {t(`stock.submit.${tab}`)}
      </button>
    </form>
  );
}

function BucketSelect<B extends PhysicalBucket>({
  label,
  buckets,
  value,
  onChange,
}: {
  label: string;
  buckets: readonly B[];
  value: PhysicalBucket;
  onChange: (bucket: B) => void;
}): ReactNode {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value as B)}>
        {buckets.map((bucket) => (
          <option key={bucket} value={bucket}>
            {t(`bucket.${bucket}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * A shelf count: the figure the till expects is shown and sent along, so a sale rung up while counting
 * makes the node refuse the count (CONFLICT) instead of silently overwriting it.
 */
function CountForm() {
  const { stock } = usePos();
  const format = useFormat();
  const busy = useArea(stock, (state) => state.busy);
  const [item, setItem] = useState<CatalogItem | null>(null);
  const [bucket, setBucket] = useState<CountBucket>('sellable');
  const [counted, setCounted] = useState(0);
  const level = useArea(stock, (state) => (item ? state.levels[item.sku] : undefined));
  const expected = level ? (level[LEVEL_FIELDS[bucket]] as number) : null;
  const submit = async () => {
    if (!item || expected === null) {
      stock.setState({ error: screenError(t('stock.countPickFirst')) });
      return;
    }
    await stock.getState().count({ sku: item.sku, bucket, expectedQty: expected, countedQty: counted });
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <ProductPicker
        label={t('stock.countItem')}
        onPick={({ item: picked }) => {
          setItem(picked);
          setCounted(0);
          void stock.getState().loadLevels([picked.sku]);
        }}
      />
      {item ? (
        <>
          <p>
            <strong>{item.name}</strong> ({item.sku})
          </p>
          <BucketSelect
            label={t('stock.bucket')}
            buckets={COUNT_BUCKETS}
            value={bucket}
            onChange={setBucket}
          />
          <p data-testid="expected-qty">
            {expected === null
              ? t('stock.loadingLevel')
              : t('stock.expected', { qty: format.quantity(expected, item.unit) })}
          </p>
          <QuantityInput label={t('stock.counted')} unit={item.unit} value={counted} onChange={setCounted} />
          <button type="submit" className="btn btn-primary" disabled={busy || expected === null}>
            {t('stock.submit.count')}
          </button>
        </>
      ) : null}
    </form>
  );
}
