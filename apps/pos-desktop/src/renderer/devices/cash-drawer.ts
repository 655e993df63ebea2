import type { CommandInput } from '../../shared/commands';
import type { PosApi } from '../api/pos-api';
import { errorText, t } from '../i18n/translate';
import type { DeviceOutcome, PosDevices } from './devices';

/**
 * Opens the cash drawer for the signed-in staff member: the store node checks their role and audits the
 * opening (`drawer-open`), and the desktop shell kicks the drawer only with the grant the node returned.
 * A browser lane has no drawer connection, so nothing is asked of the node there.
 */
export async function openCashDrawerFor(
  api: PosApi,
  devices: PosDevices,
  request: CommandInput<'drawer-open'>,
): Promise<DeviceOutcome> {
  if (devices.kind !== 'desktop') return { ok: false, message: t('devices.noDrawer') };
  const opening = await api.call('drawer-open', request);
  if (!opening.ok) return { ok: false, message: errorText(opening.error) };
  if (opening.value.grant === null) return { ok: false, message: t('devices.noDrawer') };
  return devices.openCashDrawer(opening.value.grant);
}
