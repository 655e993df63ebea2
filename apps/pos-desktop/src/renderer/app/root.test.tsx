// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientCredential } from '../../shared/command-client';
import type { PairResponse } from '../../shared/lane-commands';
import { STORAGE_KEYS } from '../connection/connection';
import type { PairDevice } from '../connection/pair-request';
import { NODE_INFO, syncStatus } from '../testing/builders';
import { createFakeNode, type FakeNode } from '../testing/fake-node';
import { fakeDevices } from '../testing/render-pos';
import { Root } from './root';
import { memoryStorage } from '../testing/memory-storage';

afterEach(() => cleanup());

function connector() {
  const made: { url: string; credential: ClientCredential; node: FakeNode }[] = [];
  return {
    made,
    connect(url: string, credential: ClientCredential) {
      const node = createFakeNode();
      node.handle('node-info', () => NODE_INFO);
      node.handle('sync-status', () => syncStatus());
      made.push({ url, credential, node });
      return node;
    },
  };
}

const PAIRED: PairResponse = {
  laneId: 'lane-id-4',
  kind: 'lane',
  name: 'Lane 4',
  registerId: 'lane-4',
  credential: 'c'.repeat(43),
  certificateFingerprint: 'AB:CD',
};

/** A node that accepts one code, as `POST /lanes/pair` would. */
function pairing(accepted = '7KQ4M2XD', answer: PairResponse = PAIRED) {
  const codes: string[] = [];
  const pair: PairDevice = (code) => {
    codes.push(code);
    return Promise.resolve(
      code === accepted
        ? { ok: true, value: answer }
        : {
            ok: false,
            error: {
              code: 'UNAUTHORIZED',
              message:
                'That pairing code is wrong, used or expired. Ask a manager for a new code on the main till.',
            },
          },
    );
  };
  return { pair, codes };
}

describe('root', () => {
  describe('Root', () => {
    it('pairs a lane with the code from the main till, then connects as that lane on its register', async () => {
      const user = userEvent.setup();
      const storage = memoryStorage();
      const nodes = connector();
      const node = pairing();
      render(
        <Root
          initialPlan={{ kind: 'pairing', url: 'https://10.0.0.5:7443', registerId: 'main' }}
          storage={storage}
          connect={nodes.connect}
          pair={node.pair}
          devices={fakeDevices('browser')}
        />,
      );
      await user.type(screen.getByLabelText('Pairing code'), 'short{Enter}');
      expect(screen.getByText('A pairing code is 8 letters and digits, like 7KQ4-M2XD.')).toBeTruthy();
      await user.clear(screen.getByLabelText('Pairing code'));
      await user.type(screen.getByLabelText('Pairing code'), 'zzzz-zzzz{Enter}');
      expect(await screen.findByText(/That pairing code is wrong, used or expired/)).toBeTruthy();
      await user.clear(screen.getByLabelText('Pairing code'));
      await user.type(screen.getByLabelText('Pairing code'), '7kq4-m2xd{Enter}');
      expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
      expect(node.codes).toEqual(['ZZZZZZZZ', '7KQ4M2XD']);
      expect(nodes.made.map(({ url, credential }) => ({ url, credential }))).toEqual([
        { url: 'https://10.0.0.5:7443', credential: { lane: PAIRED.credential } },
      ]);
      expect(storage.data.get(STORAGE_KEYS.registerId)).toBe('lane-4');
      expect(storage.data.get(STORAGE_KEYS.lane)).toBe(PAIRED.credential);
      expect(storage.data.get(STORAGE_KEYS.certificate)).toBe('AB:CD');
    });

    it('refuses a display code on a lane', async () => {
      const user = userEvent.setup();
      const node = pairing('7KQ4M2XD', { ...PAIRED, kind: 'display' });
      render(
        <Root
          initialPlan={{ kind: 'pairing', url: 'https://10.0.0.5:7443', registerId: 'main' }}
          storage={memoryStorage()}
          connect={connector().connect}
          pair={node.pair}
          devices={fakeDevices('browser')}
        />,
      );
      await user.type(screen.getByLabelText('Pairing code'), '7KQ4-M2XD{Enter}');
      expect(await screen.findByText(/That code pairs a customer display, not a lane/)).toBeTruthy();
    });

    it('goes back to pairing, forgetting the credential, when the node refuses it (revoked)', async () => {
      const storage = memoryStorage();
      storage.setItem(STORAGE_KEYS.lane, PAIRED.credential);
      const nodes = connector();
      render(
        <Root
          initialPlan={{
            kind: 'browser',
            url: 'https://10.0.0.5:7443',
            credential: { lane: PAIRED.credential },
            registerId: 'lane-4',
          }}
          storage={storage}
          connect={nodes.connect}
          pair={pairing().pair}
          devices={fakeDevices('browser')}
        />,
      );
      await screen.findByRole('heading', { name: 'Sign in' });
      act(() => nodes.made[0]?.node.setConnection('refused'));
      expect(await screen.findByRole('heading', { name: 'Pair this lane with the store node' })).toBeTruthy();
      expect(screen.getByText(/no longer accepts this device/)).toBeTruthy();
      expect(storage.data.has(STORAGE_KEYS.lane)).toBe(false);
    });
  });
});
