import { useEffect, useRef } from 'react';
import { isDialogOpen } from '../components/dialog';

export type Hotkeys = Readonly<Record<string, (event: KeyboardEvent) => void>>;

/**
 * Function-key shortcuts (`event.key` names: "F10", "Delete", ...; "Shift+F7" with Shift held, which is then
 * not "F7"). They stay quiet while a dialog is open, so a manager typing a PIN never parks a sale by
 * accident; the browser's own use of a key is prevented.
 */
export function useHotkeys(hotkeys: Hotkeys, enabled = true): void {
  const latest = useRef(hotkeys);
  latest.current = hotkeys;
  useEffect(() => {
    if (!enabled) return undefined;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      const handler = latest.current[event.shiftKey ? `Shift+${event.key}` : event.key];
      if (!handler || isDialogOpen(document)) return;
      event.preventDefault();
      handler(event);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [enabled]);
}
