import { z } from 'zod';
import { DomainError } from '@retail/domain';
import type {
  AuthoriseRequest,
  IntentStatus,
  PaymentIntentView,
  PaymentProvider,
  ProviderEvent,
  RefundView,
} from './payment-provider';
import { STRIPE_DEFAULT_TOLERANCE_SECONDS, verifyStripeSignature } from './stripe-signature';

/**
 * The PaymentProvider over Stripe's PaymentIntents API (docs.stripe.com/api/payment_intents):
 * - authorise: `POST /v1/payment_intents` with `capture_method=manual` and `confirm=true`: the card is
 *   authorised and the intent waits in `requires_capture`;
 * - capture: `POST /v1/payment_intents/:id/capture` with `amount_to_capture` for a partial capture (the
 *   rest of the hold is released);
 * - cancel: `POST /v1/payment_intents/:id/cancel` (an uncaptured hold is released);
 * - refund: `POST /v1/refunds` with `payment_intent` and `amount`.
 * Bodies are form-encoded, the secret key goes in a Bearer header, and every POST carries the hub's
 * `Idempotency-Key`. The same adapter runs against Stripe's test mode with a test key and network
 * (`baseUrl` https://api.stripe.com); tests run it against a local fake of those endpoints.
 */

export interface StripeConfig {
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
  readonly toleranceSeconds?: number;
}

/** A provider failure worth retrying later (network, timeout, 5xx, rate limit, idempotency in flight). */
export class PaymentProviderUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentProviderUnavailable';
  }
}

const IntentSchema = z.object({
  id: z.string().min(1),
  object: z.literal('payment_intent'),
  amount: z.number().int(),
  amount_capturable: z.number().int().default(0),
  amount_received: z.number().int().default(0),
  currency: z.string(),
  status: z.string(),
});

const RefundSchema = z.object({
  id: z.string().min(1),
  object: z.literal('refund'),
  amount: z.number().int(),
  payment_intent: z.string().nullable(),
  status: z.enum(['succeeded', 'pending', 'failed', 'canceled', 'requires_action']),
});

const ErrorSchema = z.object({
  error: z.object({ type: z.string(), message: z.string().optional(), code: z.string().optional() }),
});

const EventSchema = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const KNOWN_STATUSES: readonly IntentStatus[] = [
  'requires_capture',
  'succeeded',
  'canceled',
  'processing',
  'requires_action',
];

function toIntent(raw: z.infer<typeof IntentSchema>): PaymentIntentView {
  return {
    intentId: raw.id,
    status: (KNOWN_STATUSES as readonly string[]).includes(raw.status)
      ? (raw.status as IntentStatus)
      : 'other',
    amount: raw.amount,
    amountCapturable: raw.amount_capturable,
    amountReceived: raw.amount_received,
    currency: raw.currency.toUpperCase(),
  };
}

function formEncode(
  params: Record<string, string | number | boolean | Readonly<Record<string, string>> | undefined>,
): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (typeof value === 'object') {
      for (const [inner, innerValue] of Object.entries(value)) body.append(`${key}[${inner}]`, innerValue);
    } else {
      body.append(key, String(value));
    }
  }
  return body.toString();
}

export function createStripeProvider(config: StripeConfig): PaymentProvider {
  const baseUrl = (config.baseUrl ?? 'https://api.stripe.com').replace(/\/$/, '');
  const timeoutMs = config.timeoutMs ?? 15_000;

  async function call(
    method: 'GET' | 'POST',
    path: string,
    params?: Parameters<typeof formEncode>[0],
    idempotencyKey?: string,
  ): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${config.secretKey}`,
          ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
        },
        ...(params === undefined ? {} : { body: formEncode(params) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new PaymentProviderUnavailable(
        `The payment provider could not be reached: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PaymentProviderUnavailable(`The payment provider answered ${response.status} without JSON.`);
    }
    if (response.ok) return json;
    const parsed = ErrorSchema.safeParse(json);
    const message = parsed.success
      ? (parsed.data.error.message ?? parsed.data.error.type)
      : `status ${response.status}`;
    if (response.status >= 500 || response.status === 429 || response.status === 409) {
      throw new PaymentProviderUnavailable(
        `The payment provider is busy or failing (${response.status}): ${message}`,
      );
    }
    if (response.status === 402) {
      throw new DomainError(
        'NOT_ALLOWED',
        'hub.payments.cardPaymentDeclined',
        { message },
        {
          providerCode: parsed.success ? parsed.data.error.code : undefined,
        },
      );
    }
    if (response.status === 404)
      throw new DomainError('NOT_FOUND', 'hub.payments.paymentProviderNotKnow', { message });
    throw new DomainError(
      'NOT_ALLOWED',
      'hub.payments.paymentProviderRefusedRequest',
      { responseStatus: response.status, message },
      {
        providerCode: parsed.success ? parsed.data.error.code : undefined,
      },
    );
  }

  const intent = async (promise: Promise<unknown>) => {
    const parsed = IntentSchema.safeParse(await promise);
    if (!parsed.success)
      throw new PaymentProviderUnavailable('The payment provider answered with an unexpected PaymentIntent.');
    return toIntent(parsed.data);
  };

  return {
    name: 'stripe',
    authorise(request: AuthoriseRequest) {
      return intent(
        call(
          'POST',
          '/v1/payment_intents',
          {
            amount: request.amount,
            currency: request.currency.toLowerCase(),
            payment_method: request.paymentMethod,
            capture_method: 'manual',
            confirm: true,
            metadata: request.metadata,
          },
          request.idempotencyKey,
        ),
      );
    },
    capture(intentId, amount, idempotencyKey) {
      return intent(
        call(
          'POST',
          `/v1/payment_intents/${encodeURIComponent(intentId)}/capture`,
          { amount_to_capture: amount },
          idempotencyKey,
        ),
      );
    },
    cancel(intentId, idempotencyKey) {
      return intent(
        call('POST', `/v1/payment_intents/${encodeURIComponent(intentId)}/cancel`, {}, idempotencyKey),
      );
    },
    async refund(intentId, amount, idempotencyKey): Promise<RefundView> {
      const parsed = RefundSchema.safeParse(
        await call('POST', '/v1/refunds', { payment_intent: intentId, amount }, idempotencyKey),
      );
      if (!parsed.success)
        throw new PaymentProviderUnavailable('The payment provider answered with an unexpected Refund.');
      return { refundId: parsed.data.id, intentId, amount: parsed.data.amount, status: parsed.data.status };
    },
    retrieve(intentId) {
      return intent(call('GET', `/v1/payment_intents/${encodeURIComponent(intentId)}`));
    },
    verifyWebhook(rawBody, signatureHeader, now): ProviderEvent {
      if (
        !verifyStripeSignature(
          config.webhookSecret,
          signatureHeader,
          rawBody,
          now,
          config.toleranceSeconds ?? STRIPE_DEFAULT_TOLERANCE_SECONDS,
        )
      ) {
        throw new DomainError('UNAUTHORIZED', 'hub.payments.webhookSignatureMissingWrong');
      }
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new DomainError('INVALID_INPUT', 'hub.payments.webhookBodyNotJson');
      }
      const event = EventSchema.safeParse(json);
      if (!event.success) throw new DomainError('INVALID_INPUT', 'hub.payments.webhookBodyNotStripe');
      const object = event.data.data.object;
      const intentId =
        object.object === 'payment_intent' && typeof object.id === 'string'
          ? object.id
          : typeof object.payment_intent === 'string'
            ? object.payment_intent
            : undefined;
      return { eventId: event.data.id, type: event.data.type, intentId, object };
    },
  };
}
