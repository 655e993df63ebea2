import { assertNever } from '@retail/domain';
import { useState } from 'react';
import type { DeviceStatus, StoreNode } from '../../api/api-types';
import { useCanAct, useIsAdmin, useServices } from '../../app/dashboard-context';
import { useActionFeedback, useRowEdit } from '../../app/use-action-feedback';
import { useLiveReload } from '../../app/use-live';
import { useLoad } from '../../app/use-load';
import { ActionFeedback, Loaded } from '../../components/feedback';
import { t } from '../../i18n/translate';
import { nodeLabel } from '../../format/labels';
import { RenameDeviceForm } from './rename-device-form';

/**
 * A till that has not been heard from for this long is called out: its sync agent pulls at least every
 * few minutes while it runs, so a quarter of an hour of silence means it is off, offline or stuck.
 */
export const STALE_AFTER_MS = 15 * 60_000;

export type SyncHealth =
  | { readonly kind: 'revoked' }
  | { readonly kind: 'never' }
  | { readonly kind: 'stale'; readonly since: number }
  | { readonly kind: 'ok' };

export function syncHealth(device: DeviceStatus, now: number): SyncHealth {
  if (device.revoked) return { kind: 'revoked' };
  if (device.lastSeenAt === null) return { kind: 'never' };
  if (now - device.lastSeenAt > STALE_AFTER_MS) return { kind: 'stale', since: device.lastSeenAt };
  return { kind: 'ok' };
}

/** Nodes with region, pickup and capacity; devices with last contact and lag; enrollment codes. */
export function StoresScreen() {
  const { api } = useServices();
  const nodes = useLoad(() => api.nodes(), [api]);
  const devices = useLoad(() => api.devices(), [api]);
  useLiveReload('devices', devices.reload);
  const knownNodes = nodes.state.status === 'ready' ? nodes.state.value : [];
  return (
    <section aria-labelledby="stores-title">
      <h1 id="stores-title">{t('stores.title')}</h1>
      <h2>{t('stores.nodes')}</h2>
      <Loaded state={nodes.state}>{(list) => <NodeTable nodes={list} />}</Loaded>
      <h2>{t('stores.devices')}</h2>
      <Loaded state={devices.state}>
        {(list) => <DeviceTable devices={list} nodes={knownNodes} onChanged={devices.reload} />}
      </Loaded>
    </section>
  );
}

function NodeTable({ nodes }: { nodes: readonly StoreNode[] }) {
  const { api, format } = useServices();
  const canAct = useCanAct();
  const feedback = useActionFeedback();

  const issueCode = async (node: StoreNode) => {
    feedback.report(await api.enrollmentCode(node.nodeId), (enrollment) =>
      feedback.setNotice(
        t('stores.enrollCode', {
          name: node.name,
          code: enrollment.code,
          at: format.dateTime(enrollment.expiresAt),
        }),
      ),
    );
  };

  return (
    <>
      <ActionFeedback feedback={feedback} />
      <table aria-label={t('stores.nodes')}>
        <thead>
          <tr>
            <th scope="col">{t('stores.code')}</th>
            <th scope="col">{t('stores.name')}</th>
            <th scope="col">{t('stores.kind')}</th>
            <th scope="col">{t('stores.region')}</th>
            <th scope="col">{t('stores.pickup')}</th>
            <th scope="col">{t('stores.active')}</th>
            {canAct ? (
              <th scope="col">
                <span className="sr-only">{t('order.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {nodes.map((node) => (
            <tr key={node.nodeId}>
              <th scope="row">{node.code}</th>
              <td>{node.name}</td>
              <td>{t(`stores.kind.${node.kind}`)}</td>
              <td>{node.region}</td>
              <td>
                {!node.pickupEnabled
                  ? t('stores.pickupOff')
                  : node.pickCapacity === 0
                    ? t('stores.pickupUnlimited')
                    : t('stores.pickupOn', { capacity: format.count(node.pickCapacity) })}
              </td>
              <td>{node.active ? t('common.yes') : t('common.no')}</td>
              {canAct ? (
                <td>
                  <button type="button" className="btn" onClick={() => void issueCode(node)}>
                    {t('stores.enroll', { name: node.name })}
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * Every enrolled till with its sync health. Admins revoke a lost or replaced till's credential after
 * confirming; a till someone revoked meanwhile is refused by the hub with its sentence.
 */
function DeviceTable({
  devices,
  nodes,
  onChanged,
}: {
  devices: readonly DeviceStatus[];
  nodes: readonly StoreNode[];
  onChanged: () => void;
}) {
  const { api, format, now } = useServices();
  const isAdmin = useIsAdmin();
  const [confirming, setConfirming] = useState<DeviceStatus | null>(null);
  const feedback = useActionFeedback();
  const editor = useRowEdit<DeviceStatus>(feedback, onChanged, (name) => t('devices.renamed', { name }));
  if (devices.length === 0) return <p>{t('stores.noDevices')}</p>;
  const at = now();
  const when = (epochMs: number | null) =>
    epochMs === null ? t('common.never') : `${format.dateTime(epochMs)} (${format.ago(epochMs, at)})`;
  const nameOf = (device: DeviceStatus) =>
    t('stores.deviceName', { node: nodeLabel(nodes, device.nodeId), no: device.deviceNo, name: device.name });
  const revoke = async (device: DeviceStatus) => {
    const result = await api.revokeDevice(device.deviceId);
    setConfirming(null);
    feedback.report(result, () => feedback.setNotice(t('stores.revoked', { device: nameOf(device) })));
    onChanged();
  };
  return (
    <>
      <ActionFeedback feedback={feedback} />
      {confirming === null ? null : (
        <div
          className="panel"
          role="group"
          aria-label={t('stores.revokeConfirmTitle', { device: nameOf(confirming) })}
        >
          <p>{t('stores.revokeConfirm', { device: nameOf(confirming) })}</p>
          <div className="actions">
            <button type="button" className="btn btn-danger" onClick={() => void revoke(confirming)}>
              {t('stores.revokeYes')}
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setConfirming(null)}>
              {t('stores.revokeNo')}
            </button>
          </div>
        </div>
      )}
      {editor.editing === null ? null : (
        <RenameDeviceForm
          key={editor.editing.deviceId}
          device={editor.editing}
          label={nameOf(editor.editing)}
          onCancel={editor.onCancel}
          onReload={editor.onReload}
          onDone={editor.onSaved}
        />
      )}
      <table aria-label={t('stores.devices')}>
        <thead>
          <tr>
            <th scope="col">{t('stores.device')}</th>
            <th scope="col">{t('stores.state')}</th>
            <th scope="col">{t('stores.lastSeen')}</th>
            <th scope="col">{t('stores.lastPush')}</th>
            <th scope="col">{t('stores.lastSeq')}</th>
            <th scope="col">{t('stores.lag')}</th>
            {isAdmin ? (
              <th scope="col">
                <span className="sr-only">{t('order.actions')}</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => {
            const health = syncHealth(device, at);
            return (
              <tr key={device.deviceId} className={`health-${health.kind}`}>
                <th scope="row">
                  {t('stores.deviceName', {
                    node: nodeLabel(nodes, device.nodeId),
                    no: device.deviceNo,
                    name: device.name,
                  })}
                </th>
                <td>
                  <HealthLabel health={health} ago={(since) => format.ago(since, at)} />
                </td>
                <td>{when(device.lastSeenAt)}</td>
                <td>{when(device.lastPushAt)}</td>
                <td>{format.count(device.lastSeq)}</td>
                <td>
                  {device.outboxPending === null
                    ? t('stores.lagUnknown')
                    : device.outboxPending === 0
                      ? t('stores.lagNone')
                      : t('stores.lagValue', {
                          count: format.count(device.outboxPending),
                          at:
                            device.outboxOldestAt === null
                              ? ''
                              : format.dateTime(Date.parse(device.outboxOldestAt)),
                        })}
                </td>
                {isAdmin ? (
                  <td>
                    <button type="button" className="btn" onClick={() => editor.edit(device)}>
                      {t('devices.rename', { device: nameOf(device) })}
                    </button>
                    {device.revoked ? null : (
                      <button type="button" className="btn" onClick={() => setConfirming(device)}>
                        {t('stores.revoke', { device: nameOf(device) })}
                      </button>
                    )}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function HealthLabel({ health, ago }: { health: SyncHealth; ago: (since: number) => string }) {
  switch (health.kind) {
    case 'revoked':
      return <span className="badge badge-info">{t('stores.state.revoked')}</span>;
    case 'never':
      return <span className="badge badge-warning">{t('stores.state.never')}</span>;
    case 'stale':
      return (
        <span className="badge badge-critical">{t('stores.state.stale', { ago: ago(health.since) })}</span>
      );
    case 'ok':
      return <span className="badge badge-ok">{t('stores.state.ok')}</span>;
    default:
      return assertNever(health, 'sync health');
  }
}
