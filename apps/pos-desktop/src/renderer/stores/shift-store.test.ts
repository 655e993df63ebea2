// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createPosApi } from '../api/pos-api';
import { shift } from '../testing/builders';
import { createFakeNode, type FakeNode } from '../testing/fake-node';
import { createShiftStore } from './shift-store';

/** The fake node, except that `shift-current` answers only when the test releases it. */
function nodeHoldingShiftReads(node: FakeNode) {
  const held: Array<() => void> = [];
  const client: FakeNode = {
    ...node,
    send(name, input, options) {
      const answer = node.send(name, input, options);
      if (name !== 'shift-current') return answer;
      return new Promise((resolve) => held.push(() => resolve(answer)));
    },
  };
  return {
    client,
    /** Resolves once the store has sent its read. */
    asked: () => expect.poll(() => held.length).toBe(1),
    /** Answers the read the store sent, once it has sent it. */
    async release() {
      await expect.poll(() => held.length).toBe(1);
      held.splice(0).forEach((answer) => answer());
    },
  };
}

describe('shift store', () => {
  it('keeps the open-shift form usable while it reloads the shift, and opens it after the read', async () => {
    const node = createFakeNode();
    node.handle('shift-current', () => ({ shift: null }));
    node.handle('shift-open', (input) => shift({ float: input.float, registerId: input.registerId }));
    const { client, asked, release } = nodeHoldingShiftReads(node);
    const api = createPosApi({
      client,
      session: () => 'session-1',
      onSessionRejected: () => undefined,
      requestOverride: () => Promise.resolve(null),
    });
    const store = createShiftStore(api, 'main');
    const first = store.getState().load();
    await release();
    await first;
    expect(store.getState()).toMatchObject({ loaded: true, shift: null, busy: false });

    // The cashier comes back to the shift screen: it reloads while the form is already on screen. A busy
    // flag here disables the form's submit button, and the browser then drops the Enter that submits it.
    const reload = store.getState().load();
    await asked();
    expect(store.getState().busy).toBe(false);
    const opened = store.getState().open(15000);
    await release();
    await reload;
    expect(await opened).toBe(true);
    expect(store.getState().shift).toMatchObject({ float: 15000, registerId: 'main' });
    expect(node.inputs('shift-open')).toEqual([{ registerId: 'main', float: 15000 }]);
    store.stop();
  });
});
