import { describe, expect, it } from 'vitest';
import { createNodeSupervisor, FATAL_EXIT_CODE, type NodeChild, type NodeState } from './node-supervisor';

interface FakeChild extends NodeChild {
  ready(url: string): void;
  exit(code: number | null, lastError?: string): void;
  stopped: boolean;
}

function harness(options: { maxCrashes?: number } = {}) {
  const children: FakeChild[] = [];
  const states: NodeState[] = [];
  const timers: { run: () => void; ms: number; cancelled: boolean }[] = [];
  let clock = 0;
  const supervisor = createNodeSupervisor({
    launch: () => {
      const ready: ((url: string) => void)[] = [];
      const exits: ((code: number | null, lastError: string | null) => void)[] = [];
      const child: FakeChild = {
        stopped: false,
        onReady: (listener) => void ready.push(listener),
        onExit: (listener) => void exits.push(listener),
        stop() {
          child.stopped = true;
          child.exit(0);
        },
        ready: (url) => ready.forEach((listener) => listener(url)),
        exit: (code, lastError) => exits.forEach((listener) => listener(code, lastError ?? null)),
      };
      children.push(child);
      return child;
    },
    onState: (state) => states.push(state),
    setTimer: (run, ms) => {
      const timer = { run, ms, cancelled: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => void ((timer as { cancelled: boolean }).cancelled = true),
    now: () => clock,
    ...(options.maxCrashes === undefined ? {} : { maxCrashes: options.maxCrashes }),
  });
  const fireTimer = () => {
    const timer = timers.shift();
    if (timer && !timer.cancelled) timer.run();
    return timer;
  };
  return { supervisor, children, states, timers, fireTimer, advance: (ms: number) => (clock += ms) };
}

describe('node-supervisor', () => {
  describe('createNodeSupervisor', () => {
    it('reports the node running once it is ready', () => {
      const { supervisor, children } = harness();
      supervisor.start();
      expect(supervisor.state()).toEqual({ status: 'starting', attempt: 1 });
      children[0]?.ready('http://127.0.0.1:7420');
      expect(supervisor.state()).toEqual({ status: 'running', url: 'http://127.0.0.1:7420' });
    });

    it('restarts a crashed node with a growing delay and resets nothing the window needs', () => {
      const { supervisor, children, states, fireTimer, advance } = harness();
      supervisor.start();
      children[0]?.ready('http://127.0.0.1:7420');
      children[0]?.exit(null, 'segfault');
      expect(supervisor.state()).toEqual({ status: 'restarting', inMs: 1000, lastError: 'segfault' });
      expect(fireTimer()?.ms).toBe(1000);
      expect(children).toHaveLength(2);
      advance(5000);
      children[1]?.exit(1);
      expect(supervisor.state()).toMatchObject({ status: 'restarting', inMs: 2000 });
      fireTimer();
      children[2]?.ready('http://127.0.0.1:7420');
      expect(states.at(-1)).toEqual({ status: 'running', url: 'http://127.0.0.1:7420' });
    });

    it('gives up with the node’s own reason when it cannot start with these settings', () => {
      const { supervisor, children, timers } = harness();
      supervisor.start();
      children[0]?.exit(FATAL_EXIT_CODE, 'There is no store database in /srv/s001.');
      expect(supervisor.state()).toEqual({
        status: 'failed',
        message: 'There is no store database in /srv/s001.',
      });
      expect(timers).toHaveLength(0);
    });

    it('gives up after too many crashes in a short time', () => {
      const { supervisor, children, fireTimer } = harness({ maxCrashes: 2 });
      supervisor.start();
      children[0]?.exit(1, 'disk I/O error');
      fireTimer();
      children[1]?.exit(1, 'disk I/O error');
      fireTimer();
      children[2]?.exit(1, 'disk I/O error');
      expect(supervisor.state()).toEqual({
        status: 'failed',
        message:
          'The store node stopped 3 times in a row: disk I/O error. Restart the app; if it happens again, call support.',
      });
    });

    it('stops the node on quit and never restarts it after that', () => {
      const { supervisor, children, timers } = harness();
      supervisor.start();
      children[0]?.ready('http://127.0.0.1:7420');
      supervisor.stop();
      expect(children[0]?.stopped).toBe(true);
      expect(supervisor.state()).toEqual({ status: 'stopped' });
      expect(timers).toHaveLength(0);
    });

    it('cancels a pending restart on quit', () => {
      const { supervisor, children, timers } = harness();
      supervisor.start();
      children[0]?.exit(1);
      supervisor.stop();
      expect(timers[0]?.cancelled).toBe(true);
      expect(supervisor.state()).toEqual({ status: 'stopped' });
    });
  });
});
