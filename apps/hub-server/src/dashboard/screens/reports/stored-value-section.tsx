import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { StoredValueAccountRow, StoredValueLedgerPage, StoreNode } from '../../api/api-types';
import type { StoredValueQuery } from '../../api/hub-api';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { CsvButton } from '../../components/csv-download';
import { ErrorBanner, Loaded } from '../../components/feedback';
import { nodeLabel } from '../../format/labels';
import { errorText, t, type MessageKey } from '../../i18n/translate';

/**
 * Gift card and store credit accounts (GET /api/loyalty/stored-value): searched by id, last digits, card
 * number or customer, each with its ledger a page at a time; both tables download as CSV.
 */
export function StoredValueSection({ nodes }: { nodes: readonly StoreNode[] }) {
  const { api, format } = useServices();
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState<StoredValueQuery>({});
  const [pages, setPages] = useState<StoredValueAccountRow[][]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const first = useLoad(() => api.storedValueAccounts(query), [api, query]);
  const [more, setMore] = useState<{ cursor: string | null; error: string | null }>({
    cursor: null,
    error: null,
  });
  const ids = { q: useId(), kind: useId() };
  const search = (event: FormEvent) => {
    event.preventDefault();
    setPages([]);
    setMore({ cursor: null, error: null });
    setQuery({ ...query, q: typed.trim() === '' ? undefined : typed.trim() });
  };
  const next =
    first.state.status === 'ready'
      ? (more.cursor ?? (pages.length === 0 ? first.state.value.nextCursor : null))
      : null;
  const loadMore = async (cursor: string) => {
    const result = await api.storedValueAccounts({ ...query, cursor });
    if (!result.ok) {
      setMore({ cursor, error: errorText(result.error) });
      return;
    }
    setPages([...pages, result.value.accounts]);
    setMore({ cursor: result.value.nextCursor ?? '', error: null });
  };
  const csvQuery = { q: query.q, kind: query.kind, nodeId: query.nodeId };
  return (
    <section className="report-table" aria-labelledby="stored-value-title">
      <h2 id="stored-value-title">{t('storedValue.title')}</h2>
      <p className="muted">{t('storedValue.intro')}</p>
      <form className="filters" onSubmit={search} role="search">
        <label htmlFor={ids.q}>{t('storedValue.search')}</label>
        <input id={ids.q} value={typed} onChange={(event) => setTyped(event.target.value)} />
        <label htmlFor={ids.kind}>{t('storedValue.kind')}</label>
        <select
          id={ids.kind}
          value={query.kind ?? ''}
          onChange={(event) => {
            setPages([]);
            setMore({ cursor: null, error: null });
            const kind = event.target.value;
            setQuery({ ...query, kind: kind === 'gift_card' || kind === 'store_credit' ? kind : undefined });
          }}
        >
          <option value="">{t('storedValue.allKinds')}</option>
          <option value="gift_card">{t('storedValue.kind.gift_card')}</option>
          <option value="store_credit">{t('storedValue.kind.store_credit')}</option>
        </select>
        <button type="submit" className="btn">
          {t('storedValue.searchButton')}
        </button>
      </form>
      <CsvButton
        label={t('storedValue.accounts')}
        load={() => api.csv('/api/loyalty/stored-value/csv', csvQuery)}
        fileName="stored-value-accounts.csv"
      />
      <Loaded state={first.state}>
        {(page) => {
          const accounts = [...page.accounts, ...pages.flat()];
          if (accounts.length === 0) return <p>{t('storedValue.none')}</p>;
          return (
            <>
              <table aria-label={t('storedValue.accounts')}>
                <thead>
                  <tr>
                    <th scope="col">{t('storedValue.account')}</th>
                    <th scope="col">{t('storedValue.kind')}</th>
                    <th scope="col">{t('storedValue.number')}</th>
                    <th scope="col">{t('storedValue.status')}</th>
                    <th scope="col">{t('storedValue.available')}</th>
                    <th scope="col">{t('storedValue.held')}</th>
                    <th scope="col">{t('storedValue.issuedAt')}</th>
                    <th scope="col">{t('storedValue.issued')}</th>
                    <th scope="col">{t('storedValue.lastMovement')}</th>
                  </tr>
                </thead>
                <tbody>
                  {accounts.map((account) => (
                    <tr key={account.accountId}>
                      <th scope="row">
                        <button
                          type="button"
                          className="btn btn-quiet"
                          aria-pressed={chosen === account.accountId}
                          aria-label={t('storedValue.open', {
                            account: account.maskedNumber ?? account.accountId,
                          })}
                          onClick={() => setChosen(account.accountId)}
                        >
                          {account.accountId}
                        </button>
                      </th>
                      <td>{t(`storedValue.kind.${account.kind}` as MessageKey)}</td>
                      <td>{account.maskedNumber ?? '—'}</td>
                      <td>{account.status}</td>
                      <td>{format.money(account.available, account.currency)}</td>
                      <td>{format.money(account.held, account.currency)}</td>
                      <td>{account.issuedAtNode === null ? '—' : nodeLabel(nodes, account.issuedAtNode)}</td>
                      <td>{format.dateTime(account.issuedAt)}</td>
                      <td>
                        {account.lastMovementAt === null ? '—' : format.dateTime(account.lastMovementAt)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {next === null || next === '' ? null : (
                <button type="button" className="btn" onClick={() => void loadMore(next)}>
                  {t('storedValue.more')}
                </button>
              )}
              {more.error === null ? null : <p role="alert">{more.error}</p>}
            </>
          );
        }}
      </Loaded>
      {chosen === null ? null : <LedgerTable key={chosen} accountId={chosen} nodes={nodes} />}
    </section>
  );
}

function LedgerTable({ accountId, nodes }: { accountId: string; nodes: readonly StoreNode[] }) {
  const { api, format } = useServices();
  const first = useLoad(() => api.storedValueLedger(accountId), [api, accountId]);
  const [older, setOlder] = useState<StoredValueLedgerPage[]>([]);
  const [error, setError] = useState<ErrorBody | null>(null);
  return (
    <Loaded state={first.state}>
      {(page) => {
        const account = page.account;
        const label = account.maskedNumber ?? account.accountId;
        const title = t('storedValue.ledger', { account: label });
        const entries = [...page.entries, ...older.flatMap((each) => each.entries)];
        const cursor = older.length === 0 ? page.nextCursor : (older.at(-1)?.nextCursor ?? null);
        const loadOlder = async (from: string) => {
          const result = await api.storedValueLedger(accountId, from);
          if (!result.ok) setError(result.error);
          else setOlder([...older, result.value]);
        };
        return (
          <section aria-label={title}>
            <h3>{title}</h3>
            <p>
              {t('storedValue.available')}: {format.money(account.available, account.currency)} ·{' '}
              {t('storedValue.held')}: {format.money(account.held, account.currency)}
            </p>
            <CsvButton
              label={title}
              load={() => api.csv(`/api/loyalty/stored-value/${encodeURIComponent(accountId)}/ledger/csv`)}
              fileName={`${accountId}-ledger.csv`}
            />
            <ErrorBanner error={error} onDismiss={() => setError(null)} />
            {entries.length === 0 ? (
              <p>{t('storedValue.noEntries')}</p>
            ) : (
              <table aria-label={title}>
                <thead>
                  <tr>
                    <th scope="col">{t('storedValue.when')}</th>
                    <th scope="col">{t('storedValue.movement')}</th>
                    <th scope="col">{t('storedValue.amount')}</th>
                    <th scope="col">{t('storedValue.store')}</th>
                    <th scope="col">{t('storedValue.till')}</th>
                    <th scope="col">{t('storedValue.receipt')}</th>
                    <th scope="col">{t('storedValue.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((entry) => (
                    <tr key={entry.entryId}>
                      <th scope="row">{format.dateTime(entry.occurredAt)}</th>
                      <td>{t(`storedValue.movement.${entry.movement}` as MessageKey)}</td>
                      <td>{format.money(entry.amount, entry.currency)}</td>
                      <td>{entry.storeId === null ? '—' : nodeLabel(nodes, entry.storeId)}</td>
                      <td>{entry.deviceId ?? '—'}</td>
                      <td>{entry.receipt ?? '—'}</td>
                      <td>{entry.reason ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {cursor === null ? null : (
              <button type="button" className="btn" onClick={() => void loadOlder(cursor)}>
                {t('storedValue.older')}
              </button>
            )}
          </section>
        );
      }}
    </Loaded>
  );
}
