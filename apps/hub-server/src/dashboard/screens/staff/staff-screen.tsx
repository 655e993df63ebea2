import type { ErrorBody } from '@retail/domain';
import { useId, useState, type FormEvent } from 'react';
import type { HqStaff, StoreCreatedStaff, StoreNode } from '../../api/api-types';
import { useIsAdmin, useServices } from '../../app/dashboard-context';
import { useLoad } from '../../app/use-load';
import { useSubmit } from '../../app/use-submit';
import { ErrorBanner, Loaded, Notice } from '../../components/feedback';
import { t, type MessageKey } from '../../i18n/translate';

const ROLES = ['cashier', 'supervisor', 'manager'] as const;
type StaffRole = (typeof ROLES)[number];

const roleLabel = (role: StaffRole) => t(`staff.role.${role}` as MessageKey);

function storesLabel(stores: readonly string[], nodes: readonly StoreNode[]): string {
  if (stores.length === 0) return t('staff.everyStore');
  return stores
    .map((nodeId) => {
      const node = nodes.find((each) => each.nodeId === nodeId);
      return node === undefined ? nodeId : `${node.code} ${node.name}`;
    })
    .join(', ');
}

/**
 * Staff HQ manages: who may sign in at which stores' tills, in what role. Admins add people (the PIN is
 * typed once and only its hash is kept), edit them at the version they see, and deactivate them.
 */
export function StaffScreen() {
  const { api } = useServices();
  const isAdmin = useIsAdmin();
  const staff = useLoad(() => api.staff(), [api]);
  const nodes = useLoad(() => api.nodes(), [api]);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const stores =
    nodes.state.status === 'ready' ? nodes.state.value.filter((node) => node.kind === 'store') : [];
  const done = (message: string) => {
    setNotice(message);
    setEditing(null);
    staff.reload();
  };
  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">{t('staff.title')}</h1>
      <p className="muted">{t('staff.intro')}</p>
      <Notice text={notice} />
      <Loaded state={staff.state}>
        {(list) => (
          <>
            <StaffTable staff={list} nodes={stores} canEdit={isAdmin} onEdit={setEditing} />
            {(() => {
              const chosen = list.find((each) => each.staffId === editing);
              return chosen === undefined ? null : (
                <EditStaffForm
                  key={`${chosen.staffId}@${chosen.version}`}
                  staff={chosen}
                  stores={stores}
                  onDone={done}
                  onCancel={() => setEditing(null)}
                />
              );
            })()}
          </>
        )}
      </Loaded>
      {isAdmin ? <AddStaffForm stores={stores} onDone={done} /> : null}
      <StoreCreatedStaffSection nodes={stores} canVouch={isAdmin} />
    </section>
  );
}

const VERIFICATION_BADGE: Readonly<Record<StoreCreatedStaff['status'], string>> = {
  verified: 'badge badge-ok',
  unverified: 'badge badge-warning',
  rejected: 'badge badge-critical',
};

/**
 * Staff the stores created themselves (`staff.created` from the tills): who created them and when, and
 * whether the hub believes the role the store gave (docs/security.md, "Store-created staff").
 */
function StoreCreatedStaffSection({ nodes, canVouch }: { nodes: readonly StoreNode[]; canVouch: boolean }) {
  const { api, format } = useServices();
  const created = useLoad(() => api.storeCreatedStaff(), [api]);
  const [vouching, setVouching] = useState<StoreCreatedStaff | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const vouched = (message: string) => {
    setNotice(message);
    setVouching(null);
    created.reload();
  };
  return (
    <section aria-labelledby="store-created-title">
      <h2 id="store-created-title">{t('staff.storeCreated')}</h2>
      <p className="muted">{t('staff.storeCreatedIntro')}</p>
      <Notice text={notice} />
      {vouching === null ? null : (
        <VouchForm
          key={vouching.staffId}
          member={vouching}
          store={storesLabel([vouching.storeId], nodes)}
          onDone={vouched}
          onCancel={() => setVouching(null)}
        />
      )}
      <Loaded state={created.state}>
        {(list) =>
          list.length === 0 ? (
            <p>{t('staff.storeCreatedNone')}</p>
          ) : (
            <table aria-label={t('staff.storeCreated')}>
              <thead>
                <tr>
                  <th scope="col">{t('staff.code')}</th>
                  <th scope="col">{t('staff.name')}</th>
                  <th scope="col">{t('staff.store')}</th>
                  <th scope="col">{t('staff.claimedRole')}</th>
                  <th scope="col">{t('staff.believedRole')}</th>
                  <th scope="col">{t('staff.createdBy')}</th>
                  <th scope="col">{t('staff.createdAt')}</th>
                  <th scope="col">{t('staff.verification')}</th>
                  {canVouch ? (
                    <th scope="col">
                      <span className="sr-only">{t('order.actions')}</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {list.map((member) => (
                  <tr key={member.staffId}>
                    <th scope="row">{member.staffCode}</th>
                    <td>{member.name}</td>
                    <td>{storesLabel([member.storeId], nodes)}</td>
                    <td>{roleLabel(member.claimedRole)}</td>
                    <td>{roleLabel(member.role)}</td>
                    <td>{member.createdByName ?? member.createdBy}</td>
                    <td>{format.dateTime(member.createdAt)}</td>
                    <td>
                      <span className={VERIFICATION_BADGE[member.status]}>
                        {t(`staff.status.${member.status}` as MessageKey)}
                      </span>
                      {member.reason === null ? null : <p className="muted">{member.reason}</p>}
                    </td>
                    {canVouch ? (
                      <td>
                        {member.status === 'verified' ? null : (
                          <button type="button" className="btn" onClick={() => setVouching(member)}>
                            {t('staff.vouch', { name: member.name })}
                          </button>
                        )}
                      </td>
                    ) : null}
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

function StaffTable({
  staff,
  nodes,
  canEdit,
  onEdit,
}: {
  staff: readonly HqStaff[];
  nodes: readonly StoreNode[];
  canEdit: boolean;
  onEdit: (staffId: string) => void;
}) {
  if (staff.length === 0) return <p>{t('staff.none')}</p>;
  return (
    <table aria-label={t('staff.list')}>
      <thead>
        <tr>
          <th scope="col">{t('staff.code')}</th>
          <th scope="col">{t('staff.name')}</th>
          <th scope="col">{t('staff.role')}</th>
          <th scope="col">{t('staff.stores')}</th>
          <th scope="col">{t('staff.status')}</th>
          <th scope="col">{t('staff.version')}</th>
          {canEdit ? (
            <th scope="col">
              <span className="sr-only">{t('order.actions')}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {staff.map((member) => (
          <tr key={member.staffId}>
            <th scope="row">{member.staffCode}</th>
            <td>{member.name}</td>
            <td>{roleLabel(member.role)}</td>
            <td>{storesLabel(member.stores, nodes)}</td>
            <td>
              {member.active ? (
                <span className="badge badge-ok">{t('staff.active')}</span>
              ) : (
                <span className="badge badge-info">{t('staff.deactivated')}</span>
              )}
            </td>
            <td>{member.version}</td>
            {canEdit ? (
              <td>
                <button type="button" className="btn" onClick={() => onEdit(member.staffId)}>
                  {t('staff.edit', { name: member.name })}
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StorePicker({
  stores,
  chosen,
  onChange,
}: {
  stores: readonly StoreNode[];
  chosen: readonly string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <fieldset>
      <legend>{t('staff.stores')}</legend>
      <p className="muted">{t('staff.storesHelp')}</p>
      {stores.map((store) => (
        <label key={store.nodeId} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(store.nodeId)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? [...chosen, store.nodeId]
                  : chosen.filter((nodeId) => nodeId !== store.nodeId),
              )
            }
          />{' '}
          {store.code} {store.name}
        </label>
      ))}
    </fieldset>
  );
}

/** HQ confirms someone a store created, in the role the store gave them or a lower one. */
function VouchForm({
  member,
  store,
  onDone,
  onCancel,
}: {
  member: StoreCreatedStaff;
  store: string;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { api } = useServices();
  const [role, setRole] = useState<StaffRole>(member.claimedRole);
  const { working, error, setError, send } = useSubmit();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const verified = await send(() => api.vouchForStoreStaff(member.staffId, role));
    if (verified !== null) {
      onDone(t('staff.vouched', { name: verified.name, role: roleLabel(verified.role) }));
    }
  };
  const title = t('staff.vouchTitle', { name: member.name, store });
  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <p className="muted">{t('staff.vouchHelp')}</p>
      <RoleSelect
        value={role}
        onChange={setRole}
        roles={ROLES.filter((each) => ROLES.indexOf(each) <= ROLES.indexOf(member.claimedRole))}
      />
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={working}>
          {t('staff.vouchConfirm')}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('staff.cancel')}
        </button>
      </div>
    </form>
  );
}

function RoleSelect({
  value,
  onChange,
  roles = ROLES,
}: {
  value: StaffRole;
  onChange: (role: StaffRole) => void;
  roles?: readonly StaffRole[];
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{t('staff.role')}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as StaffRole)}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {roleLabel(role)}
          </option>
        ))}
      </select>
    </>
  );
}

function AddStaffForm({
  stores,
  onDone,
}: {
  stores: readonly StoreNode[];
  onDone: (message: string) => void;
}) {
  const { api } = useServices();
  const [staffCode, setStaffCode] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<StaffRole>('cashier');
  const [pin, setPin] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const ids = { code: useId(), name: useId(), pin: useId() };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (staffCode.trim() === '' || name.trim() === '' || pin === '') {
      setError({ code: 'INVALID_INPUT', message: t('staff.missing') });
      return;
    }
    setWorking(true);
    const result = await api.createStaff({
      staffCode: staffCode.trim(),
      name: name.trim(),
      role,
      pin,
      stores: chosen,
    });
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setStaffCode('');
    setName('');
    setPin('');
    setChosen([]);
    onDone(t('staff.created', { name: result.value.name }));
  };

  return (
    <form className="panel" aria-label={t('staff.add')} onSubmit={(event) => void submit(event)}>
      <h2>{t('staff.add')}</h2>
      <label htmlFor={ids.code}>{t('staff.code')}</label>
      <input
        id={ids.code}
        value={staffCode}
        maxLength={32}
        onChange={(event) => setStaffCode(event.target.value)}
      />
      <label htmlFor={ids.name}>{t('staff.name')}</label>
      <input id={ids.name} value={name} maxLength={200} onChange={(event) => setName(event.target.value)} />
      <RoleSelect value={role} onChange={setRole} />
      <label htmlFor={ids.pin}>{t('staff.pin')}</label>
      <input
        id={ids.pin}
        type="password"
        inputMode="numeric"
        autoComplete="new-password"
        value={pin}
        maxLength={12}
        aria-describedby={`${ids.pin}-help`}
        onChange={(event) => setPin(event.target.value)}
      />
      <p id={`${ids.pin}-help`} className="muted">
        {t('staff.pinHelp')}
      </p>
      <StorePicker stores={stores} chosen={chosen} onChange={setChosen} />
      <ErrorBanner error={error} />
      <button type="submit" className="btn btn-primary" disabled={working}>
        {t('staff.create')}
      </button>
    </form>
  );
}

function EditStaffForm({
  staff,
  stores,
  onDone,
  onCancel,
}: {
  staff: HqStaff;
  stores: readonly StoreNode[];
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { api } = useServices();
  const [name, setName] = useState(staff.name);
  const [role, setRole] = useState<StaffRole>(staff.role);
  const [pin, setPin] = useState('');
  const [chosen, setChosen] = useState<string[]>([...staff.stores]);
  const [error, setError] = useState<ErrorBody | null>(null);
  const [working, setWorking] = useState(false);
  const ids = { name: useId(), pin: useId() };

  // Every change carries the version on screen, so someone else's change in between is refused, not lost.
  const send = async (change: { active?: boolean }, message: MessageKey) => {
    setWorking(true);
    const result = await api.updateStaff(staff.staffId, {
      expectedVersion: staff.version,
      ...(change.active === undefined
        ? { name: name.trim(), role, stores: chosen, ...(pin === '' ? {} : { pin }) }
        : { active: change.active }),
    });
    setWorking(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    onDone(t(message, { name: result.value.name }));
  };

  return (
    <form
      className="panel"
      aria-label={t('staff.editTitle', { name: staff.name, version: staff.version })}
      onSubmit={(event) => {
        event.preventDefault();
        void send({}, 'staff.saved');
      }}
    >
      <h2>{t('staff.editTitle', { name: staff.name, version: staff.version })}</h2>
      <label htmlFor={ids.name}>{t('staff.name')}</label>
      <input id={ids.name} value={name} maxLength={200} onChange={(event) => setName(event.target.value)} />
      <RoleSelect value={role} onChange={setRole} />
      <label htmlFor={ids.pin}>{t('staff.newPin')}</label>
      <input
        id={ids.pin}
        type="password"
        inputMode="numeric"
        autoComplete="new-password"
        value={pin}
        maxLength={12}
        onChange={(event) => setPin(event.target.value)}
      />
      <StorePicker stores={stores} chosen={chosen} onChange={setChosen} />
      <ErrorBanner error={error} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={working}>
          {t('staff.save')}
        </button>
        {staff.active ? (
          <button
            type="button"
            className="btn btn-danger"
            disabled={working}
            onClick={() => void send({ active: false }, 'staff.deactivatedNotice')}
          >
            {t('staff.deactivate', { name: staff.name })}
          </button>
        ) : (
          <button
            type="button"
            className="btn"
            disabled={working}
            onClick={() => void send({ active: true }, 'staff.reactivatedNotice')}
          >
            {t('staff.reactivate', { name: staff.name })}
          </button>
        )}
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('staff.cancel')}
        </button>
      </div>
    </form>
  );
}
