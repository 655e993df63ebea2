import type { ErrorBody } from '@retail/domain';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { LedgerEntry, Sku, SkuInventory, StoreNode } from '../../api/api-types';
import type { HubApi } from '../../api/hub-api';
import { useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { ErrorBanner } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { nodeLabel } from '../../format/labels';
import { StockEditForms } from './stock-edit-forms';

/** Barcodes are 8 to 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14); a SKU code may also be digits. */
const BARCODE = /^\d{8,14}$/;

type Found = { readonly sku: Sku; readonly inventory: SkuInventory };

/** A scanned or typed code is tried as a barcode first when it looks like one, then as a SKU. */
async function lookUp(
  api: HubApi,
  query: string,
): Promise<{ ok: true; value: Found } | { ok: false; error: ErrorBody }> {
  let sku = BARCODE.test(query) ? await api.skuByBarcode(query) : await api.sku(query);
  if (!sku.ok && sku.error.code === 'NOT_FOUND' && BARCODE.test(query)) sku = await api.sku(query);
  if (!sku.ok) return sku;
  const inventory = await api.inventory(sku.value.sku);
  if (!inventory.ok) return inventory;
  return { ok: true, value: { sku: sku.value, inventory: inventory.value } };
}

/** One SKU across the network: every bucket per node, ATP, network ATP, and one node's ledger. */
export function InventoryScreen({ sku }: { sku: string | null }) {
  const { api, navigation } = useServices();
  const nodes = useLoad(() => api.nodes(), [api]);
  const [query, setQuery] = useState(sku ?? '');
  const [found, setFound] = useState<Found | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [ledgerNode, setLedgerNode] = useState<string | null>(null);
  /** Bumped after an edit, or to reload figures a refused edit found stale. */
  const [generation, setGeneration] = useState(0);
  const queryId = useId();
  const knownNodes = nodes.state.status === 'ready' ? nodes.state.value : [];

  useEffect(() => {
    if (sku === null) return;
    let current = true;
    setQuery(sku);
    void lookUp(api, sku).then((result) => {
      if (!current) return;
      setFound(result.ok ? result.value : null);
      setError(result.ok ? null : result.error);
    });
    return () => {
      current = false;
    };
  }, [api, sku, generation]);
  useEffect(() => setLedgerNode(null), [sku]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = query.trim();
    if (text === '') {
      setError({ code: 'INVALID_INPUT', message: t('inventory.empty') });
      return;
    }
    // The address carries the SKU, so a lookup can be bookmarked and the back button works.
    navigation.push(`/inventory?sku=${encodeURIComponent(text)}`);
  };

  return (
    <section aria-labelledby="inventory-title">
      <h1 id="inventory-title">{t('inventory.title')}</h1>
      <form className="filters" role="search" aria-label={t('inventory.lookup')} onSubmit={submit}>
        <label htmlFor={queryId}>{t('inventory.query')}</label>
        <input
          id={queryId}
          value={query}
          autoComplete="off"
          inputMode="text"
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          {t('inventory.find')}
        </button>
      </form>
      <ErrorBanner error={error} />
      {found === null ? null : (
        <>
          <SkuStock
            key={generation}
            found={found}
            nodes={knownNodes}
            ledgerNode={ledgerNode}
            onLedger={setLedgerNode}
          />
          <StockEditForms
            sku={found.sku.sku}
            levels={found.inventory.levels}
            nodes={knownNodes}
            onChanged={() => setGeneration((value) => value + 1)}
          />
        </>
      )}
    </section>
  );
}

function SkuStock({
  found,
  nodes,
  ledgerNode,
  onLedger,
}: {
  found: Found;
  nodes: readonly StoreNode[];
  ledgerNode: string | null;
  onLedger: (nodeId: string) => void;
}) {
  const { format } = useServices();
  const { sku, inventory } = found;
  const count = format.count;
  return (
    <>
      <h2>{t('inventory.skuTitle', { sku: sku.sku, name: sku.name })}</h2>
      <p>
        <strong>{t('inventory.network', { total: count(inventory.network.total) })}</strong>
      </p>
      {inventory.levels.length === 0 ? (
        <p>{t('inventory.noLevels')}</p>
      ) : (
        <table aria-label={t('inventory.levels')}>
          <thead>
            <tr>
              <th scope="col">{t('inventory.node')}</th>
              <th scope="col">{t('inventory.sellable')}</th>
              <th scope="col">{t('inventory.staged')}</th>
              <th scope="col">{t('inventory.damaged')}</th>
              <th scope="col">{t('inventory.qc')}</th>
              <th scope="col">{t('inventory.incoming')}</th>
              <th scope="col">{t('inventory.reserved')}</th>
              <th scope="col">{t('inventory.safety')}</th>
              <th scope="col">{t('inventory.atp')}</th>
              <th scope="col">
                <span className="sr-only">{t('inventory.ledgerColumn')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {inventory.levels.map((level) => {
              const name = nodeLabel(nodes, level.nodeId);
              return (
                <tr key={level.nodeId}>
                  <th scope="row">{name}</th>
                  <td>{count(level.sellable)}</td>
                  <td>{count(level.staged)}</td>
                  <td>{count(level.damaged)}</td>
                  <td>{count(level.qualityControl)}</td>
                  <td>{count(level.incoming)}</td>
                  <td>{count(level.committed)}</td>
                  <td>{count(level.safetyStock)}</td>
                  <td>
                    <strong>{count(level.atp)}</strong>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn"
                      aria-pressed={ledgerNode === level.nodeId}
                      onClick={() => onLedger(level.nodeId)}
                    >
                      {t('inventory.showLedger', { sku: sku.sku, node: name })}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {inventory.reservations.length === 0 ? null : (
        <>
          <h3>{t('inventory.reservations')}</h3>
          <ul className="plain" aria-label={t('inventory.reservations')}>
            {inventory.reservations.map((reservation) => (
              <li key={reservation.reservationId}>
                {nodeLabel(nodes, reservation.nodeId)} · {count(reservation.qty)} · {reservation.status} ·{' '}
                {reservation.orderRef}
              </li>
            ))}
          </ul>
        </>
      )}
      {ledgerNode === null ? null : (
        <Ledger sku={sku.sku} nodeId={ledgerNode} nodeName={nodeLabel(nodes, ledgerNode)} />
      )}
    </>
  );
}

function Ledger({ sku, nodeId, nodeName }: { sku: string; nodeId: string; nodeName: string }) {
  const { api, format } = useServices();
  const ledger = useLoad(() => api.ledger(sku, nodeId), [api, sku, nodeId]);
  const title = t('inventory.ledger', { sku, node: nodeName });
  return (
    <>
      <h3>{title}</h3>
      {ledger.state.status === 'loading' ? (
        <p role="status">{t('common.loading')}</p>
      ) : ledger.state.status === 'failed' ? (
        <ErrorBanner error={ledger.state.error} />
      ) : ledger.state.value.length === 0 ? (
        <p>{t('inventory.noLedger')}</p>
      ) : (
        <LedgerTable title={title} entries={ledger.state.value} dateTime={format.dateTime} />
      )}
    </>
  );
}

function LedgerTable({
  title,
  entries,
  dateTime,
}: {
  title: string;
  entries: readonly LedgerEntry[];
  dateTime: (at: number) => string;
}) {
  const { format } = useServices();
  return (
    <table aria-label={title}>
      <thead>
        <tr>
          <th scope="col">{t('inventory.when')}</th>
          <th scope="col">{t('inventory.movement')}</th>
          <th scope="col">{t('inventory.bucket')}</th>
          <th scope="col">{t('inventory.delta')}</th>
          <th scope="col">{t('inventory.reason')}</th>
          <th scope="col">{t('inventory.source')}</th>
          <th scope="col">{t('inventory.actor')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.movementId}>
            <td>{dateTime(entry.recordedAt)}</td>
            <td>{entry.type}</td>
            <td>{entry.bucket}</td>
            <td>{entry.delta > 0 ? `+${format.count(entry.delta)}` : format.count(entry.delta)}</td>
            <td>{entry.reason ?? ''}</td>
            <td>{entry.sourceDoc ?? (entry.eventId === null ? '' : <code>{entry.eventId}</code>)}</td>
            <td>{entry.actor}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
