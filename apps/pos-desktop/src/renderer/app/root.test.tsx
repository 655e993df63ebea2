// @vitest-environment happy-dom
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { STORAGE_KEYS, type KeyValueStorage } from '../connection/connection';
import { NODE_INFO, syncStatus } from '../testing/builders';
import { createFakeNode, type FakeNode } from '../testing/fake-node';
import { fakeDevices } from '../testing/render-pos';
import { Root } from './root';

afterEach(() => cleanup());

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function connector() {
  const made: { url: string; token: string; node: FakeNode }[] = [];
  return {
    made,
    connect(url: string, token: string) {
      const node = createFakeNode();
      node.handle('node-info', () => NODE_INFO);
      node.handle('sync-status', () => syncStatus());
      made.push({ url, token, node });
      return node;
    },
  };
}

describe('root', () => {
  describe('Root', () => {
    it('pairs a lane by the typed token, then connects to the node that served the page', async () => {
      const user = userEvent.setup();
      const storage = memoryStorage();
      const nodes = connector();
      render(
        <Root
          initialPlan={{ kind: 'pairing', url: 'http://127.0.0.1:7420', registerId: 'main' }}
          storage={storage}
          connect={nodes.connect}
          devices={fakeDevices('browser')}
        />,
      );
      await user.type(screen.getByLabelText('Access token'), 'short{Enter}');
      expect(
        screen.getByText('That token is too short: copy the whole token the store node printed.'),
      ).toBeTruthy();
      await user.clear(screen.getByLabelText('Access token'));
      await user.type(screen.getByLabelText('Access token'), 'abcdefghijklmnopqrstuvwxyz');
      await user.clear(screen.getByLabelText('Register (lane) name'));
      await user.type(screen.getByLabelText('Register (lane) name'), 'lane-4{Enter}');
      expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
      expect(nodes.made.map(({ url, token }) => ({ url, token }))).toEqual([
        { url: 'http://127.0.0.1:7420', token: 'abcdefghijklmnopqrstuvwxyz' },
      ]);
      expect(storage.data.get(STORAGE_KEYS.registerId)).toBe('lane-4');
    });

    it('goes back to pairing, forgetting the token, when the node refuses it after a restart', async () => {
      const storage = memoryStorage();
      storage.setItem(STORAGE_KEYS.token, 'old-token-0123456789');
      const nodes = connector();
      render(
        <Root
          initialPlan={{
            kind: 'browser',
            url: 'http://127.0.0.1:7420',
            token: 'old-token-0123456789',
            registerId: 'main',
          }}
          storage={storage}
          connect={nodes.connect}
          devices={fakeDevices('browser')}
        />,
      );
      await screen.findByRole('heading', { name: 'Sign in' });
      act(() => nodes.made[0]?.node.setConnection('refused'));
      expect(await screen.findByRole('heading', { name: 'Pair this till with the store node' })).toBeTruthy();
      expect(screen.getByText(/did not accept this till’s token/)).toBeTruthy();
      expect(storage.data.has(STORAGE_KEYS.token)).toBe(false);
    });
  });
});
