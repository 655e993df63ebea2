import type { Role } from '../../shared/commands';
import type { MessageKey } from '../i18n/translate';

/** The till's work areas, in the order of the navigation and their function keys. */
export const AREAS = [
  { id: 'sell', label: 'nav.sell', hotkey: 'F1' },
  { id: 'returns', label: 'nav.returns', hotkey: 'F2' },
  { id: 'stock', label: 'nav.stock', hotkey: 'F3' },
  { id: 'shift', label: 'nav.shift', hotkey: 'F4' },
  { id: 'bopis', label: 'nav.bopis', hotkey: 'F5' },
  // Back-office work needs no function key; it only shows to the roles the node lets do it.
  { id: 'staff', label: 'nav.staff', hotkey: null, minRole: 'supervisor' },
  { id: 'lanes', label: 'nav.lanes', hotkey: null, minRole: 'manager' },
  { id: 'settings', label: 'nav.settings', hotkey: null, minRole: 'manager' },
] as const satisfies readonly { id: string; label: MessageKey; hotkey: string | null; minRole?: Role }[];

export type AreaId = (typeof AREAS)[number]['id'];

export const LOCK_HOTKEY = 'F9';
