import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { assertNever } from '@retail/domain';

/**
 * The raw line to a receipt printer without an OS driver, shared by the cash drawer (its pulse) and raw
 * ESC/POS receipts: a network printer's raw port, a device file, or a raw CUPS queue.
 */
export type RawTransport =
  | { readonly kind: 'network-printer'; readonly host: string; readonly port: number }
  | { readonly kind: 'device'; readonly path: string }
  | { readonly kind: 'cups'; readonly queue: string };

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

/** Sends the bytes whole, or rejects with what went wrong (refused, timed out, no such device). */
export function sendRawBytes(transport: RawTransport, bytes: Uint8Array): Promise<void> {
  switch (transport.kind) {
    case 'network-printer':
      return sendOverNetwork(transport.host, transport.port, bytes);
    case 'device':
      // Append: a device file takes writes as they come; never truncate a path (it may be a plain file).
      return writeFile(transport.path, bytes, { flag: 'a' });
    case 'cups':
      return sendThroughCups(transport.queue, bytes);
    default:
      return assertNever(transport, 'raw printer kind');
  }
}

/** Where the bytes went, for a sentence: "10.0.0.41:9100", "/dev/usb/lp0", "CUPS queue TM20". */
export function describeTransport(transport: RawTransport): string {
  switch (transport.kind) {
    case 'network-printer':
      return `${transport.host}:${transport.port}`;
    case 'device':
      return transport.path;
    case 'cups':
      return `CUPS queue ${transport.queue}`;
    default:
      return assertNever(transport, 'raw printer kind');
  }
}
