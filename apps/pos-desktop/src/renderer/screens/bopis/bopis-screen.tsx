import type { ErrorBody } from '@retail/domain';
import { useEffect, useState } from 'react';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { Dialog } from '../../components/dialog';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { QuantityInput } from '../../components/product-picker';
import { Segmented } from '../../components/segmented';
import type { StoreFormat } from '../../format/format';
import { errorText, t } from '../../i18n/translate';
import type { BopisOrderDetail, BopisOrderSummary, PickupAttempt } from '../../stores/bopis-store';
import { screenError } from '../../stores/store-kit';
import { PackForm, ShipForm, ShipTo, ShipmentSummary } from './ship-work';

type BopisTab = 'queue' | 'ship' | 'pickup';

/** How long an order has waited here: "12 min", "3 h". */
function waited(since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  return minutes < 120
    ? t('sync.age.minutes', { minutes })
    : t('sync.age.hours', { hours: Math.floor(minutes / 60) });
}

/** A clock for ages and deadlines that moves without anyone touching the screen. */
function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * Buy online, pick up in store: the queue of orders routed here with their ages and deadlines (live),
 * picking one by scanning every unit, reporting what is short, marking it ready, putting back what will not
 * be collected, and the handover to the customer at the till.
 */
/**
 * The domain writes the instants in its sentences as UTC ("does not expire until 2026-12-09T00:58:…Z");
 * at the till they read in the store's own time zone (issue 14, bug 5).
 */
function localError(error: ErrorBody | null, format: StoreFormat): ErrorBody | null {
  if (error === null) return null;
  const { key: _key, params: _params, ...sentence } = error; // said in the till's language just below
  return { ...sentence, message: format.localInstants(errorText(error)) };
}

export function BopisScreen() {
  const { bopis } = usePos();
  const format = useFormat();
  const [tab, setTab] = useState<BopisTab>('queue');
  const order = useArea(bopis, (state) => state.order);
  const error = useArea(bopis, (state) => state.error);
  const notice = useArea(bopis, (state) => state.notice);
  useEffect(() => {
    void bopis.getState().load();
  }, [bopis]);
  return (
    <section className="screen bopis" aria-labelledby="bopis-title">
      <h1 id="bopis-title">{t('bopis.title')}</h1>
      <div className="tabs" role="tablist" aria-label={t('bopis.tabs')}>
        {(['queue', 'ship', 'pickup'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            className="btn"
            aria-selected={tab === name}
            onClick={() => {
              setTab(name);
              bopis.getState().close();
            }}
          >
            {t(`bopis.tab.${name}`)}
          </button>
        ))}
      </div>
      {/* Packing and shipping show the node's refusal under their own button instead. */}
      {order && (order.task === 'pack' || order.task === 'ship') && tab !== 'pickup' ? null : (
        <ErrorBanner error={localError(error, format)} onDismiss={() => bopis.setState({ error: null })} />
      )}
      <Notice text={notice} tone="success" />
      <div role="tabpanel" aria-label={t(`bopis.tab.${tab}`)}>
        {tab === 'pickup' ? (
          <Pickup />
        ) : order ? (
          <OrderWork order={order} />
        ) : (
          <Queue fulfilment={tab === 'ship' ? 'ship' : 'pickup'} />
        )}
      </div>
    </section>
  );
}

function Queue({ fulfilment }: { fulfilment: BopisOrderSummary['fulfilment'] }) {
  const { bopis } = usePos();
  const format = useFormat();
  const all = useArea(bopis, (state) => state.orders);
  const orders = all.filter((order) => order.fulfilment === fulfilment);
  const queue = useArea(bopis, (state) => state.queue);
  const loaded = useArea(bopis, (state) => state.loaded);
  const busy = useArea(bopis, (state) => state.busy);
  const now = useNow();
  return (
    <>
      {queue && fulfilment === 'ship' ? (
        <p>{t('bopis.shipCounts', { toPack: queue.toPack, toShip: queue.toShip })}</p>
      ) : null}
      {queue && fulfilment === 'pickup' ? (
        <p>
          {t('bopis.counts', {
            waiting: queue.waiting,
            picking: queue.picking,
            ready: queue.ready,
            toPutBack: queue.toPutBack,
          })}
          {queue.oldestWaitingSince
            ? ` · ${t('bopis.oldestWaiting', { at: format.dateTime(queue.oldestWaitingSince) })}`
            : ''}
        </p>
      ) : null}
      {loaded && orders.length === 0 ? (
        <p className="muted">{t(fulfilment === 'ship' ? 'bopis.shipEmpty' : 'bopis.empty')}</p>
      ) : null}
      <ul className="bopis-orders" aria-label={t('bopis.orders')}>
        {orders.map((order) => (
          <QueueEntry key={order.orderId} order={order} now={now} busy={busy} />
        ))}
      </ul>
    </>
  );
}

function QueueEntry({ order, now, busy }: { order: BopisOrderSummary; now: number; busy: boolean }) {
  const { bopis } = usePos();
  const format = useFormat();
  const overdue = order.pickupDeadline !== null && Date.parse(order.pickupDeadline) < now;
  return (
    <li
      className={overdue ? 'bopis-order overdue' : 'bopis-order'}
      aria-label={t('bopis.orderLabel', { order: order.orderNumber, customer: order.customerName })}
    >
      <span className="cart-line-name">
        {order.orderNumber} · {order.customerName}
      </span>
      <span className={`pill pill-task task-${order.task}`}>{t(`bopis.task.${order.task}`)}</span>
      <span>
        {t('bopis.summary', {
          lines: order.lineCount,
          units: order.units,
          age: waited(order.waitingSince, now),
        })}
      </span>
      {order.pickupDeadline ? (
        <span>
          {overdue
            ? t('bopis.overdue', { at: format.dateTime(order.pickupDeadline) })
            : t('bopis.deadline', { at: format.dateTime(order.pickupDeadline) })}
        </span>
      ) : null}
      {order.pendingSync ? <span className="muted">{t('bopis.pendingSync')}</span> : null}
      {order.message ? <span className="muted">{order.message}</span> : null}
      <button
        type="button"
        className="btn btn-primary"
        disabled={busy}
        onClick={() => void bopis.getState().open(order.orderId)}
      >
        {t('bopis.open')}
      </button>
    </li>
  );
}

function OrderLines({ order }: { order: BopisOrderDetail }) {
  const format = useFormat();
  return (
    <ul className="return-lines" aria-label={t('bopis.lines')}>
      {order.lines.map((line) => {
        const unit = line.unit ?? 'each';
        return (
          <li key={line.lineId} className="return-line">
            <span className="cart-line-name">{line.name ?? t('bopis.unknownItem', { sku: line.sku })}</span>
            <span>
              {t('bopis.lineProgress', {
                picked: format.quantity(line.pickedQty, unit),
                qty: format.quantity(line.qty, unit),
              })}
            </span>
            {line.shortPicked ? <span className="pill pill-warn">{t('bopis.lineShort')}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

function OrderHeader({ order }: { order: BopisOrderDetail }) {
  const format = useFormat();
  return (
    <>
      <h2>{t('bopis.orderTitle', { order: order.orderNumber })}</h2>
      <p>
        {order.customer.name} · {t(`bopis.status.${order.status}`)}
        {order.pickupDeadline
          ? ` · ${t('bopis.deadline', { at: format.dateTime(order.pickupDeadline) })}`
          : ''}
      </p>
      <ShipTo order={order} />
      <ShipmentSummary order={order} />
      {order.message ? <p className="muted">{format.localInstants(order.message)}</p> : null}
      {order.pendingSync ? <p className="muted">{t('bopis.pendingSync')}</p> : null}
    </>
  );
}

/** One order being worked on: accept, pick by scanning, report short, mark ready, or put items back. */
function OrderWork({ order }: { order: BopisOrderDetail }) {
  const { bopis } = usePos();
  const format = useFormat();
  const busy = useArea(bopis, (state) => state.busy);
  const lastPick = useArea(bopis, (state) => state.lastPick);
  const [code, setCode] = useState('');
  const [reportingShort, setReportingShort] = useState(false);
  const store = bopis.getState();
  const ship = order.fulfilment === 'ship';
  const picking = order.task === 'pick' && order.status === 'PICKING';
  const allPicked = order.lines.every((line) => line.remainingQty === 0 || line.shortPicked);
  const pickedLine = lastPick ? order.lines.find((line) => line.lineId === lastPick.lineId) : undefined;
  return (
    <>
      <button type="button" className="btn" onClick={() => store.close()}>
        {t('bopis.back')}
      </button>
      <OrderHeader order={order} />
      <OrderLines order={order} />
      {order.task === 'accept' ? (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void store.accept()}>
          {t('bopis.accept')}
        </button>
      ) : null}
      {order.task === 'pick' && order.status !== 'PICKING' ? (
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={() => void store.startPicking()}
        >
          {t('bopis.startPicking')}
        </button>
      ) : null}
      {picking ? (
        <>
          <form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              const scanned = code;
              setCode('');
              void store.pickScan(scanned);
            }}
          >
            <label className="field field-scan">
              <span>{t('bopis.scanLabel')}</span>
              <input
                autoFocus
                autoComplete="off"
                spellCheck={false}
                value={code}
                onChange={(event) => setCode(event.target.value)}
              />
            </label>
          </form>
          {lastPick && pickedLine ? (
            <p role="status">
              {lastPick.lineComplete
                ? t('bopis.lineDone', { name: pickedLine.name ?? lastPick.sku })
                : t('bopis.picked', {
                    name: pickedLine.name ?? lastPick.sku,
                    picked: format.quantity(lastPick.pickedQty, pickedLine.unit ?? 'each'),
                    qty: format.quantity(pickedLine.qty, pickedLine.unit ?? 'each'),
                  })}
            </p>
          ) : null}
          <div className="tender-actions">
            <button type="button" className="btn" disabled={busy} onClick={() => setReportingShort(true)}>
              {t('bopis.reportShort')}
            </button>
            {ship ? null : (
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy || !allPicked}
                onClick={() => void store.markReady()}
              >
                {t('bopis.markReady')}
              </button>
            )}
          </div>
        </>
      ) : null}
      {order.task === 'pack' ? <PackForm key={`pack-${order.orderId}`} /> : null}
      {order.task === 'ship' ? <ShipForm key={`ship-${order.orderId}`} /> : null}
      {order.task === 'put_back' ? (
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={() => void store.unstage()}
        >
          {t('bopis.unstage')}
        </button>
      ) : null}
      {order.timeline.length > 0 ? (
        <section aria-label={t('bopis.timeline')}>
          <h3>{t('bopis.timeline')}</h3>
          <ul className="notes">
            {order.timeline.map((entry, index) => (
              <li key={`${entry.at}-${index}`}>
                {t('bopis.timelineEntry', {
                  at: format.dateTime(entry.at),
                  by: t(`bopis.by.${entry.by}`),
                  to: t(`bopis.status.${entry.to}`),
                })}
                {entry.detail ? ` · ${format.localInstants(entry.detail)}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {reportingShort ? <ShortPickDialog order={order} onDone={() => setReportingShort(false)} /> : null}
    </>
  );
}

/** What could be found of each line still open; the hub finds the rest elsewhere. */
function ShortPickDialog({ order, onDone }: { order: BopisOrderDetail; onDone: () => void }) {
  const { bopis } = usePos();
  const format = useFormat();
  const busy = useArea(bopis, (state) => state.busy);
  const error = useArea(bopis, (state) => state.error);
  const open = order.lines.filter((line) => line.remainingQty > 0);
  const [found, setFound] = useState<Readonly<Record<string, number>>>(
    Object.fromEntries(open.map((line) => [line.lineId, line.pickedQty])),
  );
  return (
    <Dialog
      title={t(order.fulfilment === 'ship' ? 'bopis.shortLineTitle' : 'bopis.shortTitle')}
      onCancel={onDone}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const lines = open.map((line) => ({ lineId: line.lineId, foundQty: found[line.lineId] ?? 0 }));
          // A ship order leaves with what was found (charged for that); a pickup order is re-routed.
          void (
            order.fulfilment === 'ship'
              ? bopis.getState().shortLines(lines)
              : bopis.getState().shortPick(lines)
          ).then((done) => done && onDone());
        }}
      >
        <ErrorBanner error={localError(error, format)} />
        {open.map((line) => (
          <QuantityInput
            key={line.lineId}
            label={t('bopis.foundFor', {
              name: line.name ?? line.sku,
              qty: format.quantity(line.qty, line.unit ?? 'each'),
            })}
            unit={line.unit ?? 'each'}
            value={found[line.lineId] ?? 0}
            onChange={(qty) => setFound({ ...found, [line.lineId]: qty })}
          />
        ))}
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={onDone}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('bopis.shortConfirm')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The customer is at the till: find the order by pickup code or order number and name, then hand it over. */
function Pickup() {
  const { bopis } = usePos();
  const format = useFormat();
  const busy = useArea(bopis, (state) => state.busy);
  const order = useArea(bopis, (state) => state.order);
  const handedOverId = useArea(bopis, (state) => state.handedOverId);
  const [by, setBy] = useState<PickupAttempt['kind']>('pickup_code');
  const [code, setCode] = useState('');
  const [orderNumber, setOrderNumber] = useState('');
  const [customerName, setCustomerName] = useState('');
  const attempt = (): PickupAttempt | null => {
    if (by === 'pickup_code') return code.trim() === '' ? null : { kind: 'pickup_code', code: code.trim() };
    return orderNumber.trim() === '' || customerName.trim() === ''
      ? null
      : { kind: 'order_number_and_name', orderNumber: orderNumber.trim(), customerName: customerName.trim() };
  };
  const run = (action: 'lookup' | 'handOver') => {
    const given = attempt();
    if (!given) {
      bopis.setState({ error: screenError(t('bopis.pickupIncomplete')) });
      return;
    }
    void bopis.getState()[action](given);
  };
  return (
    <>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          run('lookup');
        }}
      >
        <Segmented
          legend={t('bopis.pickupBy')}
          name="pickup-by"
          options={[
            { value: 'pickup_code', label: t('bopis.pickupCodeOption') },
            { value: 'order_number_and_name', label: t('bopis.orderNameOption') },
          ]}
          value={by}
          onChange={setBy}
        />
        {by === 'pickup_code' ? (
          <label className="field field-scan">
            <span>{t('bopis.pickupCode')}</span>
            <input
              autoFocus
              autoComplete="off"
              spellCheck={false}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          </label>
        ) : (
          <>
            <label className="field">
              <span>{t('bopis.orderNumber')}</span>
              <input
                autoComplete="off"
                value={orderNumber}
                onChange={(event) => setOrderNumber(event.target.value)}
              />
            </label>
            <label className="field">
              <span>{t('bopis.customerName')}</span>
              <input
                autoComplete="off"
                value={customerName}
                onChange={(event) => setCustomerName(event.target.value)}
              />
            </label>
          </>
        )}
        <button type="submit" className="btn" disabled={busy}>
          {t('bopis.find')}
        </button>
      </form>
      {order ? (
        <>
          <OrderHeader order={order} />
          <OrderLines order={order} />
          {order.handover.allowed ? (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => run('handOver')}>
              {t('bopis.handOver')}
            </button>
          ) : order.handover.reason && order.orderId !== handedOverId ? (
            <p className="banner banner-warning">
              {t('bopis.cannotHandOver', { reason: format.localInstants(order.handover.reason) })}
            </p>
          ) : null}
        </>
      ) : null}
    </>
  );
}
