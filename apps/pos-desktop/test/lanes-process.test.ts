import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectOk, tempDir } from '../src/engine/testing/test-node';
import { pairPinned, pinnedTls, type PairedLane } from '../src/lane-client/pinned-tls';
import { createCommandClient, type CommandClient } from '../src/shared/command-client';
import { runCli, startCli, type RunningNode } from './cli-process';

// A lane pairs with a real `pos-store start --lan` over HTTPS, pinning the certificate fingerprint the
// node printed, and keeps working with the same credential after the node process restarts.

const dirs: { remove(): void }[] = [];
const running: RunningNode[] = [];
const clients: CommandClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const node of running.splice(0)) await node.stop();
});
afterAll(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

async function startLanNode(data: string) {
  const node = await startCli(
    ['--data', data, '--port', '0', '--lan', '--lan-host', '127.0.0.1', '--lan-port', '0'],
    {
      timeoutMs: 60_000,
    },
  );
  running.push(node);
  // startCli resolves on the token lines; the lanes lines are separate writes that may follow.
  await expect.poll(() => node.stdout(), { timeout: 30_000 }).toMatch(/Certificate SHA-256: \S+\n/);
  const out = node.stdout();
  const lanPort = /Lanes:\s+https:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
  const fingerprint = /Certificate SHA-256: (\S+)/.exec(out)?.[1];
  expect(lanPort, out).toBeDefined();
  expect(fingerprint, out).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  return { node, laneUrl: `https://127.0.0.1:${lanPort}`, fingerprint: fingerprint! };
}

function track(client: CommandClient): CommandClient {
  clients.push(client);
  return client;
}

/** The lane as a program client: its credential, and only the certificate it pinned at pairing. */
function laneClient(url: string, paired: PairedLane): CommandClient {
  return track(
    createCommandClient(
      url,
      { lane: paired.pairing.credential },
      { transports: ['websocket'], tls: pinnedTls(paired.certificatePem) },
    ),
  );
}

describe('lanes with a real node process', () => {
  it('pairs over pinned HTTPS, survives a node restart with the same credential, and is revoked at once', async () => {
    const dir = tempDir('pos-store-lanes-');
    dirs.push(dir);
    const init = runCli(
      [
        'init',
        '--data',
        dir.path,
        '--store-id',
        'store-1',
        '--store-code',
        'S001',
        '--device-no',
        '2',
        '--currency',
        'EUR',
        '--manager-code',
        'M1',
        '--manager-name',
        'Ana',
      ],
      { env: { POS_STORE_MANAGER_PIN: '1234' }, timeoutMs: 60_000 },
    );
    expect(init.code, init.stderr).toBe(0);

    const first = await startLanNode(dir.path);
    const main = track(createCommandClient(first.node.url, first.node.token, { transports: ['websocket'] }));
    await main.ready();
    const manager = expectOk(await main.send('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
    const code = expectOk(
      await main.send(
        'lane-pairing-code',
        { kind: 'lane', name: 'Lane 2', registerId: 'lane-2' },
        { session: manager },
      ),
    );
    expect(code.certificateFingerprint).toBe(first.fingerprint);
    const paired = await pairPinned(first.laneUrl, code.code, first.fingerprint);
    const lane = laneClient(first.laneUrl, paired);
    await lane.ready();
    expectOk(await lane.send('staff-sign-in', { staffCode: 'M1', pin: '1234' }));
    lane.close();
    main.close();
    expect(await first.node.stop()).toBe(0);
    running.splice(running.indexOf(first.node), 1);

    // A new process, a new launch token: the lane's credential and the pinned certificate still hold.
    const second = await startLanNode(dir.path);
    expect(second.node.token).not.toBe(first.node.token);
    expect(second.fingerprint).toBe(first.fingerprint);
    const again = laneClient(second.laneUrl, paired);
    await again.ready();
    expectOk(await again.send('node-info', {}));

    const main2 = track(
      createCommandClient(second.node.url, second.node.token, { transports: ['websocket'] }),
    );
    await main2.ready();
    const manager2 = expectOk(await main2.send('staff-sign-in', { staffCode: 'M1', pin: '1234' })).session;
    const disconnected = new Promise<string>((resolve) => again.socket.once('disconnect', resolve));
    expectOk(await main2.send('lane-revoke', { laneId: paired.pairing.laneId }, { session: manager2 }));
    expect(await disconnected).toBe('io server disconnect');
    const refused = laneClient(second.laneUrl, paired);
    await expect(refused.ready()).rejects.toThrow(/refused this device/);
  }, 180_000);
});
