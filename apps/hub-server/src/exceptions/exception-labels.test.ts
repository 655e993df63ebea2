import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../dashboard/i18n/messages';
import { EXCEPTION_TYPES } from './exception-queue';

describe('exceptions/exception labels', () => {
  it('names every exception kind the hub raises on the HQ dashboard', () => {
    const labels = MESSAGES as Record<string, string>;
    const missing = EXCEPTION_TYPES.filter((type) => labels[`kind.${type}`] === undefined);
    expect(missing).toEqual([]);
  });
});
