import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createErrorText, createTranslator } from './translator';

const MESSAGES = {
  greeting: 'Hello {name}',
  units: '{qty, plural, one {# unit} other {# units}} promised to {orderRef}',
  status: 'The hub answered HTTP {status}.',
  quoted: "Don't scan twice",
} as const;

describe('translator', () => {
  const { t, maybeT } = createTranslator(MESSAGES, 'en');

  it('fills placeholders and keeps one it was not given', () => {
    expect(t('greeting', { name: 'Ada' })).toBe('Hello Ada');
    expect(t('greeting')).toBe('Hello {name}');
    expect(t('quoted')).toBe("Don't scan twice");
  });

  it('prints numbers as given, without grouping', () => {
    expect(t('status', { status: 5030 })).toBe('The hub answered HTTP 5030.');
  });

  it('picks the plural form, so one unit is never "1 units"', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (qty) => {
        const text = t('units', { qty, orderRef: 'W-1' });
        return text === `${qty} ${qty === 1 ? 'unit' : 'units'} promised to W-1`;
      }),
    );
  });

  it('answers null for a key built from data that has no sentence', () => {
    expect(maybeT('greeting', { name: 'Ada' })).toBe('Hello Ada');
    expect(maybeT('exceptions.kind.UNKNOWN')).toBeNull();
    expect(maybeT('toString')).toBeNull();
  });
});

describe('createErrorText', () => {
  it('translates a keyed error, and shows the English sentence without a key or a translation', () => {
    const say = createErrorText({ 'sale.noPrice': 'Kein Preis für {sku}.' }, 'de');
    expect(say({ message: 'No price for A.', key: 'sale.noPrice', params: { sku: 'A' } })).toBe(
      'Kein Preis für A.',
    );
    expect(say({ message: 'Locked.', key: 'staff.locked', params: {} })).toBe('Locked.');
    expect(say({ message: 'Legacy.' })).toBe('Legacy.');
  });
});

describe('exact text', () => {
  it('prints numbers as a template literal does and leaves < as text', () => {
    const { t } = createTranslator(
      { qty: 'Only {n} <b>left</b> ({n, plural, one {# unit} other {# units}})' },
      'en',
      {
        text: 'exact',
      },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (n) => t('qty', { n }).startsWith(`Only ${n} <b>left</b>`)),
    );
    expect(t('qty', { n: 0.123456789 })).toBe('Only 0.123456789 <b>left</b> (0.123456789 units)');
  });
});
