import { describe, expect, it } from 'vitest';
import { fakeBridge } from '../testing/fake-bridge';
import type { DesktopBridge } from '../../shared/desktop-bridge';
import { forgetPairing, planConnection, saveLanePairing, STORAGE_KEYS } from './connection';
import { memoryStorage } from '../testing/memory-storage';

const BRIDGE: DesktopBridge = fakeBridge();

describe('connection', () => {
  describe('planConnection', () => {
    it('uses the URL and token the Electron preload hands over', () => {
      const { plan } = planConnection({
        bridge: BRIDGE,
        href: 'pos-app://bundle/index.html',
        storage: memoryStorage(),
      });
      expect(plan).toEqual({
        kind: 'desktop',
        url: BRIDGE.url,
        credential: { token: BRIDGE.token },
        registerId: 'main',
      });
    });

    it('remembers the token and register of a pairing link and takes them out of the address', () => {
      const storage = memoryStorage();
      const { plan, cleanHref } = planConnection({
        bridge: undefined,
        href: 'http://192.168.1.20:7420/?token=abcdefghijklmnop1234&register=lane-2',
        storage,
      });
      expect(plan).toEqual({
        kind: 'browser',
        url: 'http://192.168.1.20:7420',
        credential: { token: 'abcdefghijklmnop1234' },
        registerId: 'lane-2',
      });
      expect(cleanHref).toBe('http://192.168.1.20:7420/');
      expect(storage.data.get(STORAGE_KEYS.token)).toBe('abcdefghijklmnop1234');
      const again = planConnection({ bridge: undefined, href: 'http://192.168.1.20:7420/', storage });
      expect(again).toEqual({ plan, cleanHref: null });
    });

    it('asks for pairing when the device has no token, keeping a bad register name out', () => {
      const { plan } = planConnection({
        bridge: undefined,
        href: 'http://127.0.0.1:7420/?register=../../etc',
        storage: memoryStorage(),
      });
      expect(plan).toEqual({ kind: 'pairing', url: 'http://127.0.0.1:7420', registerId: 'main' });
    });
  });

  describe('paired lanes', () => {
    it('connect with their own credential on the register they were paired as, whatever the address says', () => {
      const storage = memoryStorage();
      saveLanePairing(storage, {
        laneId: 'l2',
        kind: 'lane',
        name: 'Lane 2',
        registerId: 'lane-2',
        credential: 'c'.repeat(43),
        certificateFingerprint: 'AB:CD',
      });
      const { plan } = planConnection({
        bridge: undefined,
        href: 'https://10.0.0.5:7443/?register=main',
        storage,
      });
      expect(plan).toEqual({
        kind: 'browser',
        url: 'https://10.0.0.5:7443',
        credential: { lane: 'c'.repeat(43) },
        registerId: 'lane-2',
      });
    });
  });

  describe('forgetPairing', () => {
    it('drops the token and the lane credential but keeps the register name', () => {
      const storage = memoryStorage({
        [STORAGE_KEYS.token]: 'x'.repeat(20),
        [STORAGE_KEYS.lane]: 'y'.repeat(43),
        [STORAGE_KEYS.registerId]: 'lane-3',
      });
      forgetPairing(storage);
      expect([...storage.data.entries()]).toEqual([[STORAGE_KEYS.registerId, 'lane-3']]);
    });
  });
});
