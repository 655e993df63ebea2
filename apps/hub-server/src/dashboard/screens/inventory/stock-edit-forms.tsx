import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { AdjustableBucket, InventoryLevel, StoreNode } from '../../api/api-types';
import { useCanAct, useServices } from '../../app/dashboard-context';
import { useSubmit } from '../../app/use-submit';
import { ErrorBanner, Notice } from '../../components/feedback';
import { nodeLabel } from '../../format/labels';
import { t } from '../../i18n/translate';

const BUCKETS: readonly AdjustableBucket[] = ['sellable', 'damaged', 'quality_control'];
/** Reason codes the ledger records; the hub keeps them as the movement's reason. */
export const ADJUSTMENT_REASONS = [
  'damage',
  'found',
  'write-off',
  'count-correction',
  'theft',
  'return-to-vendor',
] as const;

const WHOLE = /^[+-]?\d{1,9}$/;

/** The figure of a bucket at a node as the operator sees it on screen (no level row: nothing there). */
function figure(levels: readonly InventoryLevel[], nodeId: string, bucket: AdjustableBucket): number {
  const level = levels.find((candidate) => candidate.nodeId === nodeId);
  if (level === undefined) return 0;
  return bucket === 'quality_control' ? level.qualityControl : level[bucket];
}

/**
 * Shows the hub's sentence; when the hub refused because the figures moved since they were shown (409),
 * offers to reload them so the operator decides again on what is there now.
 */
export function EditError({ error, onReload }: { error: ErrorBody | null; onReload: () => void }) {
  if (error === null) return null;
  return (
    <>
      <ErrorBanner error={error} />
      {error.code === 'CONFLICT' ? (
        <button type="button" className="btn" onClick={onReload}>
          {t('edit.stale')}
        </button>
      ) : null}
    </>
  );
}

/** Node choices by code and name, never an id to type. */
function NodeSelect({
  label,
  nodes,
  value,
  onChange,
}: {
  label: string;
  nodes: readonly StoreNode[];
  value: string;
  onChange: (nodeId: string) => void;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">—</option>
        {nodes.map((node) => (
          <option key={node.nodeId} value={node.nodeId}>
            {`${node.code} ${node.name}`}
          </option>
        ))}
      </select>
    </>
  );
}

/** One SKU's figures per node as this screen shows them, and what to call when they changed. */
interface StockFormProps {
  sku: string;
  levels: readonly InventoryLevel[];
  nodes: readonly StoreNode[];
  onChanged: () => void;
}

/** Adjusting and transferring one SKU, both on the figures this screen shows (operators and admins). */
export function StockEditForms({ sku, levels, nodes, onChanged }: StockFormProps) {
  if (!useCanAct()) return null;
  return (
    <div className="edit-forms">
      <AdjustForm sku={sku} levels={levels} nodes={nodes} onChanged={onChanged} />
      <TransferForm sku={sku} levels={levels} nodes={nodes} onChanged={onChanged} />
    </div>
  );
}

function AdjustForm({ sku, levels, nodes, onChanged }: StockFormProps) {
  const { api, format } = useServices();
  const ids = { bucket: useId(), delta: useId(), reason: useId() };
  const [nodeId, setNodeId] = useState('');
  const [bucket, setBucket] = useState<AdjustableBucket>('sellable');
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState<(typeof ADJUSTMENT_REASONS)[number]>('damage');
  const { working, error, setError, send } = useSubmit();
  const [notice, setNotice] = useState<string | null>(null);
  const seen = nodeId === '' ? null : figure(levels, nodeId, bucket);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    if (nodeId === '' || seen === null) {
      setError({ code: 'INVALID_INPUT', message: t('stockEdit.pickNode') });
      return;
    }
    const change = WHOLE.test(delta.trim()) ? Number(delta.trim()) : 0;
    if (change === 0) {
      setError({ code: 'INVALID_INPUT', message: t('stockEdit.deltaInvalid') });
      return;
    }
    const adjusted = await send(() =>
      api.adjustStock({ nodeId, reason, lines: [{ sku, bucket, delta: change, expectedQty: seen }] }),
    );
    if (adjusted === null) return;
    setError(null);
    setDelta('');
    setNotice(
      t('stockEdit.adjusted', {
        sku,
        node: nodeLabel(nodes, nodeId),
        delta: change > 0 ? `+${format.count(change)}` : format.count(change),
        bucket: t(`stockEdit.bucket.${bucket}`),
      }),
    );
    onChanged();
  };

  const title = t('stockEdit.adjustTitle', { sku });
  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <NodeSelect label={t('stockEdit.node')} nodes={nodes} value={nodeId} onChange={setNodeId} />
      <label htmlFor={ids.bucket}>{t('stockEdit.bucket')}</label>
      <select
        id={ids.bucket}
        value={bucket}
        onChange={(event) => setBucket(event.target.value as AdjustableBucket)}
      >
        {BUCKETS.map((value) => (
          <option key={value} value={value}>
            {t(`stockEdit.bucket.${value}`)}
          </option>
        ))}
      </select>
      {seen === null ? null : (
        <p className="muted">
          {t('stockEdit.now', {
            node: nodeLabel(nodes, nodeId),
            qty: format.count(seen),
            bucket: t(`stockEdit.bucket.${bucket}`),
          })}
        </p>
      )}
      <label htmlFor={ids.delta}>{t('stockEdit.delta')}</label>
      <input
        id={ids.delta}
        value={delta}
        inputMode="numeric"
        autoComplete="off"
        onChange={(event) => setDelta(event.target.value)}
      />
      <label htmlFor={ids.reason}>{t('stockEdit.reason')}</label>
      <select
        id={ids.reason}
        value={reason}
        onChange={(event) => setReason(event.target.value as (typeof ADJUSTMENT_REASONS)[number])}
      >
        {ADJUSTMENT_REASONS.map((value) => (
          <option key={value} value={value}>
            {t(`stockEdit.reason.${value}`)}
          </option>
        ))}
      </select>
      <EditError
        error={error}
        onReload={() => {
          setError(null);
          onChanged();
        }}
      />
      <Notice text={notice} />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('stockEdit.adjust')}
      </button>
    </form>
  );
}

function TransferForm({ sku, levels, nodes, onChanged }: StockFormProps) {
  const { api, format } = useServices();
  const qtyId = useId();
  const [fromNodeId, setFrom] = useState('');
  const [toNodeId, setTo] = useState('');
  const [qty, setQty] = useState('');
  const { working, error, setError, send } = useSubmit();
  const [sent, setSent] = useState<{ number: string; to: string } | null>(null);
  const seen = fromNodeId === '' ? null : figure(levels, fromNodeId, 'sellable');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSent(null);
    if (fromNodeId === '' || toNodeId === '' || seen === null) {
      setError({ code: 'INVALID_INPUT', message: t('stockEdit.pickNode') });
      return;
    }
    if (fromNodeId === toNodeId) {
      setError({ code: 'INVALID_INPUT', message: t('stockEdit.sameNode') });
      return;
    }
    const units = /^\d{1,9}$/.test(qty.trim()) ? Number(qty.trim()) : 0;
    if (units < 1) {
      setError({ code: 'INVALID_INPUT', message: t('stockEdit.qtyInvalid') });
      return;
    }
    const transfer = await send(() =>
      api.createTransfer({ fromNodeId, toNodeId, lines: [{ sku, qty: units, expectedSellable: seen }] }),
    );
    if (transfer === null) return;
    setError(null);
    setQty('');
    setSent({ number: transfer.transferId, to: nodeLabel(nodes, toNodeId) });
    onChanged();
  };

  const title = t('stockEdit.transferTitle', { sku });
  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <NodeSelect label={t('stockEdit.from')} nodes={nodes} value={fromNodeId} onChange={setFrom} />
      {seen === null ? null : (
        <p className="muted">
          {t('stockEdit.available', { node: nodeLabel(nodes, fromNodeId), qty: format.count(seen) })}
        </p>
      )}
      <NodeSelect label={t('stockEdit.to')} nodes={nodes} value={toNodeId} onChange={setTo} />
      <label htmlFor={qtyId}>{t('stockEdit.qty')}</label>
      <input
        id={qtyId}
        value={qty}
        inputMode="numeric"
        autoComplete="off"
        onChange={(event) => setQty(event.target.value)}
      />
      <EditError
        error={error}
        onReload={() => {
          setError(null);
          onChanged();
        }}
      />
      {sent === null ? null : (
        <div className="banner banner-success" role="status" aria-label={t('stockEdit.transferNumber')}>
          <p>
            <strong className="transfer-number">{sent.number}</strong>
          </p>
          <p>{t('stockEdit.transferred', { number: sent.number, node: sent.to })}</p>
        </div>
      )}
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('stockEdit.transfer')}
      </button>
    </form>
  );
}
