import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemScheduler } from '@retail/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { startHubProbe } from './hub-probe';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A hub front door whose /healthz fails until `up` is set. */
async function hubHealth(): Promise<{ url: string; hits: () => number; bringUp: () => void }> {
  let up = false;
  let hits = 0;
  server = createServer((request, response) => {
    hits += 1;
    response.writeHead(up && request.url === '/healthz' ? 200 : 503).end('{}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz`, hits: () => hits, bringUp: () => (up = true) };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('engine/sync/hub-probe', () => {
  describe('startHubProbe', () => {
    it('keeps asking while the hub fails, and reports it alive once, at its first 200', async () => {
      const hub = await hubHealth();
      let alive = 0;
      const probe = startHubProbe({
        url: hub.url,
        fetch,
        scheduler: systemScheduler,
        random: () => 0.5,
        intervalMs: 20,
        timeoutMs: 5_000,
        onAlive: () => (alive += 1),
      });
      await until(() => hub.hits() >= 3, 'three probes of a failing hub');
      expect(alive).toBe(0);
      hub.bringUp();
      await until(() => alive === 1, 'the hub reported alive');
      const hitsWhenAlive = hub.hits();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(hub.hits()).toBe(hitsWhenAlive);
      expect(alive).toBe(1);
      probe.stop();
    });
  });
});
