import { performance } from 'node:perf_hooks';
import { createCommandClient } from '../shared/command-client';

/**
 * The socket half of the node's warm-up (docs/store-node.md, "Warm-up at start"; docs/performance.md, store
 * node round 13). The engine's warm-up (engine/warm-up.ts) rings up sales inside the engine, but a till's
 * command also crosses the socket: the frame read (ws), engine.io and socket.io decoding, the server's
 * message check, the answer's encoding and its write. Cold, that code ran as the cashier's first commands.
 * Here the node, once it listens and before it says it is ready, sends itself `node-info` commands over
 * its own socket, as a till does (websocket, its token): a read, so nothing is written or told to anyone.
 */

export const DEFAULT_SOCKET_WARMUP_MESSAGES = 300;
/** The longest the socket warm-up may add to a start. */
export const SOCKET_WARMUP_BUDGET_MS = 1_000;

export interface SocketWarmUpReport {
  /** Commands sent and answered. */
  readonly messages: number;
  readonly ms: number;
}

/** POS_STORE_SOCKET_WARMUP_MESSAGES: how many commands (0: none); anything but a count gives the default. */
export function socketWarmUpSetting(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value.trim())) return DEFAULT_SOCKET_WARMUP_MESSAGES;
  return Number(value.trim());
}

/**
 * Sends `messages` `node-info` commands to the node at `url`, one after another, stopping after the one
 * that passes `budgetMs`. Throws when the node cannot be reached or refuses a command.
 */
export async function warmUpSocket(
  url: string,
  token: string,
  messages: number,
  budgetMs: number = SOCKET_WARMUP_BUDGET_MS,
): Promise<SocketWarmUpReport> {
  const started = performance.now();
  if (messages <= 0) return { messages: 0, ms: 0 };
  const client = createCommandClient(url, token, {
    transports: ['websocket'],
    connectTimeoutMs: budgetMs,
  });
  let answered = 0;
  try {
    await client.ready();
    while (answered < messages && performance.now() - started < budgetMs) {
      const answer = await client.send('node-info', {}, { timeoutMs: budgetMs });
      if (!answer.ok)
        throw new Error(`node-info was refused (${answer.error.code}): ${answer.error.message}`);
      answered += 1;
    }
  } finally {
    client.close();
  }
  return { messages: answered, ms: performance.now() - started };
}

/**
 * Warms the socket path once the node listens (both entry points call this before they say it is ready):
 * logs what it did, and never fails the start, since a node that cannot warm up still sells, cold.
 */
export async function warmUpSocketAtStart(
  url: string,
  token: string,
  env: Readonly<Record<string, string | undefined>>,
  logger: {
    info(fields: Record<string, unknown>, message: string): void;
    warn(fields: Record<string, unknown>, message: string): void;
  },
): Promise<void> {
  try {
    const report = await warmUpSocket(url, token, socketWarmUpSetting(env.POS_STORE_SOCKET_WARMUP_MESSAGES));
    logger.info(
      { ...report, ms: Math.round(report.ms) },
      'socket path warmed up (node-info commands to itself)',
    );
  } catch (error) {
    logger.warn({ err: error }, 'warm-up of the socket path failed; the node serves it cold');
  }
}
