import { useState, type FormEvent } from 'react';
import type { SaleView } from '../../../shared/commands';
import type { CustomerSummary, LoyaltyStatus } from '../../../shared/loyalty-commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { Dialog } from '../../components/dialog';
import { ErrorBanner, Notice } from '../../components/error-banner';
import type { StoreFormat } from '../../format/format';
import { t } from '../../i18n/translate';

/** How staff call a customer: the name, else what they were found by. */
export function customerName(customer: CustomerSummary): string {
  return customer.name ?? customer.phone ?? customer.email ?? t('customer.unnamed');
}

/** Contact, card and tier on one line, so two customers with the same name can be told apart. */
function customerDetails(customer: CustomerSummary): string {
  const shown = customerName(customer);
  const parts = [
    ...[customer.phone, customer.email].filter((contact) => contact !== shown),
    customer.loyalty ? t('customer.card', { card: customer.loyalty.cardNumber }) : t('customer.noLoyalty'),
    customer.loyalty?.tierName || null,
    customer.loyalty && customer.loyalty.status !== 'active'
      ? t('customer.blocked', { status: customer.loyalty.status })
      : null,
    customer.temporary ? t('customer.temporary') : null,
  ];
  return parts.filter((part): part is string => part !== null && part !== '').join(' · ');
}

/**
 * Whether the store node reaches the hub right now, as its sync agent last said. A balance from the node's
 * cache is only "the hub is offline" when this is false: the node also answers from its copy while online.
 */
export function useHubReachable(): boolean {
  const { sync } = usePos();
  return useArea(sync, (state) => state.status?.online ?? state.status?.agent === 'live');
}

/**
 * "As of 10:02 (5 minutes ago)"; from the node's copy while the hub answers, said so; with the hub out of
 * reach, that it is offline and how old the last synced balance is.
 */
export function balanceAge(
  status: { source: 'hub' | 'cache'; takenAt: string; ageMs: number },
  format: StoreFormat,
  hubReachable: boolean,
): string {
  const params = { time: format.dateTime(status.takenAt), age: format.age(status.ageMs) };
  if (status.source === 'hub') return t('loyalty.asOf', params);
  return hubReachable ? t('loyalty.asOfCopy', params) : t('loyalty.offline', params);
}

/** What the till may spend offline when that is less than the balance, with the node's reason. */
export function offlineLimitNote(
  loyalty: LoyaltyStatus,
  format: StoreFormat,
  hubReachable: boolean,
): string | null {
  if (hubReachable || loyalty.source === 'hub' || loyalty.offline.limitedBy === 'online') return null;
  const allowance = t('loyalty.offlineAllowance', {
    points: loyalty.offline.allowed,
    pointsText: format.count(loyalty.offline.allowed),
  });
  return loyalty.offline.reason ? `${allowance} ${loyalty.offline.reason}` : allowance;
}

/** The attached customer with their points: how many, how fresh, and what offline allows. */
export function CustomerPanel({ sale }: { sale: SaleView }) {
  const { sale: saleStore } = usePos();
  const format = useFormat();
  const busy = useArea(saleStore, (state) => state.busy);
  const hubReachable = useHubReachable();
  if (sale.customerId === null) return null;
  const attached = sale.customer ?? null;
  if (attached === null) {
    return (
      <dl className="totals customer-panel" aria-label={t('loyalty.panel')}>
        <div>
          <dt>{t('totals.customer')}</dt>
          <dd>{sale.customerId}</dd>
        </div>
      </dl>
    );
  }
  const { customer, loyalty } = attached;
  const limit = loyalty ? offlineLimitNote(loyalty, format, hubReachable) : null;
  const offline = loyalty !== null && loyalty.source === 'cache' && !hubReachable;
  return (
    <section className="customer-panel" aria-label={t('loyalty.panel')}>
      <p className="customer-name">
        <strong>{customerName(customer)}</strong>
        <br />
        <span className="muted">{customerDetails(customer)}</span>
      </p>
      {loyalty ? (
        <>
          <dl className="totals">
            <div>
              <dt>{t('loyalty.available')}</dt>
              <dd data-testid="points-available">
                {t('loyalty.points', {
                  points: loyalty.available,
                  pointsText: format.count(loyalty.available),
                })}
              </dd>
            </div>
            {loyalty.pending !== 0 ? (
              <div>
                <dt>{t('loyalty.pending')}</dt>
                <dd>
                  {t('loyalty.points', {
                    points: loyalty.pending,
                    pointsText: format.count(loyalty.pending),
                  })}
                </dd>
              </div>
            ) : null}
          </dl>
          <p className={offline ? 'banner banner-warning' : 'muted'} data-testid="points-age">
            {balanceAge(loyalty, format, hubReachable)}
          </p>
          {limit ? <p className="muted">{limit}</p> : null}
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() => void saleStore.getState().refreshLoyalty()}
          >
            {t('loyalty.refresh')}
          </button>
        </>
      ) : null}
    </section>
  );
}

const EMPTY_NEW_CUSTOMER = { name: '', phone: '', email: '', cardNumber: '' };

/**
 * Finds a customer by phone, email or loyalty card (a scanned card that matches exactly is attached at
 * once), or creates one at the till; offline the node gives the new customer a temporary id.
 */
export function CustomerDialog({ onDone }: { onDone: () => void }) {
  const { sale: saleStore, customer: customerStore } = usePos();
  const attached = useArea(saleStore, (state) => state.sale?.customer?.customer ?? null);
  const attachedId = useArea(saleStore, (state) => state.sale?.customerId ?? null);
  const saleError = useArea(saleStore, (state) => state.error);
  const customerError = useArea(customerStore, (state) => state.error);
  const found = useArea(customerStore, (state) => state.found);
  const finding = useArea(customerStore, (state) => state.busy);
  const attaching = useArea(saleStore, (state) => state.busy);
  const busy = finding || attaching;
  const [query, setQuery] = useState('');
  const [draft, setDraft] = useState(EMPTY_NEW_CUSTOMER);

  const close = () => {
    customerStore.getState().reset();
    onDone();
  };
  const attach = async (customerId: string | null) => {
    if (await saleStore.getState().attachCustomer(customerId)) close();
  };
  const find = async (event: FormEvent) => {
    event.preventDefault();
    saleStore.setState({ error: null });
    const answer = await customerStore.getState().find(query);
    const card = answer?.customers.filter((customer) => customer.loyalty?.cardNumber === answer.query);
    // A loyalty card scanned at the till names exactly one customer: no second tap needed.
    if (card?.length === 1 && card[0]) await attach(card[0].customerId);
  };
  const create = async (event: FormEvent) => {
    event.preventDefault();
    saleStore.setState({ error: null });
    const optional = (text: string) => (text.trim() === '' ? {} : { value: text.trim() });
    const name = optional(draft.name);
    const phone = optional(draft.phone);
    const email = optional(draft.email);
    const cardNumber = optional(draft.cardNumber);
    const created = await customerStore.getState().create({
      ...(name.value === undefined ? {} : { name: name.value }),
      ...(phone.value === undefined ? {} : { phone: phone.value }),
      ...(email.value === undefined ? {} : { email: email.value }),
      ...(cardNumber.value === undefined ? {} : { cardNumber: cardNumber.value }),
    });
    if (created) await attach(created.customerId);
  };
  const field = (key: keyof typeof EMPTY_NEW_CUSTOMER, label: string, type = 'text') => (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        autoComplete="off"
        value={draft[key]}
        onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
      />
    </label>
  );

  return (
    <Dialog title={t('customer.title')} onCancel={close} wide>
      <ErrorBanner error={customerError ?? saleError} />
      {attachedId !== null ? (
        <p className="inline-form">
          <span>{attached ? `${customerName(attached)} · ${customerDetails(attached)}` : attachedId}</span>
          <button type="button" className="btn" disabled={busy} onClick={() => void attach(null)}>
            {t('customer.detach', { customer: attached ? customerName(attached) : attachedId })}
          </button>
        </p>
      ) : null}
      <form className="inline-form" aria-label={t('customer.find')} onSubmit={(event) => void find(event)}>
        <label className="field field-scan">
          <span>{t('customer.query')}</span>
          <input
            autoComplete="off"
            spellCheck={false}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t('customer.find')}
        </button>
      </form>
      {found ? (
        <>
          {found.source === 'cache' ? (
            <Notice tone="warning" text={[t('customer.fromCache'), found.note].filter(Boolean).join(' ')} />
          ) : null}
          {found.customers.length === 0 ? (
            <p>{t('customer.none', { query: found.query })}</p>
          ) : (
            <ul className="customer-results" aria-label={t('customer.results')}>
              {found.customers.map((customer) => (
                <li key={customer.customerId} aria-label={customerName(customer)}>
                  <span>
                    <strong>{customerName(customer)}</strong>
                    <br />
                    <span className="muted">{customerDetails(customer)}</span>
                  </span>
                  <button
                    type="button"
                    className="btn btn-primary"
                    disabled={busy}
                    aria-label={t('customer.attachNamed', { customer: customerName(customer) })}
                    onClick={() => void attach(customer.customerId)}
                  >
                    {t('customer.attach')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
      <form aria-label={t('customer.create')} onSubmit={(event) => void create(event)}>
        <h3>{t('customer.create')}</h3>
        <div className="form-grid">
          {field('name', t('customer.name'))}
          {field('phone', t('customer.phone'), 'tel')}
          {field('email', t('customer.email'), 'email')}
          {field('cardNumber', t('customer.newCard'))}
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn" data-close onClick={close}>
            {t('common.close')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t('customer.createSubmit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
