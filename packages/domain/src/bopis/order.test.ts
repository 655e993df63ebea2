import { describe, expect, it } from 'vitest';
import { sampleOrder } from './bopis.fixtures';
import { BopisOrderSchema, parseBopisOrder } from './order';

function problemsOf(input: unknown): { path: string; message: string }[] {
  const result = parseBopisOrder(input);
  if (result.ok) throw new Error('expected the order to be refused');
  expect(result.error.code).toBe('INVALID_INPUT');
  return (result.error.details as { problems: { path: string; message: string }[] }).problems;
}

describe('bopis/order', () => {
  describe('parseBopisOrder', () => {
    it('accepts a complete order and fills the defaults', () => {
      const { priority: _priority, ...withoutPriority } = sampleOrder();
      const result = parseBopisOrder({ ...withoutPriority, pickupPolicy: { holdHours: 24 } });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.priority).toBe(0);
      expect(result.value.splitConsent).toBe(false);
      expect(result.value.pickupPolicy).toEqual({ holdHours: 24, graceMinutes: 0 });
      expect(result.value.customer.name).toBe('Zoë Müller-Łukasz');
    });

    it('accepts a location instead of a store and a phone instead of an email', () => {
      const result = parseBopisOrder(
        sampleOrder({
          pickup: { type: 'location', location: { lat: 52.52, lon: 13.4 } },
          customer: { name: 'Ana', phone: '+49 (30) 123-4567' },
        }),
      );
      expect(result.ok).toBe(true);
    });

    it('names every bad field in one message an operator can fix', () => {
      const result = parseBopisOrder(
        sampleOrder({
          lines: [
            { lineId: 'l1', sku: 'A', qty: 0 },
            { lineId: 'l2', sku: 'B', qty: 1.5 },
          ],
          payment: { authorisationRef: ' ', amount: 10, currency: 'XXX' },
        }),
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.message).toBe(
        'The order is not valid. lines.0.qty: A line quantity must be at least 1. ' +
          'lines.1.qty: A line quantity must be a whole number of units (or grams). ' +
          'payment.authorisationRef: The payment authorisation reference is missing. ' +
          'payment.currency: The currency must be a supported ISO 4217 code.',
      );
    });

    it('refuses an order without lines, with a line id twice or too many lines', () => {
      expect(problemsOf(sampleOrder({ lines: [] }))).toEqual([
        { path: 'lines', message: 'An order needs at least one line.' },
      ]);
      const twice = [
        { lineId: 'l1', sku: 'A', qty: 1 },
        { lineId: 'l1', sku: 'B', qty: 1 },
      ];
      expect(problemsOf(sampleOrder({ lines: twice }))[0]?.message).toBe(
        'Each order line needs its own lineId.',
      );
      const many = Array.from({ length: 201 }, (_, index) => ({ lineId: `l${index}`, sku: 'A', qty: 1 }));
      expect(problemsOf(sampleOrder({ lines: many }))[0]?.message).toBe('An order has at most 200 lines.');
    });

    it('needs a way to reach the customer and a usable name', () => {
      expect(problemsOf(sampleOrder({ customer: { name: 'Ana' } }))).toEqual([
        {
          path: 'customer.email',
          message:
            'Give an email address or a phone number so the customer can be told when the order is ready.',
        },
      ]);
      expect(problemsOf(sampleOrder({ customer: { name: '  ', email: 'a@b.co' } }))[0]?.path).toBe(
        'customer.name',
      );
      expect(problemsOf(sampleOrder({ customer: { name: '--', email: 'a@b.co' } }))[0]?.message).toBe(
        'The customer name needs at least one letter or digit.',
      );
      expect(problemsOf(sampleOrder({ customer: { name: 'Ana', email: 'not-an-email' } }))[0]?.message).toBe(
        'The email address is not valid.',
      );
      expect(problemsOf(sampleOrder({ customer: { name: 'Ana', phone: 'call me' } }))[0]?.path).toBe(
        'customer.phone',
      );
    });

    it('refuses a bad order id, order number, channel, priority, pickup policy or pickup target', () => {
      expect(problemsOf(sampleOrder({ orderId: '-x' }))[0]?.path).toBe('orderId');
      expect(problemsOf(sampleOrder({ orderNumber: 'W/1' }))[0]?.path).toBe('orderNumber');
      expect(problemsOf({ ...sampleOrder(), channel: 'fax' })[0]?.path).toBe('channel');
      expect(problemsOf(sampleOrder({ priority: 1001 }))[0]?.path).toBe('priority');
      expect(problemsOf(sampleOrder({ pickupPolicy: { holdHours: 0 } }))[0]?.message).toBe(
        'Hold a ready order at least 1 hour.',
      );
      expect(
        problemsOf(sampleOrder({ pickup: { type: 'location', location: { lat: 100, lon: 0 } } }))[0]?.path,
      ).toBe('pickup.location.lat');
      expect(problemsOf(null)[0]?.path).toBe('order');
    });
  });

  describe('BopisOrderSchema', () => {
    it('keeps a leading # on the order number as given', () => {
      expect(BopisOrderSchema.parse(sampleOrder({ orderNumber: ' #W 1001 ' })).orderNumber).toBe('#W 1001');
    });
  });
});
