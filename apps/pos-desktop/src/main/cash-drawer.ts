import type { DeviceOutcome } from '../shared/desktop-bridge';
import type { DrawerConfig, PulseConfig } from './desktop-config';
import { sendRawBytes } from './raw-transport';

/**
 * ESC/POS "generate pulse": ESC p m t1 t2. The drawer hangs off the receipt printer's kick connector;
 * m picks the pin (0 = pin 2, 1 = pin 5), t1/t2 are the on and off times in units of 2 ms.
 */
export function drawerPulse(pulse: PulseConfig): Uint8Array {
  const units = (ms: number) => Math.max(1, Math.min(255, Math.round(ms / 2)));
  return Uint8Array.from([0x1b, 0x70, pulse.pin, units(pulse.onMs), units(pulse.offMs)]);
}

/** Kicks the drawer; every failure comes back as a sentence for the cashier, never as an exception. */
export async function openCashDrawer(drawer: DrawerConfig, pulse: PulseConfig): Promise<DeviceOutcome> {
  const bytes = drawerPulse(pulse);
  if (drawer.kind === 'none') {
    return { ok: false, message: 'No cash drawer is set up for this till; open the drawer with its key.' };
  }
  try {
    await sendRawBytes(drawer, bytes);
    return { ok: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `The cash drawer did not open (${reason}). Check that the receipt printer is on and connected, or open the drawer with its key.`,
    };
  }
}
