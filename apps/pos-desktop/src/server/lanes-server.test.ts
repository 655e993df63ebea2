import { request as httpRequest } from 'node:http';
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandClient, type ClientCredential, type CommandClient } from '../shared/command-client';
import {
  CustomerDisplayStateSchema,
  DISPLAY_EVENT,
  type CustomerDisplayState,
} from '../shared/customer-display';
import { PAIR_PATH, type PairResponse } from '../shared/lane-commands';
import { createTestNode, expectError, expectOk, type TestNode } from '../engine/testing/test-node';
import { pairPinned, pinnedTls, type PinnedTls } from '../lane-client/pinned-tls';
import { loadOrCreateLanCertificate, type LanCertificate } from './lan-certificate';
import { startStoreServer, type StoreServer } from './server';
import { UNAUTHENTICATED_MAX_BYTES } from './socket-limits';

const TOKEN = 'test-token-0123456789abcdef';
const NAMES = ['localhost', '127.0.0.1'];

let node: TestNode | undefined;
let server: StoreServer | undefined;
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.close();
  server = undefined;
  node?.close();
  node = undefined;
});

/** A node serving the main till on loopback HTTP and, with `lan`, lanes over HTTPS on 127.0.0.1 too. */
async function start(options: { lan?: boolean } = {}): Promise<StoreServer> {
  node ??= createTestNode();
  const tls: LanCertificate | undefined = options.lan
    ? await loadOrCreateLanCertificate(node.engine, NAMES)
    : undefined;
  server = await startStoreServer({
    engine: node.engine,
    token: TOKEN,
    port: 0,
    hostNames: NAMES,
    ...(tls ? { lan: { host: '127.0.0.1', port: 0, tls } } : {}),
  });
  return server;
}

/** Where lanes connect: the HTTPS listener when there is one. */
const laneUrl = () => server!.lan?.url ?? server!.url;

function client(credential: ClientCredential, tls?: PinnedTls): CommandClient {
  const created = createCommandClient(tls ? laneUrl() : server!.url, credential, {
    transports: ['websocket'],
    connectTimeoutMs: 5_000,
    ...(tls ? { tls } : {}),
  });
  closers.push(() => created.close());
  return created;
}

function pairingCode(kind: 'lane' | 'display' = 'lane', registerId = 'lane-2'): string {
  return expectOk(
    node!.engine.execute(
      'lane-pairing-code',
      { kind, name: kind === 'lane' ? `Lane ${registerId}` : 'Customer display', registerId },
      { session: node!.sessions.manager },
    ),
  ).code;
}

async function pairOverHttp(code: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server!.url}${PAIR_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ code }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : {}) as {
      ok: boolean;
      value?: PairResponse;
    },
  };
}

async function pairLane(registerId = 'lane-2'): Promise<PairResponse> {
  const paired = await pairOverHttp(pairingCode('lane', registerId));
  expect(paired.status).toBe(200);
  return paired.body.value!;
}

/** Resolves with the connect_error message of a raw socket.io client. */
function refusal(socket: Socket): Promise<string> {
  closers.push(() => socket.close());
  return new Promise((resolve) => socket.once('connect_error', (error) => resolve(error.message)));
}

function rawRequest(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port: server!.port, path, headers }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('store server lanes', () => {
  describe('pairing', () => {
    it('trades a code for a lane credential the socket accepts, whose commands run as that lane', async () => {
      await start();
      const code = pairingCode('lane', 'lane-2');
      const paired = await pairOverHttp(code);
      expect(paired.status).toBe(200);
      const lane = paired.body.value!;
      expect(lane).toMatchObject({ kind: 'lane', registerId: 'lane-2', certificateFingerprint: null });
      const channel = client({ lane: lane.credential });
      await channel.ready();
      const session = expectOk(await channel.send('staff-sign-in', { staffCode: 'C1', pin: '1111' })).session;
      expectError(
        await channel.send('shift-open', { registerId: 'main', float: 0 }, { session }),
        'FORBIDDEN',
      );
      expectOk(await channel.send('shift-open', { registerId: 'lane-2', float: 0 }, { session }));
      const signIns = node!.engine.db
        .prepare(
          "SELECT details FROM audit_log WHERE action = 'staff-sign-in' ORDER BY audit_id DESC LIMIT 1",
        )
        .get() as { details: string };
      expect(JSON.parse(signIns.details)).toMatchObject({ laneId: lane.laneId });
      // The same code never pairs twice.
      expect((await pairOverHttp(code)).status).toBe(401);
    });

    it('refuses wrong codes, non-JSON posts and oversized bodies without reading them', async () => {
      await start();
      expect((await pairOverHttp('ABCD-EFGH')).status).toBe(401);
      expect((await pairOverHttp('not-a-pairing-code!')).status).toBe(400);
      const form = await fetch(`${server!.url}${PAIR_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'code=ABCD-EFGH',
      });
      expect(form.status).toBe(415);
      const huge = await fetch(`${server!.url}${PAIR_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: 'x'.repeat(5_000) }),
      }).catch(() => undefined);
      expect(huge === undefined || huge.status === 413).toBe(true);
    });
  });

  describe('revocation', () => {
    it('closes the revoked lane’s socket at once and refuses its credential from then on', async () => {
      await start();
      const lane = await pairLane('lane-2');
      const other = await pairLane('lane-3');
      const revokedChannel = client({ lane: lane.credential });
      const otherChannel = client({ lane: other.credential });
      await Promise.all([revokedChannel.ready(), otherChannel.ready()]);
      const disconnected = new Promise<string>((resolve) =>
        revokedChannel.socket.once('disconnect', resolve),
      );
      expectOk(
        node!.engine.execute('lane-revoke', { laneId: lane.laneId }, { session: node!.sessions.manager }),
      );
      expect(await disconnected).toBe('io server disconnect');
      expect(otherChannel.socket.connected).toBe(true);
      await expect(client({ lane: lane.credential }).ready()).rejects.toThrow(/refused this device/);
    });
  });

  describe('HTTPS', () => {
    it('serves lanes HTTPS/WSS with the generated certificate; a client pinning its fingerprint pairs and connects', async () => {
      await start({ lan: true });
      expect(server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(laneUrl()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const fingerprint = server!.lan!.certificateFingerprint;
      expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      const code = pairingCode();
      expect(
        expectOk(
          node!.engine.execute(
            'lane-pairing-code',
            { kind: 'lane', name: 'x', registerId: 'lane-9' },
            {
              session: node!.sessions.manager,
            },
          ),
        ).certificateFingerprint,
      ).toBe(fingerprint);
      const paired = await pairPinned(laneUrl(), code, fingerprint.toLowerCase());
      expect(paired.pairing.certificateFingerprint).toBe(fingerprint);
      const channel = client({ lane: paired.pairing.credential }, pinnedTls(paired.certificatePem));
      await channel.ready();
      expectOk(await channel.send('node-info', {}));
    });

    it('refuses to pair or connect when the node presents another certificate than the pinned one', async () => {
      await start({ lan: true });
      const code = pairingCode();
      const wrong = '00:'.repeat(31) + '00';
      await expect(pairPinned(laneUrl(), code, wrong)).rejects.toThrow(
        /is not the one shown on the main till/,
      );
      // The code was never sent: it still pairs.
      const paired = await pairPinned(laneUrl(), code, server!.lan!.certificateFingerprint);
      // An impostor certificate (another node's) is refused by a client that pinned this one.
      const impostorNode = createTestNode({ seed: 99 });
      closers.push(() => impostorNode.close());
      const impostor = await loadOrCreateLanCertificate(impostorNode.engine, NAMES);
      expect(impostor.fingerprint).not.toBe(server!.lan!.certificateFingerprint);
      const pinnedToImpostor = connect(laneUrl(), {
        transports: ['websocket'],
        reconnection: false,
        auth: { lane: paired.pairing.credential },
        ...pinnedTls(impostor.cert),
      });
      expect(await refusal(pinnedToImpostor)).toBe('websocket error');
      const pinnedToNode = connect(laneUrl(), {
        transports: ['websocket'],
        reconnection: false,
        auth: { lane: paired.pairing.credential },
        ...pinnedTls(paired.certificatePem),
      });
      closers.push(() => pinnedToNode.close());
      await new Promise<void>((resolve, reject) => {
        pinnedToNode.once('connect', resolve);
        pinnedToNode.once('connect_error', reject);
      });
    });

    it('keeps the certificate across restarts: the fingerprint lanes pinned does not change', async () => {
      node = createTestNode();
      const first = await loadOrCreateLanCertificate(node.engine, NAMES);
      const engine = node.reopen();
      const again = await loadOrCreateLanCertificate(engine, NAMES);
      expect(again.fingerprint).toBe(first.fingerprint);
      expect(again.subjectAltNames).toEqual(NAMES);
    });
  });

  describe('hostile pages', () => {
    it('refuses sockets opened by another site, and accepts its own pages and the desktop shell', async () => {
      await start();
      const foreign = connect(server!.url, {
        transports: ['websocket'],
        reconnection: false,
        auth: { token: TOKEN },
        extraHeaders: { Origin: 'http://evil.example' },
      });
      expect(await refusal(foreign)).toBe('websocket error');
      for (const origin of [server!.url, 'pos-app://bundle']) {
        const allowed = connect(server!.url, {
          transports: ['websocket'],
          reconnection: false,
          auth: { token: TOKEN },
          extraHeaders: { Origin: origin },
        });
        closers.push(() => allowed.close());
        await new Promise<void>((resolve, reject) => {
          allowed.once('connect', resolve);
          allowed.once('connect_error', reject);
        });
      }
      const pairFromElsewhere = await pairOverHttp(pairingCode(), { Origin: 'http://evil.example' });
      expect(pairFromElsewhere.status).toBe(403);
    });

    it('answers only to its own names and addresses (DNS rebinding)', async () => {
      await start();
      expect((await rawRequest('/', { Host: 'evil.example:7420' })).status).toBe(421);
      expect((await rawRequest('/socket.io/?EIO=4&transport=polling', { Host: 'evil.example' })).status).toBe(
        403,
      );
      expect((await rawRequest('/', { Host: `127.0.0.1:${server!.port}` })).status).toBe(200);
      expect((await rawRequest('/', { Host: `localhost:${server!.port}` })).status).toBe(200);
    });

    it('sends frame-ancestors none and X-Frame-Options DENY with the till page', async () => {
      await start();
      const page = await fetch(`${server!.url}/`);
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('message size', () => {
    /** A raw engine.io WebSocket: the open packet, then whatever the test sends. */
    async function rawSocket(): Promise<{ ws: WebSocket; closed: Promise<number> }> {
      const ws = new WebSocket(`${server!.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
      closers.push(() => ws.terminate());
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve());
        ws.once('error', reject);
      });
      return { ws, closed };
    }

    it('closes an unauthenticated connection that sends more than a few kilobytes', async () => {
      await start();
      const { ws, closed } = await rawSocket();
      ws.send(`40${JSON.stringify({ token: 'x'.repeat(UNAUTHENTICATED_MAX_BYTES) })}`);
      expect(await closed).toBe(1009);
    });

    it('lets an unauthenticated connection send its small handshake', async () => {
      await start();
      const { ws } = await rawSocket();
      const answer = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      ws.send(`40${JSON.stringify({ token: TOKEN })}`);
      expect(await answer).toMatch(/^40\{"sid"/);
    });

    it('lets an authenticated staff screen send large commands, over WebSocket and long-polling alike', async () => {
      await start();
      for (const transport of ['websocket', 'polling'] as const) {
        const channel = createCommandClient(server!.url, TOKEN, {
          transports: [transport],
          connectTimeoutMs: 5_000,
        });
        closers.push(() => channel.close());
        await channel.ready();
        const skus = Array.from({ length: 200 }, (_, index) => `SKU-${index}-${'x'.repeat(80)}`);
        const answer = await channel.send('stock-levels', { skus });
        // Too big for an unauthenticated connection, answered (not dropped) for a signed-in screen.
        expect(JSON.stringify({ skus }).length).toBeGreaterThan(UNAUTHENTICATED_MAX_BYTES);
        expect(answer.ok || answer.error.code === 'UNAUTHORIZED').toBe(true);
      }
    });
  });

  describe('customer display', () => {
    it("shows the lane's sale live (lines, total, change) and nothing about staff", async () => {
      await start();
      const lane = await pairLane('lane-2');
      const displayPairing = await pairOverHttp(pairingCode('display', 'lane-2'));
      const display = connect(server!.url, {
        transports: ['websocket'],
        reconnection: false,
        auth: { lane: displayPairing.body.value!.credential },
      });
      closers.push(() => display.close());
      const states: CustomerDisplayState[] = [];
      const everything: unknown[] = [];
      display.onAny((event: string, payload: unknown) => {
        everything.push({ event, payload });
        if (event === DISPLAY_EVENT) states.push(CustomerDisplayStateSchema.parse(payload));
      });
      await expect.poll(() => states.length).toBe(1);
      expect(states[0]).toMatchObject({ status: 'idle', registerId: 'lane-2', lines: [] });

      const channel = client({ lane: lane.credential });
      await channel.ready();
      const session = expectOk(await channel.send('staff-sign-in', { staffCode: 'C1', pin: '1111' })).session;
      expectOk(await channel.send('shift-open', { registerId: 'lane-2', float: 0 }, { session }));
      const sale = expectOk(await channel.send('sale-start', { registerId: 'lane-2' }, { session }));
      expectOk(
        await channel.send('sale-add-line', { saleId: sale.saleId, sku: 'APPLE-1', qty: 3 }, { session }),
      );
      await expect.poll(() => states.at(-1)?.lines.length).toBe(1);
      const total = states.at(-1)!.total;
      expect(states.at(-1)).toMatchObject({ status: 'open', lines: [{ name: expect.any(String), qty: 3 }] });
      expectOk(
        await channel.send(
          'sale-add-tender',
          { saleId: sale.saleId, tender: { type: 'cash', amount: total + 500 } },
          { session },
        ),
      );
      expectOk(await channel.send('sale-complete', { saleId: sale.saleId }, { session }));
      await expect.poll(() => states.at(-1)?.status).toBe('completed');
      expect(states.at(-1)).toMatchObject({ total, change: 500, remaining: 0 });
      // Displays get display states only: no notifications, no staff, shift or session data.
      expect(new Set(everything.map((entry) => (entry as { event: string }).event))).toEqual(
        new Set([DISPLAY_EVENT]),
      );
      const sent = JSON.stringify(everything);
      for (const secret of ['staffId', 'shiftId', 'Chris', session]) expect(sent).not.toContain(secret);
      // And it cannot run commands.
      const refused = (await display
        .timeout(5_000)
        .emitWithAck('command', { name: 'node-info', input: {} })) as {
        ok: boolean;
        error: { code: string };
      };
      expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
  });
});
