import { useId, useState, type FormEvent } from 'react';
import type { DeviceStatus } from '../../api/api-types';
import { useServices } from '../../app/dashboard-context';
import { useSubmit } from '../../app/use-submit';
import { t } from '../../i18n/translate';
import { EditError } from '../inventory/stock-edit-forms';

/**
 * Renames a device on the version the list showed: a device someone renamed meanwhile is refused (409)
 * and the operator reloads the list before deciding again.
 */
export function RenameDeviceForm({
  device,
  label,
  onDone,
  onCancel,
  onReload,
}: {
  device: DeviceStatus;
  label: string;
  onDone: (name: string) => void;
  onCancel: () => void;
  onReload: () => void;
}) {
  const { api } = useServices();
  const id = useId();
  const [name, setName] = useState(device.name);
  const { working, error, setError, send } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setError({ code: 'INVALID_INPUT', message: t('devices.nameEmpty') });
      return;
    }
    const renamed = await send(() => api.renameDevice(device.deviceId, name.trim(), device.version));
    if (renamed !== null) onDone(renamed.name);
  };

  const title = t('devices.rename', { device: label });
  return (
    <form className="panel" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      <label htmlFor={id}>{t('devices.newName')}</label>
      <input id={id} value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
      <EditError error={error} onReload={onReload} />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={working}>
          {t('devices.save')}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          {t('devices.cancel')}
        </button>
      </div>
    </form>
  );
}
