import type { ErrorBody } from '@retail/domain';
import { useId, useMemo, useState, type FormEvent } from 'react';
import type { HubException, StoreNode } from '../../api/api-types';
import { useCanAct, useServices } from '../../app/dashboard-context';
import { useLiveReload } from '../../app/use-live';
import { useLoad } from '../../app/use-load';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { Link } from '../../components/link';
import { kindLabel, nodeLabel } from '../../format/labels';
import { t } from '../../i18n/translate';
import { describeDetails, type HeldView, type ResolutionView } from './exception-details';

type StatusFilter = 'open' | 'resolved';

/** The landing screen: every exception with what happened, what caused it and what was done. */
export function ExceptionsScreen() {
  const { api } = useServices();
  const [status, setStatus] = useState<StatusFilter>('open');
  const [kind, setKind] = useState('');
  const [nodeId, setNodeId] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const nodes = useLoad(() => api.nodes(), [api]);
  // Kind is filtered here, not by the hub, so the counts per kind always cover the whole status and node.
  const list = useLoad(
    () => api.exceptions({ status, nodeId: nodeId === '' ? undefined : nodeId, limit: 500 }),
    [api, status, nodeId],
  );
  useLiveReload('exceptions', list.reload);
  const knownNodes = nodes.state.status === 'ready' ? nodes.state.value : [];
  const ids = { status: useId(), kind: useId(), node: useId() };

  return (
    <section aria-labelledby="exceptions-title">
      <h1 id="exceptions-title">{t('exceptions.title')}</h1>
      <form
        className="filters"
        aria-label={t('exceptions.filters')}
        onSubmit={(event) => event.preventDefault()}
      >
        <label htmlFor={ids.status}>{t('exceptions.status')}</label>
        <select
          id={ids.status}
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as StatusFilter);
            setNotice(null);
          }}
        >
          <option value="open">{t('exceptions.status.open')}</option>
          <option value="resolved">{t('exceptions.status.resolved')}</option>
        </select>
        <label htmlFor={ids.kind}>{t('exceptions.kind')}</label>
        <select id={ids.kind} value={kind} onChange={(event) => setKind(event.target.value)}>
          <option value="">{t('common.all')}</option>
          {KNOWN_KINDS.map((type) => (
            <option key={type} value={type}>
              {kindLabel(type)}
            </option>
          ))}
        </select>
        <label htmlFor={ids.node}>{t('exceptions.node')}</label>
        <select id={ids.node} value={nodeId} onChange={(event) => setNodeId(event.target.value)}>
          <option value="">{t('common.all')}</option>
          {knownNodes.map((node) => (
            <option key={node.nodeId} value={node.nodeId}>
              {nodeLabel(knownNodes, node.nodeId)}
            </option>
          ))}
        </select>
      </form>
      <Notice text={notice} />
      <Loaded state={list.state}>
        {(exceptions) => (
          <ExceptionList
            exceptions={exceptions}
            status={status}
            kind={kind}
            onKind={setKind}
            nodes={knownNodes}
            onResolved={(message) => {
              setNotice(message);
              list.reload();
            }}
          />
        )}
      </Loaded>
    </section>
  );
}

/**
 * The kinds offered in the filter. Plain strings, not the hub's union: a kind added by a newer hub (or by a
 * module landing alongside this one) is still listed, counted and labelled, never a type error here.
 */
export const KNOWN_KINDS: readonly string[] = [
  'OVERSELL',
  'NEGATIVE_SELLABLE',
  'REJECTED_EVENT',
  'SEQUENCE_CONFLICT',
  'PUSH_REFUSED',
  'DEVICE_RESTORED',
  'HANDOVER_CONFLICT',
  'PICK_SHORTAGE',
  'PRICING_AUDIT',
  'LOYALTY_OVERDRAFT',
  'STORED_VALUE_OVERDRAFT',
  'STORED_VALUE_PIN_REVIEW',
  'GIFT_CARD_LOAD_REVIEW',
  'CUSTOMER_MERGE_REVIEW',
  'LOYALTY_NOT_BOOKED',
  'COUNT_MISMATCH',
  'TRANSFER_VARIANCE',
  'ORPHAN_VOID',
  'SIGN_IN_FAILURES',
  'SALE_LOOKUP_LIMIT',
  'INTEGRATION_LAG',
  'INTEGRATION_DEAD_LETTER',
  'INTEGRATION_EVENT_INVALID',
  'RECEIPT_VARIANCE',
  'LOYALTY_CLAIM_MISMATCH',
  'POINTS_EARNED_MISMATCH',
  'CARD_REFERENCE_SUSPECT',
  'POINTS_HELD',
  'STORE_CREDIT_HELD',
  'RETURN_OVER_RETURNABLE',
  'STAFF_DEACTIVATED',
  'LIMIT_EXCEEDED',
];

function ExceptionList({
  exceptions,
  status,
  kind,
  onKind,
  nodes,
  onResolved,
}: {
  exceptions: readonly HubException[];
  status: StatusFilter;
  kind: string;
  onKind: (kind: string) => void;
  nodes: readonly StoreNode[];
  onResolved: (message: string) => void;
}) {
  const { format } = useServices();
  const counts = useMemo(() => {
    const byKind = new Map<string, number>();
    for (const exception of exceptions) byKind.set(exception.type, (byKind.get(exception.type) ?? 0) + 1);
    return [...byKind.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }, [exceptions]);
  const shown = kind === '' ? exceptions : exceptions.filter((exception) => exception.type === kind);

  return (
    <>
      <ul className="counts" aria-label={t('exceptions.counts')}>
        <li>
          <button
            type="button"
            className="chip"
            aria-pressed={kind === ''}
            aria-label={t('exceptions.showAllKinds', { count: exceptions.length })}
            onClick={() => onKind('')}
          >
            {t('common.all')} <strong>{format.count(exceptions.length)}</strong>
          </button>
        </li>
        {counts.map(([type, count]) => (
          <li key={type}>
            <button
              type="button"
              className="chip"
              aria-pressed={kind === type}
              aria-label={t('exceptions.showKind', { kind: kindLabel(type), count })}
              onClick={() => onKind(type)}
            >
              {kindLabel(type)} <strong>{format.count(count)}</strong>
            </button>
          </li>
        ))}
      </ul>
      {exceptions.length >= 500 ? <p className="muted">{t('exceptions.capped', { count: 500 })}</p> : null}
      {shown.length === 0 ? (
        <p>{t('exceptions.empty', { status: t(`exceptions.status.${status}`).toLowerCase() })}</p>
      ) : (
        <ul className="cards" aria-label={t('exceptions.list')}>
          {shown.map((exception) => (
            <ExceptionCard
              key={exception.exceptionId}
              exception={exception}
              nodes={nodes}
              onResolved={onResolved}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function ExceptionCard({
  exception,
  nodes,
  onResolved,
}: {
  exception: HubException;
  nodes: readonly StoreNode[];
  onResolved: (message: string) => void;
}) {
  const { format } = useServices();
  const canAct = useCanAct();
  const titleId = useId();
  const view = describeDetails(exception.details);
  const heading =
    exception.nodeId === null
      ? t('exceptions.headingNoNode', { kind: kindLabel(exception.type) })
      : t('exceptions.heading', {
          kind: kindLabel(exception.type),
          node: nodeLabel(nodes, exception.nodeId),
        });

  return (
    <li className={`card severity-${exception.severity}`} aria-labelledby={titleId}>
      <header className="card-head">
        <h2 id={titleId}>{heading}</h2>
        <span className={`badge badge-${exception.severity}`}>
          {t(`exceptions.severity.${exception.severity}`)}
        </span>
        <span className="muted">
          {t('exceptions.raisedAt', { at: format.dateTime(exception.createdAt) })}
          {exception.occurrences > 1
            ? ` · ${t('exceptions.occurrences', { count: exception.occurrences, at: format.dateTime(exception.updatedAt) })}`
            : ''}
        </span>
      </header>
      <div className="card-grid">
        <section aria-label={t('exceptions.happened')}>
          <h3>{t('exceptions.happened')}</h3>
          <p>{view.message ?? kindLabel(exception.type)}</p>
        </section>
        <section aria-label={t('exceptions.cause')}>
          <h3>{t('exceptions.cause')}</h3>
          <dl className="facts">
            {view.orderId === null ? null : (
              <>
                <dt>{t('exceptions.order')}</dt>
                <dd>
                  <Link to={{ name: 'order', orderId: view.orderId }}>
                    {view.orderNumber ?? view.orderId}
                  </Link>
                </dd>
              </>
            )}
            {exception.sku === null ? null : (
              <>
                <dt>{t('exceptions.sku')}</dt>
                <dd>
                  <Link to={{ name: 'inventory', sku: exception.sku }}>{exception.sku}</Link>
                </dd>
              </>
            )}
            {view.deviceId === null ? null : (
              <>
                <dt>{t('exceptions.device')}</dt>
                <dd>
                  <Link to={{ name: 'stores' }}>
                    {view.deviceSeq === null
                      ? view.deviceId
                      : t('exceptions.deviceSeq', { seq: view.deviceSeq, device: view.deviceId })}
                  </Link>
                </dd>
              </>
            )}
            {view.eventType === null ? null : (
              <>
                <dt>{t('exceptions.eventType')}</dt>
                <dd>
                  <code>{view.eventType}</code>
                </dd>
              </>
            )}
            {view.receiptNumber === null ? null : (
              <>
                <dt>{t('exceptions.receipt')}</dt>
                <dd>{view.receiptNumber}</dd>
              </>
            )}
            {view.affectedReservations.length === 0 ? null : (
              <>
                <dt>{t('exceptions.reservations')}</dt>
                <dd>
                  <ul className="plain">
                    {view.affectedReservations.map((reservation) => (
                      <li key={reservation.reservationId}>
                        {t('exceptions.reservation', {
                          qty: reservation.qty,
                          orderRef: reservation.orderRef,
                        })}
                      </li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            <dt>{t('exceptions.causeEvents')}</dt>
            <dd>
              {exception.causeEventIds.length === 0 ? (
                t('exceptions.noCauseEvents')
              ) : (
                <ul className="plain">
                  {exception.causeEventIds.map((eventId) => (
                    <li key={eventId}>
                      <code>{eventId}</code>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </dl>
        </section>
        <section aria-label={t('exceptions.done')}>
          <h3>{t('exceptions.done')}</h3>
          <ResolutionSteps resolution={view.resolution} nodes={nodes} />
          {exception.status === 'resolved' ? (
            <p>
              {t('exceptions.resolvedBy', {
                actor: exception.resolvedBy ?? '',
                at: exception.resolvedAt === null ? '' : format.dateTime(exception.resolvedAt),
                note: exception.resolutionNote ?? '',
              })}
            </p>
          ) : view.resolution === null ? (
            <p className="muted">{t('exceptions.nothingYet')}</p>
          ) : null}
        </section>
      </div>
      {view.other.length === 0 ? null : (
        <details>
          <summary>{t('exceptions.more')}</summary>
          <dl className="facts">
            {view.other.map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>
                  <code>{value}</code>
                </dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      {exception.status === 'open' && canAct ? (
        view.held === null ? (
          <ResolveForm exception={exception} onResolved={onResolved} />
        ) : (
          <SettleHeldForm exception={exception} held={view.held} onResolved={onResolved} />
        )
      ) : null}
    </li>
  );
}

function ResolutionSteps({
  resolution,
  nodes,
}: {
  resolution: ResolutionView | null;
  nodes: readonly StoreNode[];
}) {
  const { format } = useServices();
  if (resolution === null) return null;
  return (
    <>
      {resolution.message === null ? null : <p>{resolution.message}</p>}
      {resolution.victims.length === 0 ? null : (
        <ul className="plain">
          {resolution.victims.map((victim) => (
            <li key={victim.orderId}>
              <Link to={{ name: 'order', orderId: victim.orderId }}>{victim.orderNumber}</Link>
              {': '}
              {victim.outcome === 'rerouted' && victim.toNodeId !== null
                ? t('exceptions.victim.rerouted', {
                    qty: victim.qty,
                    node: nodeLabel(nodes, victim.toNodeId),
                  })
                : victim.outcome === 'cancelled'
                  ? t('exceptions.victim.cancelled', { qty: victim.qty })
                  : t('exceptions.victim.other', { qty: victim.qty, outcome: victim.outcome })}
            </li>
          ))}
        </ul>
      )}
      {resolution.steps.length === 0 ? null : (
        <ol className="timeline">
          {resolution.steps.map((step, index) => (
            <li key={`${step.at}-${index}`}>
              {step.at === null ? null : <span className="muted">{format.dateTime(step.at)} · </span>}
              {step.message}
            </li>
          ))}
        </ol>
      )}
      {resolution.ignored.length === 0 ? null : (
        <ul className="plain">
          {resolution.ignored.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      {resolution.refunds.map((refund) => (
        <p key={refund}>{t('exceptions.refund', { message: refund })}</p>
      ))}
    </>
  );
}

/**
 * Points or store credit the hub held for review: releasing grants them, dropping never does; either
 * closes the exception, so there is no separate resolve.
 */
function SettleHeldForm({
  exception,
  held,
  onResolved,
}: {
  exception: HubException;
  held: HeldView;
  onResolved: (message: string) => void;
}) {
  const { api } = useServices();
  const [note, setNote] = useState('');
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const noteId = useId();

  const settle = async (action: 'release' | 'drop') => {
    if (note.trim().length < 3) {
      setError({ code: 'INVALID_INPUT', message: t('exceptions.noteTooShort') });
      return;
    }
    setWorking(true);
    const result = await api.settleHeld(held.kind, held.id, action, note.trim());
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onResolved(
      t(action === 'release' ? `exceptions.released.${held.kind}` : `exceptions.dropped.${held.kind}`),
    );
  };

  return (
    <form
      className="resolve"
      aria-label={t('exceptions.settleForm', { kind: kindLabel(exception.type), id: exception.exceptionId })}
      onSubmit={(event) => event.preventDefault()}
    >
      <label htmlFor={noteId}>{t('exceptions.settleNote')}</label>
      <textarea
        id={noteId}
        value={note}
        rows={2}
        maxLength={2000}
        onChange={(event) => setNote(event.target.value)}
      />
      <ErrorBanner error={error} />
      <button
        type="button"
        className="btn btn-primary"
        disabled={working}
        onClick={() => void settle('release')}
      >
        {t('exceptions.release')}
      </button>
      <button type="button" className="btn" disabled={working} onClick={() => void settle('drop')}>
        {t('exceptions.drop')}
      </button>
    </form>
  );
}

function ResolveForm({
  exception,
  onResolved,
}: {
  exception: HubException;
  onResolved: (message: string) => void;
}) {
  const { api } = useServices();
  const [note, setNote] = useState('');
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const noteId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (note.trim().length < 3) {
      setError({ code: 'INVALID_INPUT', message: t('exceptions.noteTooShort') });
      return;
    }
    setWorking(true);
    const result = await api.resolveException(exception.exceptionId, note.trim());
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onResolved(t('exceptions.resolved'));
  };

  return (
    <form
      className="resolve"
      aria-label={t('exceptions.resolveForm', { kind: kindLabel(exception.type), id: exception.exceptionId })}
      onSubmit={(event) => void submit(event)}
    >
      <label htmlFor={noteId}>{t('exceptions.note')}</label>
      <textarea
        id={noteId}
        value={note}
        rows={2}
        maxLength={2000}
        onChange={(event) => setNote(event.target.value)}
      />
      <ErrorBanner error={error} />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('exceptions.resolve')}
      </button>
    </form>
  );
}
