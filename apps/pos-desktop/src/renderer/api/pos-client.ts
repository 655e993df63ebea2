import type { CommandClient } from '../../shared/command-client';

/** Whether this screen can talk to the store node right now. */
export type NodeConnection = 'connecting' | 'online' | 'offline' | 'refused';

/**
 * The renderer's only door to data: the typed command channel of the store node (`send`, `on`) plus the
 * state of the connection itself. Component tests replace it with a fake at exactly this boundary.
 */
export interface PosClient {
  readonly send: CommandClient['send'];
  readonly on: CommandClient['on'];
  connection(): NodeConnection;
  onConnection(listener: (state: NodeConnection) => void): () => void;
  close(): void;
}

/** Wraps the socket.io command client, turning its socket events into a connection state. */
export function posClientFrom(client: CommandClient): PosClient {
  let state: NodeConnection = client.socket.connected ? 'online' : 'connecting';
  const listeners = new Set<(state: NodeConnection) => void>();
  const set = (next: NodeConnection) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener(next);
  };
  client.socket.on('connect', () => set('online'));
  client.socket.on('disconnect', () => set('offline'));
  client.socket.on('connect_error', (error) => set(error.message === 'unauthorized' ? 'refused' : 'offline'));
  return {
    send: client.send,
    on: client.on,
    connection: () => state,
    onConnection(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => client.close(),
  };
}
