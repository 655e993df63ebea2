import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@retail/domain';
import { fakeStripeProvider, startStripeFake, type StripeFake } from '../test-support/stripe-fake';
import type { PaymentProvider } from './payment-provider';
import { createStripeProvider } from './stripe-adapter';
import { stripeSignature, verifyStripeSignature } from './stripe-signature';

const NOW = 1_800_000_000_000;

describe('payments/stripe-adapter', () => {
  let fake: StripeFake;
  let stripe: PaymentProvider;

  beforeAll(async () => {
    fake = await startStripeFake();
    stripe = fakeStripeProvider(fake);
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('authorises with manual capture and captures part of it for a short shipment', async () => {
    const authorised = await stripe.authorise({
      amount: 4599,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: 'order-1:authorise',
      metadata: { orderId: 'o-1' },
    });
    expect(authorised).toMatchObject({
      status: 'requires_capture',
      amountCapturable: 4599,
      amountReceived: 0,
      currency: 'EUR',
    });
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/v1/payment_intents',
      idempotencyKey: 'order-1:authorise',
      params: {
        amount: '4599',
        currency: 'eur',
        capture_method: 'manual',
        confirm: 'true',
        'metadata[orderId]': 'o-1',
      },
    });
    const captured = await stripe.capture(authorised.intentId, 3599, 'op-capture-1');
    expect(captured).toMatchObject({ status: 'succeeded', amountReceived: 3599, amountCapturable: 0 });
    expect(fake.requests.at(-1)?.params).toEqual({ amount_to_capture: '3599' });
  });

  it('a retried capture with the same idempotency key is answered once, not charged twice', async () => {
    const authorised = await stripe.authorise({
      amount: 1000,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: 'order-2:authorise',
    });
    const first = await stripe.capture(authorised.intentId, undefined, 'op-capture-2');
    const again = await stripe.capture(authorised.intentId, undefined, 'op-capture-2');
    expect(again).toEqual(first);
    // Without the key, Stripe refuses a second capture of a succeeded intent.
    await expect(stripe.capture(authorised.intentId, undefined, 'op-capture-2b')).rejects.toThrow(
      DomainError,
    );
  });

  it('refunds up to what was captured, and cancels an uncaptured authorisation', async () => {
    const authorised = await stripe.authorise({
      amount: 2000,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: 'order-3:authorise',
    });
    await stripe.capture(authorised.intentId, 1500, 'op-capture-3');
    const refund = await stripe.refund(authorised.intentId, 1000, 'op-refund-3');
    expect(refund).toMatchObject({ amount: 1000, status: 'succeeded', intentId: authorised.intentId });
    await expect(stripe.refund(authorised.intentId, 600, 'op-refund-3b')).rejects.toThrow(
      /greater than unrefunded/,
    );
    const other = await stripe.authorise({
      amount: 500,
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
      idempotencyKey: 'order-4:authorise',
    });
    expect(await stripe.cancel(other.intentId, 'op-cancel-4')).toMatchObject({
      status: 'canceled',
      amountCapturable: 0,
    });
  });

  it('turns a declined card into a sentence and a wrong key into a refusal', async () => {
    const declined = await stripe
      .authorise({
        amount: 500,
        currency: 'EUR',
        paymentMethod: 'pm_card_chargeDeclined',
        idempotencyKey: 'order-5:authorise',
      })
      .catch((error: unknown) => error);
    expect(declined).toBeInstanceOf(DomainError);
    expect((declined as DomainError).message).toMatch(/declined/);
    const wrongKey = createStripeProvider({
      secretKey: 'sk_test_wrong',
      webhookSecret: 'x',
      baseUrl: fake.baseUrl,
    });
    await expect(wrongKey.retrieve('pi_x')).rejects.toThrow(/Invalid API Key/);
  });

  it('verifies webhook deliveries signed the Stripe way and refuses tampered or stale ones', () => {
    const delivery = fake.signedEvent(
      'payment_intent.succeeded',
      { id: 'pi_1', object: 'payment_intent' },
      NOW,
    );
    const event = stripe.verifyWebhook(delivery.body, delivery.signature, NOW + 60_000);
    expect(event).toMatchObject({
      eventId: delivery.eventId,
      type: 'payment_intent.succeeded',
      intentId: 'pi_1',
    });
    expect(() =>
      stripe.verifyWebhook(delivery.body.replace('pi_1', 'pi_2'), delivery.signature, NOW),
    ).toThrow(/signature/);
    expect(() => stripe.verifyWebhook(delivery.body, delivery.signature, NOW + 301_000)).toThrow(/too old/);
    expect(() => stripe.verifyWebhook(delivery.body, undefined, NOW)).toThrow(DomainError);
  });

  it('accepts any of several v1 signatures while a secret is rolled', () => {
    const body = '{"id":"evt_1"}';
    const old = stripeSignature('whsec_old', body, NOW / 1000).split(',')[1];
    const header = `${stripeSignature('whsec_new', body, NOW / 1000)},${old}`;
    expect(verifyStripeSignature('whsec_old', header, body, NOW)).toBe(true);
    expect(verifyStripeSignature('whsec_other', header, body, NOW)).toBe(false);
  });
});
