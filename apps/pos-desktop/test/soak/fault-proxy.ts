import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in the soak's own process between one till and the hub, which breaks the connection the
 * ways real networks do: delays every chunk, refuses (drops) new connections and closes open ones,
 * resets them (RST), or goes half-open: the connections open at that moment (and those opened while it
 * lasts) stay up but never deliver another byte either way, as behind a NAT that forgot the flow; only
 * the endpoints' own timeouts end them. `heal()` passes new connections through again.
 */
export type ProxyFault =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'half-open' };

export interface FaultProxy {
  readonly port: number;
  /** Connections accepted, and those the faults cut or stalled. */
  readonly stats: { connections: number; cut: number; stalled: number };
  inject(fault: ProxyFault): void;
  heal(): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Black-holed by a half-open fault, for good. */
  stalled: boolean;
}

export function startFaultProxy(targetPort: () => number): Promise<FaultProxy> {
  let fault: ProxyFault | null = null;
  const pairs = new Set<Pair>();
  const stats = { connections: 0, cut: 0, stalled: 0 };

  const pipe = (pair: Pair, from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (pair.stalled) return;
      const delay = fault?.kind === 'delay' ? fault.ms : 0;
      if (delay === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), delay).unref();
    });
  };

  const server: Server = createServer((client) => {
    stats.connections += 1;
    if (fault?.kind === 'drop' || fault?.kind === 'reset') {
      stats.cut += 1;
      if (fault.kind === 'reset') client.resetAndDestroy();
      else client.destroy();
      return;
    }
    const upstream = connect(targetPort(), '127.0.0.1');
    const pair: Pair = { client, upstream, stalled: fault?.kind === 'half-open' };
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    if (pair.stalled) stats.stalled += 1;
    pipe(pair, client, upstream);
    pipe(pair, upstream, client);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        port,
        stats,
        inject(next) {
          fault = next;
          for (const pair of [...pairs]) {
            if (next.kind === 'drop') {
              stats.cut += 1;
              pair.client.destroy();
              pair.upstream.destroy();
            } else if (next.kind === 'reset') {
              stats.cut += 1;
              pair.client.resetAndDestroy();
              pair.upstream.resetAndDestroy();
            } else if (next.kind === 'half-open' && !pair.stalled) {
              pair.stalled = true;
              stats.stalled += 1;
            }
          }
        },
        heal() {
          fault = null;
        },
        close() {
          for (const pair of pairs) {
            pair.client.destroy();
            pair.upstream.destroy();
          }
          return new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
