import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DomainError } from '@retail/domain';
import type { RouteRegistry } from '../route';
import type { PaymentProvider } from '../../payments/payment-provider';
import { receivePaymentWebhook } from '../../payments/payment-webhook';

export interface PaymentRouteOptions {
  /** The configured provider; without one the webhook answers 404. */
  readonly provider?: PaymentProvider;
}

const WEBHOOK_BODY_LIMIT = 256 * 1024;

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `POST /webhooks/payments/stripe`: Stripe's event deliveries. Public (Stripe holds no hub credential):
 * the `Stripe-Signature` over the raw body is the authentication, so this route gets the body as text,
 * in its own plugin scope, before anything parses it.
 */
export function registerPaymentRoutes(
  app: FastifyInstance,
  routes: RouteRegistry,
  options: PaymentRouteOptions = {},
): void {
  const hub = routes.hub;
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    routes.add(scope, {
      method: 'POST',
      url: '/webhooks/payments/stripe',
      summary:
        "Stripe event deliveries (signed with Stripe-Signature over the raw body; each event applied once): updates the order's payment record",
      tag: 'orders',
      access: { kind: 'public' },
      headers: z.object({ 'stripe-signature': z.string().max(4096).optional() }),
      rawBody: { contentTypes: ['application/json'], description: 'The Stripe event, exactly as sent.' },
      response: z.object({
        eventId: z.string(),
        type: z.string(),
        result: z.enum(['applied', 'duplicate', 'ignored', 'review']),
      }),
      handler: async ({ body, headers }) => {
        if (typeof body !== 'string' || !isJsonObject(body)) {
          throw new DomainError('INVALID_INPUT', 'hub.api.webhookBodyMustStripe');
        }
        const provider = options.provider;
        if (provider === undefined || provider.name !== 'stripe') {
          throw new DomainError('NOT_FOUND', 'hub.api.hubTakesNoStripe');
        }
        return receivePaymentWebhook(hub, provider, body, headers['stripe-signature']);
      },
    });
  });
}
