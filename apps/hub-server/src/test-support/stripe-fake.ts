import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PaymentProvider } from '../payments/payment-provider';
import { createStripeProvider } from '../payments/stripe-adapter';
import { stripeSignature } from '../payments/stripe-signature';

/**
 * A local fake of Stripe's PaymentIntents endpoints (the remote provider), on 127.0.0.1, following the
 * documented requests and responses: form-encoded bodies, Bearer key, `Idempotency-Key` replays the first
 * response (and a reused key with other parameters is a 400 `idempotency_error`), manual capture with
 * `amount_to_capture`, cancel, refunds up to what was captured, 402 `card_error` for the documented
 * decline test card `pm_card_chargeDeclined`, and events signed with the `Stripe-Signature` scheme.
 */
interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: string;
  metadata: Record<string, string>;
}

export interface StripeFake {
  readonly baseUrl: string;
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Every request the fake received, in order (path and form parameters), to assert what was sent. */
  readonly requests: {
    method: string;
    path: string;
    params: Record<string, string>;
    idempotencyKey?: string;
  }[];
  intent(id: string): FakeIntent | undefined;
  /** A webhook delivery as Stripe makes it: the raw body and its Stripe-Signature header. */
  signedEvent(
    type: string,
    object: object,
    atMs: number,
  ): { body: string; signature: string; eventId: string };
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startStripeFake(): Promise<StripeFake> {
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const intents = new Map<string, FakeIntent>();
  const refunds = new Map<string, number>();
  const idempotent = new Map<string, { fingerprint: string; status: number; body: string }>();
  const requests: StripeFake['requests'] = [];
  let seq = 0;
  const id = (prefix: string) =>
    `${prefix}_${(seq += 1).toString().padStart(6, '0')}${randomBytes(4).toString('hex')}`;
  const error = (status: number, type: string, message: string, code?: string) => ({
    status,
    body: JSON.stringify({ error: { type, message, ...(code === undefined ? {} : { code }) } }),
  });

  function handle(
    method: string,
    path: string,
    params: Record<string, string>,
  ): { status: number; body: string } {
    const ok = (value: unknown) => ({ status: 200, body: JSON.stringify(value) });
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = Number(params.amount);
      if (!Number.isSafeInteger(amount) || amount < 1)
        return error(400, 'invalid_request_error', 'Invalid amount.', 'parameter_invalid_integer');
      if (params.payment_method === 'pm_card_chargeDeclined') {
        return error(402, 'card_error', 'Your card was declined.', 'card_declined');
      }
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(params)) {
        const match = /^metadata\[(.+)\]$/.exec(key);
        if (match?.[1] !== undefined) metadata[match[1]] = value;
      }
      const manual = params.capture_method === 'manual';
      const intent: FakeIntent = {
        id: id('pi'),
        object: 'payment_intent',
        amount,
        amount_capturable: manual ? amount : 0,
        amount_received: manual ? 0 : amount,
        currency: params.currency ?? 'usd',
        status: manual ? 'requires_capture' : 'succeeded',
        capture_method: manual ? 'manual' : 'automatic',
        metadata,
      };
      intents.set(intent.id, intent);
      return ok(intent);
    }
    const action = /^\/v1\/payment_intents\/([^/]+)(?:\/(capture|cancel))?$/.exec(path);
    if (action !== null) {
      const intent = intents.get(decodeURIComponent(action[1] ?? ''));
      if (intent === undefined)
        return error(404, 'invalid_request_error', 'No such payment_intent.', 'resource_missing');
      if (method === 'GET' && action[2] === undefined) return ok(intent);
      if (method === 'POST' && action[2] === 'capture') {
        if (intent.status !== 'requires_capture') {
          return error(
            400,
            'invalid_request_error',
            `This PaymentIntent could not be captured because it has a status of ${intent.status}.`,
            'payment_intent_unexpected_state',
          );
        }
        const amount =
          params.amount_to_capture === undefined
            ? intent.amount_capturable
            : Number(params.amount_to_capture);
        if (!Number.isSafeInteger(amount) || amount < 0 || amount > intent.amount_capturable) {
          return error(
            400,
            'invalid_request_error',
            'amount_to_capture must be at most amount_capturable.',
            'amount_too_large',
          );
        }
        intent.amount_received = amount;
        intent.amount_capturable = 0;
        intent.status = 'succeeded';
        return ok(intent);
      }
      if (method === 'POST' && action[2] === 'cancel') {
        if (intent.status === 'succeeded' || intent.status === 'canceled') {
          return error(
            400,
            'invalid_request_error',
            `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
            'payment_intent_unexpected_state',
          );
        }
        intent.status = 'canceled';
        intent.amount_capturable = 0;
        return ok(intent);
      }
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const intent = intents.get(params.payment_intent ?? '');
      if (intent === undefined)
        return error(404, 'invalid_request_error', 'No such payment_intent.', 'resource_missing');
      const already = refunds.get(intent.id) ?? 0;
      const amount = params.amount === undefined ? intent.amount_received - already : Number(params.amount);
      if (!Number.isSafeInteger(amount) || amount < 1 || already + amount > intent.amount_received) {
        return error(
          400,
          'invalid_request_error',
          'Refund amount is greater than unrefunded amount on charge.',
          'amount_too_large',
        );
      }
      refunds.set(intent.id, already + amount);
      return ok({
        id: id('re'),
        object: 'refund',
        amount,
        payment_intent: intent.id,
        status: 'succeeded',
        currency: intent.currency,
      });
    }
    return error(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
  }

  const server: Server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const method = request.method ?? 'GET';
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const params = Object.fromEntries(new URLSearchParams(raw));
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : undefined;
      requests.push({ method, path, params, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) });
      let result: { status: number; body: string };
      if (request.headers.authorization !== `Bearer ${secretKey}`) {
        result = error(401, 'invalid_request_error', 'Invalid API Key provided.');
      } else if (method === 'POST' && idempotencyKey !== undefined && idempotent.has(idempotencyKey)) {
        const earlier = idempotent.get(idempotencyKey)!;
        result =
          earlier.fingerprint === `${path}?${raw}`
            ? earlier
            : error(
                400,
                'idempotency_error',
                'Keys for idempotent requests can only be used with the same parameters they were first used with.',
              );
      } else {
        result = handle(method, path, params);
        if (method === 'POST' && idempotencyKey !== undefined && result.status < 500) {
          idempotent.set(idempotencyKey, { fingerprint: `${path}?${raw}`, ...result });
        }
      }
      response.writeHead(result.status, { 'content-type': 'application/json' });
      response.end(result.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    secretKey,
    webhookSecret,
    requests,
    intent: (intentId) => intents.get(intentId),
    signedEvent(type, object, atMs) {
      const eventId = id('evt');
      const body = JSON.stringify({
        id: eventId,
        object: 'event',
        type,
        created: Math.floor(atMs / 1000),
        data: { object },
      });
      return { body, signature: stripeSignature(webhookSecret, body, Math.floor(atMs / 1000)), eventId };
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The real Stripe adapter pointed at the fake (the adapter's own timeout unless one is given). */
export function fakeStripeProvider(fake: StripeFake, timeoutMs?: number): PaymentProvider {
  return createStripeProvider({
    secretKey: fake.secretKey,
    webhookSecret: fake.webhookSecret,
    baseUrl: fake.baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}
