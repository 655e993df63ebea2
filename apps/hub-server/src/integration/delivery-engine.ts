import { signWebhook, SIGNATURE_HEADER } from './webhook-signature';

/**
 * The hub's one way of pushing HTTP messages out: customer notifications and event subscriptions both
 * go through it. A queue (a table) hands out due messages under a lease; each is POSTed with an HMAC
 * signature; a 2xx delivers it, anything else (status, timeout, refused connection) schedules the next
 * attempt with exponential backoff, and the last allowed failure makes it a dead letter. The outcome is
 * stored only while the claim's lease still holds, so a slow deliverer whose lease ran out never
 * overwrites what the one that took over decided.
 */

export interface RetryPolicy {
  /** After this many failed attempts the message is a dead letter (HQ can send it again). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 1000,
  maxDelayMs: 30 * 60_000,
};

/** Exponential backoff with jitter in [½, 1] of the step, capped: 1 s, 2 s, 4 s … up to the cap. */
export function retryDelayMs(
  attempts: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(step * (0.5 + random() / 2));
}

/** One message a queue handed out, as it will be sent. */
export interface ClaimedMessage {
  readonly url: string;
  readonly secret: string;
  readonly body: string;
  /** Extra headers (ids, event type); the signature and content type are added here. */
  readonly headers: Readonly<Record<string, string>>;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
}

export interface AttemptOutcome {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  /** A failure no later attempt can mend (the message must never be sent): dead at once. */
  readonly final?: boolean;
}

export type Settlement = 'delivered' | 'retrying' | 'dead';

export interface DeliveryQueue<M extends ClaimedMessage> {
  /** Due messages, leased to this deliverer until `leaseUntil`. */
  claim(limit: number, at: number, leaseUntil: number): Promise<M[]>;
  /** Records an attempt: delivered, or the next attempt's time, or dead. */
  settle(
    message: M,
    outcome: AttemptOutcome,
    next: { at: number; settlement: Settlement; nextAttemptAt: number },
  ): Promise<void>;
  /**
   * How one message is sent when it is not a signed webhook POST (an alert e-mail); the engine still
   * owns claiming, backoff, dead letters and settling, so every channel retries the same way.
   */
  send?(message: M, at: number): Promise<AttemptOutcome>;
}

export interface DeliveryOptions {
  readonly limit?: number;
  /** How long a claimed message is ours before another deliverer may take it. */
  readonly leaseMs?: number;
  /** Messages sent at once (different aggregates; a queue never hands out two of one aggregate). */
  readonly concurrency?: number;
  /** In [0, 1): the jitter of the backoff. Injected so tests are deterministic. */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export interface DeliveryReport {
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

export async function postSigned(
  message: ClaimedMessage,
  at: number,
  fetchImpl: typeof fetch,
): Promise<AttemptOutcome> {
  try {
    const response = await fetchImpl(message.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...message.headers,
        [SIGNATURE_HEADER]: signWebhook(message.secret, message.body, at),
      },
      body: message.body,
      signal: AbortSignal.timeout(message.timeoutMs),
    });
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    return response.ok
      ? { ok: true, status: response.status, error: null }
      : { ok: false, status: response.status, error: `The receiver answered HTTP ${response.status}.` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, status: null, error: `The receiver could not be reached: ${reason}` };
  }
}

/** Sends every message of `queue` that is due, once each, a few at a time. */
export async function deliverDue<M extends ClaimedMessage>(
  queue: DeliveryQueue<M>,
  now: () => number,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const at = now();
  const claimed = await queue.claim(options.limit ?? 50, at, at + (options.leaseMs ?? 60_000));
  const random = options.random ?? Math.random;
  const fetchImpl = options.fetch ?? fetch;
  const counts = { delivered: 0, retrying: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const message = claimed[next]!;
      next += 1;
      const outcome =
        queue.send === undefined
          ? await postSigned(message, now(), fetchImpl)
          : await queue.send(message, now());
      const settledAt = now();
      const attempts = message.attempts + 1;
      const settlement: Settlement = outcome.ok
        ? 'delivered'
        : outcome.final === true || attempts >= message.policy.maxAttempts
          ? 'dead'
          : 'retrying';
      await queue.settle(message, outcome, {
        at: settledAt,
        settlement,
        nextAttemptAt:
          settlement === 'retrying' ? settledAt + retryDelayMs(attempts, message.policy, random) : settledAt,
      });
      if (settlement === 'delivered') counts.delivered += 1;
      else if (settlement === 'dead') counts.failed += 1;
      else counts.retrying += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  return { attempted: claimed.length, ...counts };
}
