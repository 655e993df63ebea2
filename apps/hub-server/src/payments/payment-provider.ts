/**
 * What the hub needs from a card payment provider, so the order's money follows its goods: authorise at
 * intake, capture (all or part) when the goods leave, cancel an authorisation nobody will collect, refund
 * what comes back. Every call carries an idempotency key chosen by the hub, so a retry after a timeout or a
 * crash is answered with the first result instead of charging twice. One adapter per provider
 * (stripe-adapter.ts); the hub never speaks a provider's wire format elsewhere.
 */

export type IntentStatus =
  'requires_capture' | 'succeeded' | 'canceled' | 'processing' | 'requires_action' | 'other';

export interface PaymentIntentView {
  readonly intentId: string;
  readonly status: IntentStatus;
  readonly amount: number;
  /** Minor units still capturable (an uncaptured authorisation). */
  readonly amountCapturable: number;
  /** Minor units captured. */
  readonly amountReceived: number;
  readonly currency: string;
}

export interface RefundView {
  readonly refundId: string;
  readonly intentId: string;
  readonly amount: number;
  readonly status: 'succeeded' | 'pending' | 'failed' | 'canceled' | 'requires_action';
}

export interface AuthoriseRequest {
  readonly amount: number;
  /** ISO 4217, upper case; adapters convert to what the provider wants. */
  readonly currency: string;
  /** The provider's reference to the customer's card (e.g. a Stripe PaymentMethod id from checkout). */
  readonly paymentMethod: string;
  readonly idempotencyKey: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A provider event, verified; `intentId` is the PaymentIntent it concerns, when it concerns one. */
export interface ProviderEvent {
  readonly eventId: string;
  readonly type: string;
  readonly intentId: string | undefined;
  readonly object: Readonly<Record<string, unknown>>;
}

export interface PaymentProvider {
  readonly name: string;
  authorise(request: AuthoriseRequest): Promise<PaymentIntentView>;
  /** `amount` below the authorisation is a partial capture; the rest of the hold is released. */
  capture(intentId: string, amount: number | undefined, idempotencyKey: string): Promise<PaymentIntentView>;
  cancel(intentId: string, idempotencyKey: string): Promise<PaymentIntentView>;
  refund(intentId: string, amount: number, idempotencyKey: string): Promise<RefundView>;
  retrieve(intentId: string): Promise<PaymentIntentView>;
  /** Verifies a webhook delivery (raw body, signature header) and returns its event, or throws UNAUTHORIZED. */
  verifyWebhook(rawBody: string, signatureHeader: string | undefined, now: number): ProviderEvent;
}
