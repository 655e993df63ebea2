import type { ErrorBody } from '@retail/domain';
import { TERMINAL_BOPIS_STATUSES, assertNever } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { NotificationView, OrderView, RoutingResult, StoreNode } from '../../api/api-types';
import type { ApiResult } from '../../api/hub-api';
import { useCanAct, useServices } from '../../app/dashboard-context';
import { useLiveReload } from '../../app/use-live';
import { useLoad } from '../../app/use-load';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { Link } from '../../components/link';
import { t } from '../../i18n/translate';
import { nodeLabel, statusLabel } from '../../format/labels';

/** One order: where it is and why, everything that happened to it, and HQ's cancel and re-route. */
export function OrderScreen({ orderId }: { orderId: string }) {
  const { api } = useServices();
  const nodes = useLoad(() => api.nodes(), [api]);
  const order = useLoad(() => api.order(orderId), [api, orderId]);
  const [shown, setShown] = useState<OrderView | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const knownNodes = nodes.state.status === 'ready' ? nodes.state.value : [];
  useLiveReload(
    'orders',
    () => {
      // The hub's newer state replaces what an action of this tab answered.
      setShown(null);
      order.reload();
    },
    (change) => change.id === orderId,
  );

  return (
    <section aria-labelledby="order-title">
      <p>
        <Link to={{ name: 'orders' }}>{t('order.back')}</Link>
      </p>
      <Loaded state={order.state}>
        {(loaded) => {
          // An action's answer is the new order; showing it avoids a second round trip.
          const view = shown !== null && shown.orderId === loaded.orderId ? shown : loaded;
          return (
            <OrderDetails
              view={view}
              nodes={knownNodes}
              notice={notice}
              onChanged={(next, message) => {
                setShown(next);
                setNotice(message);
              }}
            />
          );
        }}
      </Loaded>
    </section>
  );
}

function OrderDetails({
  view,
  nodes,
  notice,
  onChanged,
}: {
  view: OrderView;
  nodes: readonly StoreNode[];
  notice: string | null;
  onChanged: (next: OrderView, message: string) => void;
}) {
  const { format } = useServices();
  const payment = view.order.payment;
  const pickedByLine = new Map(view.progress.map((line) => [line.lineId, line]));
  return (
    <>
      <h1 id="order-title">{t('order.title', { number: view.orderNumber })}</h1>
      <Notice text={notice} />
      <dl className="facts" aria-label={t('order.summary')}>
        <dt>{t('order.status')}</dt>
        <dd>
          <span className={`status status-${view.status.toLowerCase()}`}>{statusLabel(view.status)}</span>
        </dd>
        <dt>{t('order.store')}</dt>
        <dd>{view.nodeId === null ? t('orders.unassigned') : nodeLabel(nodes, view.nodeId)}</dd>
        <dt>{t('order.customer')}</dt>
        <dd>{view.order.customer.name}</dd>
        <dt>{t('order.payment')}</dt>
        <dd>
          {t('order.paymentValue', {
            amount: format.money(payment.amount, payment.currency),
            status: t(`order.payment.${view.paymentStatus}`),
            ref: payment.authorisationRef,
          })}
        </dd>
        <dt>{t('order.pickupCode')}</dt>
        <dd>
          <code>{view.pickupCode}</code>
        </dd>
        {view.pickupDeadline === null ? null : (
          <>
            <dt>{t('order.pickupBy')}</dt>
            <dd>{format.dateTime(view.pickupDeadline)}</dd>
          </>
        )}
        {view.cancelReason === null ? null : (
          <>
            <dt>{t('order.cancelReason')}</dt>
            <dd>{view.cancelReason}</dd>
          </>
        )}
      </dl>

      <OrderActions view={view} onChanged={onChanged} />

      <h2>{t('order.lines')}</h2>
      <table aria-label={t('order.lines')}>
        <thead>
          <tr>
            <th scope="col">{t('order.line')}</th>
            <th scope="col">{t('exceptions.sku')}</th>
            <th scope="col">{t('order.qty')}</th>
            <th scope="col">{t('order.picked')}</th>
          </tr>
        </thead>
        <tbody>
          {view.order.lines.map((line) => {
            const picked = pickedByLine.get(line.lineId);
            return (
              <tr key={line.lineId}>
                <th scope="row">{line.lineId}</th>
                <td>
                  <Link to={{ name: 'inventory', sku: line.sku }}>{line.sku}</Link>
                </td>
                <td>{format.count(line.qty)}</td>
                <td>
                  {picked === undefined ? '' : format.count(picked.pickedQty)}
                  {picked?.shortPicked ? ` (${t('order.shortPicked')})` : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <RoutingExplanation routing={view.routing} nodes={nodes} />

      <h2>{t('order.timeline')}</h2>
      <ol className="timeline" aria-label={t('order.timeline')}>
        {view.timeline.map((entry) => (
          <li key={entry.seq}>
            <span className="muted">
              {t('order.timelineEntry', { at: format.dateTime(entry.at), actor: entry.actor })}
            </span>
            <div>{entry.message}</div>
          </li>
        ))}
      </ol>

      <h2>{t('order.reservations')}</h2>
      {view.reservations.length === 0 ? (
        <p>{t('order.noReservations')}</p>
      ) : (
        <table aria-label={t('order.reservations')}>
          <thead>
            <tr>
              <th scope="col">{t('order.reservation.node')}</th>
              <th scope="col">{t('order.reservation.sku')}</th>
              <th scope="col">{t('order.reservation.qty')}</th>
              <th scope="col">{t('order.reservation.status')}</th>
              <th scope="col">{t('order.reservation.replacedBy')}</th>
            </tr>
          </thead>
          <tbody>
            {view.reservations.map((reservation) => (
              <tr key={reservation.reservationId}>
                <td>{nodeLabel(nodes, reservation.nodeId)}</td>
                <td>{reservation.sku}</td>
                <td>{format.count(reservation.qty)}</td>
                <td>{reservation.status}</td>
                <td>{reservation.replacedBy === null ? '' : <code>{reservation.replacedBy}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <Notifications view={view} />

      {view.refunds.length === 0 ? null : (
        <>
          <h2>{t('order.refunds')}</h2>
          <ul className="plain" aria-label={t('order.refunds')}>
            {view.refunds.map((refund) => (
              <li key={refund.refundId}>
                {format.money(refund.amount, refund.currency)} · {refund.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function RoutingExplanation({
  routing,
  nodes,
}: {
  routing: RoutingResult | null;
  nodes: readonly StoreNode[];
}) {
  const { format } = useServices();
  if (routing === null) {
    return (
      <>
        <h2>{t('order.routing')}</h2>
        <p>{t('order.noRouting')}</p>
      </>
    );
  }
  const at = format.dateTime(routing.decidedAt);
  const decision = routing.decision;
  let summary: string;
  switch (decision.outcome) {
    case 'routed':
      summary = t('order.decision.routed', { node: nodeLabel(nodes, decision.nodeId), at });
      break;
    case 'split':
      summary = t('order.decision.split', {
        nodes: decision.allocations.map((allocation) => nodeLabel(nodes, allocation.nodeId)).join(', '),
        at,
      });
      break;
    case 'unroutable':
      summary = t('order.decision.unroutable', { reason: decision.reason, at });
      break;
    default:
      summary = assertNever(decision, 'routing decision');
  }
  return (
    <>
      <h2>{t('order.routing')}</h2>
      <p>{summary}</p>
      <p className="muted">
        {t('order.criteria', {
          criteria: routing.criteria.map((criterion) => t(`order.criterion.${criterion}`)).join(' → '),
        })}
      </p>
      <table aria-label={t('order.candidates')}>
        <thead>
          <tr>
            <th scope="col">{t('order.candidate.node')}</th>
            <th scope="col">{t('order.candidate.verdict')}</th>
            <th scope="col">{t('order.candidate.rank')}</th>
            <th scope="col">{t('order.candidate.atp')}</th>
            <th scope="col">{t('order.candidate.distance')}</th>
            <th scope="col">{t('order.candidate.why')}</th>
          </tr>
        </thead>
        <tbody>
          {routing.candidates.map((candidate) => (
            <tr key={candidate.nodeId}>
              <th scope="row">
                {nodeLabel(nodes, candidate.nodeId)}
                {candidate.chosenStore ? ` (${t('order.candidate.customerChoice')})` : ''}
              </th>
              <td>
                {candidate.selected
                  ? t('order.candidate.selected')
                  : candidate.eligible
                    ? t('order.candidate.eligible')
                    : t('order.candidate.ineligible')}
              </td>
              <td>{candidate.rank ?? ''}</td>
              <td>{format.count(candidate.totalAtp)}</td>
              <td>
                {candidate.distanceMetres === undefined
                  ? ''
                  : t('order.distanceKm', { km: format.count(Math.round(candidate.distanceMetres / 1000)) })}
              </td>
              <td>
                <div>{candidate.summary}</div>
                {candidate.reasons.length === 0 ? null : (
                  <ul className="plain">
                    {candidate.reasons.map((reason) => (
                      <li key={reason.code}>{reason.message}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function notificationState(notification: NotificationView, dateTime: (at: number) => string): string {
  switch (notification.status) {
    case 'pending':
      return t('order.notification.pending', {
        at: notification.nextAttemptAt === null ? '' : dateTime(notification.nextAttemptAt),
      });
    case 'delivered':
      return t('order.notification.delivered', {
        at: notification.deliveredAt === null ? '' : dateTime(notification.deliveredAt),
      });
    case 'failed':
      return t('order.notification.failed');
    default:
      return assertNever(notification.status, 'notification status');
  }
}

function Notifications({ view }: { view: OrderView }) {
  const { api, format } = useServices();
  const canAct = useCanAct();
  const [updated, setUpdated] = useState<ReadonlyMap<string, NotificationView>>(new Map());
  const [error, setError] = useState<ErrorBody | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const notifications = view.notifications.map((item) => updated.get(item.notificationId) ?? item);

  const retry = async (notification: NotificationView) => {
    const result = await api.retryNotification(notification.notificationId);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setUpdated((current) => new Map(current).set(result.value.notificationId, result.value));
    setNotice(t('order.notification.retried', { kind: t(`notification.${notification.kind}`) }));
  };

  return (
    <>
      <h2>{t('order.notifications')}</h2>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {notifications.length === 0 ? (
        <p>{t('order.noNotifications')}</p>
      ) : (
        <table aria-label={t('order.notifications')}>
          <thead>
            <tr>
              <th scope="col">{t('order.notification.kind')}</th>
              <th scope="col">{t('order.notification.status')}</th>
              <th scope="col">{t('order.notification.attempts')}</th>
              <th scope="col">{t('order.notification.lastError')}</th>
              <th scope="col">
                <span className="sr-only">{t('order.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {notifications.map((notification) => (
              <tr key={notification.notificationId}>
                <th scope="row">{t(`notification.${notification.kind}`)}</th>
                <td>{notificationState(notification, format.dateTime)}</td>
                <td>{format.count(notification.attempts)}</td>
                <td>{notification.lastError ?? ''}</td>
                <td>
                  {canAct && notification.status === 'failed' ? (
                    <button
                      type="button"
                      className="btn"
                      onClick={() => void retry(notification)}
                      aria-label={t('order.notification.retry', {
                        kind: t(`notification.${notification.kind}`),
                      })}
                    >
                      {t('order.notification.retry', { kind: t(`notification.${notification.kind}`) })}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function OrderActions({
  view,
  onChanged,
}: {
  view: OrderView;
  onChanged: (next: OrderView, message: string) => void;
}) {
  const { api } = useServices();
  const canAct = useCanAct();
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const noteId = useId();
  if (!canAct) return null;
  if (TERMINAL_BOPIS_STATUSES.includes(view.status)) return <p className="muted">{t('order.closed')}</p>;

  const run = async (action: () => Promise<ApiResult<OrderView>>, message: (next: OrderView) => string) => {
    setWorking(true);
    const result = await action();
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setConfirming(false);
    onChanged(result.value, message(result.value));
  };

  const cancel = (event: FormEvent) => {
    event.preventDefault();
    if (!confirming) {
      setConfirming(true);
      return;
    }
    void run(
      () => api.cancelOrder(view.orderId, view.version, note.trim()),
      (next) => t('order.cancelled', { number: next.orderNumber }),
    );
  };

  return (
    <section aria-labelledby={`${noteId}-actions`} className="actions">
      <h2 id={`${noteId}-actions`}>{t('order.actions')}</h2>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <button
        type="button"
        className="btn"
        disabled={working}
        onClick={() =>
          void run(
            () => api.rerouteOrder(view.orderId, view.version),
            () => t('order.rerouted'),
          )
        }
      >
        {t('order.reroute')}
      </button>
      <form aria-label={t('order.cancel')} onSubmit={cancel} className="inline-form">
        <label htmlFor={noteId}>{t('order.cancelNote')}</label>
        <input id={noteId} value={note} maxLength={500} onChange={(event) => setNote(event.target.value)} />
        <button type="submit" className={confirming ? 'btn btn-danger' : 'btn'} disabled={working}>
          {confirming ? t('order.cancelConfirm', { number: view.orderNumber }) : t('order.cancel')}
        </button>
      </form>
    </section>
  );
}
