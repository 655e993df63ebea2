import type { EngineLogger } from '../engine/engine';

/**
 * Message sizes on the socket. Until a connection has presented a credential it may send only a few
 * kilobytes at a time (the handshake with its credential is a few hundred bytes): anyone on the store LAN
 * can open a connection, and nothing they send before authenticating should cost the node memory or
 * parsing time. A staff screen, once authenticated, may send up to a megabyte (a 500-line stock count).
 */
export const UNAUTHENTICATED_MAX_BYTES = 4 * 1024;
export const AUTHENTICATED_MAX_BYTES = 1_000_000;

/** Engine.io options: every connection starts with the small limit. */
export function limitUnauthenticated(): { maxHttpBufferSize: number } {
  return { maxHttpBufferSize: UNAUTHENTICATED_MAX_BYTES };
}

/** The parts of an engine.io connection and transport the limit lives in. */
interface Transport {
  readonly name: string;
  /** Long-polling: checked per POST body (engine.io's own, public per transport). */
  maxHttpBufferSize?: number;
  /** WebSocket: the `ws` socket, whose frame parser enforces `maxPayload` before buffering a frame. */
  readonly socket?: { _receiver?: { _maxPayload?: number } };
}
interface EngineConnection {
  readonly transport: Transport;
  on(event: 'upgrade', listener: (transport: Transport) => void): unknown;
}

let warned = false;

function raise(transport: Transport, bytes: number, log: EngineLogger | undefined): void {
  if (transport.name === 'polling') {
    transport.maxHttpBufferSize = bytes;
    return;
  }
  // ws takes its limit at construction only; engine.io builds it with the server-wide (small) one. Its
  // receiver's limit is the one place a single connection's limit can be raised (ws 8, tested in
  // server/lanes-server.test.ts so a ws upgrade that moves it fails the build, not the store).
  const receiver = transport.socket?._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') {
    receiver._maxPayload = bytes;
  } else if (!warned) {
    warned = true;
    log?.error({ transport: transport.name }, 'cannot raise the socket message limit after authentication');
  }
}

/** After authentication: this connection, and the WebSocket it may upgrade to, get the large limit. */
export function raisePayloadLimit(
  connection: EngineConnection,
  log: EngineLogger | undefined,
  bytes = AUTHENTICATED_MAX_BYTES,
): void {
  raise(connection.transport, bytes, log);
  connection.on('upgrade', (transport) => raise(transport, bytes, log));
}
