import { useEffect, useState } from 'react';
import { ROLES, type Role } from '../../../shared/commands';
import { useArea, useFormat, usePos } from '../../app/pos-context';
import { ErrorBanner, Notice } from '../../components/error-banner';
import { t } from '../../i18n/translate';
import { screenError } from '../../stores/store-kit';

/**
 * Staff at this store (supervisors and managers): who can sign in, with which role, and who is locked out
 * after too many wrong PINs; a manager lifts a lockout or adds someone. The node enforces every role rule.
 */
export function StaffScreen() {
  const { staff: staffStore } = usePos();
  const format = useFormat();
  const staff = useArea(staffStore, (state) => state.staff);
  const error = useArea(staffStore, (state) => state.error);
  const notice = useArea(staffStore, (state) => state.notice);
  const busy = useArea(staffStore, (state) => state.busy);
  const [now] = useState(() => Date.now());
  useEffect(() => {
    void staffStore.getState().load();
  }, [staffStore]);
  return (
    <section className="screen staff" aria-labelledby="staff-title">
      <h1 id="staff-title">{t('staff.title')}</h1>
      <ErrorBanner error={error} onDismiss={() => staffStore.setState({ error: null })} />
      <Notice text={notice} tone="success" />
      <ul className="tender-list" aria-label={t('staff.list')}>
        {staff.map((member) => {
          // Wrong PINs count per lane: list every lane the member is locked out of (older nodes: one lock).
          const lockouts = (
            member.lockouts ??
            (member.lockedUntil === null
              ? []
              : [{ laneId: null, laneName: null, lockedUntil: member.lockedUntil }])
          ).filter((lockout) => Date.parse(lockout.lockedUntil) > now);
          return (
            <li key={member.staffId} aria-label={member.name}>
              <span className="cart-line-name">
                {member.name} · {member.staffCode}
              </span>
              <span>{t(`role.${member.role}`)}</span>
              {!member.active ? <span className="muted">{t('staff.inactive')}</span> : null}
              {lockouts.map((lockout) => (
                <span key={lockout.laneId ?? 'all'} className="pill pill-warn">
                  {lockout.laneName === null
                    ? t('staff.lockedUntil', { at: format.time(lockout.lockedUntil) })
                    : t('staff.lockedOnLane', {
                        lane: lockout.laneName,
                        at: format.time(lockout.lockedUntil),
                      })}
                  {lockout.laneId !== null && lockouts.length > 1 ? (
                    <button
                      type="button"
                      className="btn"
                      disabled={busy}
                      onClick={() => void staffStore.getState().unlock(member.staffCode, lockout.laneId!)}
                    >
                      {t('staff.unlockOnLane', { name: member.name, lane: lockout.laneName! })}
                    </button>
                  ) : null}
                </span>
              ))}
              {lockouts.length > 0 ? (
                <button
                  type="button"
                  className="btn"
                  disabled={busy}
                  onClick={() => void staffStore.getState().unlock(member.staffCode)}
                >
                  {t('staff.unlock', { name: member.name })}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <AddStaff />
    </section>
  );
}

function AddStaff() {
  const { staff: staffStore } = usePos();
  const busy = useArea(staffStore, (state) => state.busy);
  const [staffCode, setStaffCode] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const submit = async () => {
    if (staffCode.trim() === '' || name.trim() === '') {
      staffStore.setState({ error: screenError(t('staff.incomplete')) });
      return;
    }
    if (pin !== pinAgain) {
      staffStore.setState({ error: screenError(t('staff.pinMismatch')) });
      return;
    }
    const created = await staffStore
      .getState()
      .create({ staffCode: staffCode.trim(), name: name.trim(), role, pin });
    if (created) {
      setStaffCode('');
      setName('');
      setPin('');
      setPinAgain('');
    }
  };
  return (
    <form
      aria-label={t('staff.add')}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>{t('staff.add')}</h2>
      <label className="field">
        <span>{t('signIn.staffCode')}</span>
        <input autoComplete="off" value={staffCode} onChange={(event) => setStaffCode(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('staff.name')}</span>
        <input autoComplete="off" value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <label className="field">
        <span>{t('staff.role')}</span>
        <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {ROLES.map((option) => (
            <option key={option} value={option}>
              {t(`role.${option}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('staff.pin')}</span>
        <input
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          value={pin}
          onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))}
        />
      </label>
      <label className="field">
        <span>{t('staff.pinAgain')}</span>
        <input
          type="password"
          inputMode="numeric"
          autoComplete="new-password"
          value={pinAgain}
          onChange={(event) => setPinAgain(event.target.value.replace(/\D/g, ''))}
        />
      </label>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {t('staff.addConfirm')}
      </button>
    </form>
  );
}
