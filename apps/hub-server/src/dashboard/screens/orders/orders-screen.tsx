import { useId, useState } from 'react';
import { BOPIS_STATUSES, type BopisStatus } from '@retail/domain';
import { useServices } from '../../app/dashboard-context';
import { useLiveReload } from '../../app/use-live';
import { useLoad } from '../../app/use-load';
import { Loaded } from '../../components/feedback';
import { Link } from '../../components/link';
import { t } from '../../i18n/translate';
import { nodeLabel, statusLabel } from '../../format/labels';

/** Online (BOPIS) orders, newest first, with a status filter. */
export function OrdersScreen() {
  const { api, format } = useServices();
  const [status, setStatus] = useState<BopisStatus | ''>('');
  const nodes = useLoad(() => api.nodes(), [api]);
  const orders = useLoad(() => api.orders({ status: status === '' ? undefined : status }), [api, status]);
  useLiveReload('orders', orders.reload);
  const knownNodes = nodes.state.status === 'ready' ? nodes.state.value : [];
  const statusId = useId();

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{t('orders.title')}</h1>
      <form className="filters" aria-label={t('orders.filters')} onSubmit={(event) => event.preventDefault()}>
        <label htmlFor={statusId}>{t('orders.status')}</label>
        <select
          id={statusId}
          value={status}
          onChange={(event) => setStatus(event.target.value as BopisStatus | '')}
        >
          <option value="">{t('common.all')}</option>
          {BOPIS_STATUSES.map((value) => (
            <option key={value} value={value}>
              {statusLabel(value)}
            </option>
          ))}
        </select>
      </form>
      <Loaded state={orders.state}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('orders.empty')}</p>
          ) : (
            <table aria-label={t('orders.list')}>
              <thead>
                <tr>
                  <th scope="col">{t('orders.number')}</th>
                  <th scope="col">{t('orders.customer')}</th>
                  <th scope="col">{t('orders.state')}</th>
                  <th scope="col">{t('orders.store')}</th>
                  <th scope="col">{t('orders.units')}</th>
                  <th scope="col">{t('orders.placed')}</th>
                  <th scope="col">{t('orders.expires')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((order) => (
                  <tr key={order.orderId}>
                    <th scope="row">
                      <Link to={{ name: 'order', orderId: order.orderId }}>{order.orderNumber}</Link>
                    </th>
                    <td>{order.customerName}</td>
                    <td>
                      <span className={`status status-${order.status.toLowerCase()}`}>
                        {statusLabel(order.status)}
                      </span>
                    </td>
                    <td>
                      {order.nodeId === null ? t('orders.unassigned') : nodeLabel(knownNodes, order.nodeId)}
                    </td>
                    <td>{t('orders.unitsValue', { lines: order.lines, units: order.units })}</td>
                    <td>{format.dateTime(order.createdAt)}</td>
                    <td>{order.expiresAt === null ? '' : format.dateTime(order.expiresAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
