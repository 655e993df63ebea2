import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { assertNever } from '@retail/domain';
import type { DeviceOutcome } from '../renderer/devices/desktop-bridge';
import type { DrawerConfig, PulseConfig } from './desktop-config';

/**
 * ESC/POS "generate pulse": ESC p m t1 t2. The drawer hangs off the receipt printer's kick connector;
 * m picks the pin (0 = pin 2, 1 = pin 5), t1/t2 are the on and off times in units of 2 ms.
 */
export function drawerPulse(pulse: PulseConfig): Uint8Array {
  const units = (ms: number) => Math.max(1, Math.min(255, Math.round(ms / 2)));
  return Uint8Array.from([0x1b, 0x70, pulse.pin, units(pulse.onMs), units(pulse.offMs)]);
}

const TIMEOUT_MS = 5000;

function sendOverNetwork(host: string, port: number, bytes: Uint8Array): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(
      () => socket.destroy(new Error('the printer did not answer within 5 seconds')),
      TIMEOUT_MS,
    );
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      socket.end(bytes, () => {
        clearTimeout(timer);
        resolvePromise();
      });
    });
  });
}

function sendThroughCups(queue: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const lp = spawn('lp', ['-d', queue, '-o', 'raw'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    lp.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => lp.kill('SIGKILL'), TIMEOUT_MS);
    lp.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    lp.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(stderr.trim() || `lp exited with code ${code}`));
    });
    lp.stdin?.end(bytes);
  });
}

/** Kicks the drawer; every failure comes back as a sentence for the cashier, never as an exception. */
export async function openCashDrawer(drawer: DrawerConfig, pulse: PulseConfig): Promise<DeviceOutcome> {
  const bytes = drawerPulse(pulse);
  try {
    switch (drawer.kind) {
      case 'none':
        return {
          ok: false,
          message: 'No cash drawer is set up for this till; open the drawer with its key.',
        };
      case 'network-printer':
        await sendOverNetwork(drawer.host, drawer.port, bytes);
        return { ok: true };
      case 'device':
        await writeFile(drawer.path, bytes, { flag: 'a' });
        return { ok: true };
      case 'cups':
        await sendThroughCups(drawer.queue, bytes);
        return { ok: true };
      default:
        return assertNever(drawer, 'drawer kind');
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `The cash drawer did not open (${reason}). Check that the receipt printer is on and connected, or open the drawer with its key.`,
    };
  }
}
