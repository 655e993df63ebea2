import { describe, expect, it } from 'vitest';
import {
  DomainError,
  assertNever,
  fail,
  invalid,
  isDomainError,
  isErrorCode,
  ok,
  toErrorBody,
} from './errors';

describe('errors', () => {
  it('carries a code, a sentence and details, and serialises without a stack', () => {
    const error = new DomainError('UNKNOWN_BARCODE', 'No product has barcode 123.', { barcode: '123' });
    expect(error.toJSON()).toEqual({
      code: 'UNKNOWN_BARCODE',
      message: 'No product has barcode 123.',
      details: { barcode: '123' },
    });
    expect(new DomainError('CONFLICT', 'x').toJSON()).toEqual({ code: 'CONFLICT', message: 'x' });
    expect(isDomainError(error)).toBe(true);
    expect(isDomainError(new Error('x'))).toBe(false);
  });

  it('builds result envelopes', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('NOT_FOUND', 'No such sale.')).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No such sale.' },
    });
  });

  it('hides unknown failures behind INTERNAL', () => {
    expect(toErrorBody(new TypeError('secret path /etc'))).toEqual({
      code: 'INTERNAL',
      message: expect.stringContaining('Nothing was saved'),
    });
    expect(toErrorBody(new DomainError('LOCKED_OUT', 'Locked.'))).toEqual({
      code: 'LOCKED_OUT',
      message: 'Locked.',
    });
  });

  it('recognises the closed set of codes', () => {
    expect(isErrorCode('OVERRIDE_REQUIRED')).toBe(true);
    expect(isErrorCode('SOMETHING_ELSE')).toBe(false);
  });

  it('assertNever throws for values the type system said could not exist', () => {
    expect(() => assertNever('x' as never, 'tender type')).toThrow(/Unexpected tender type/);
  });

  it('renders a keyed error in English from the catalog and carries its key and params', () => {
    const error = new DomainError('INVALID_INPUT', 'ids.notUUIDv7', { id: 'abc' }, { field: 'id' });
    expect(error.message).toBe('abc is not a UUIDv7.');
    expect(error.toJSON()).toEqual({
      code: 'INVALID_INPUT',
      message: 'abc is not a UUIDv7.',
      key: 'ids.notUUIDv7',
      params: { id: 'abc' },
      details: { field: 'id' },
    });
    expect(invalid('ids.notUUIDv7', { id: 'x' }).toJSON()).toMatchObject({ key: 'ids.notUUIDv7' });
    expect(fail('INVALID_INPUT', 'ids.notUUIDv7', { id: 'y' })).toEqual({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        message: 'y is not a UUIDv7.',
        key: 'ids.notUUIDv7',
        params: { id: 'y' },
      },
    });
    const again = DomainError.fromBody(error.toJSON());
    expect(again.toJSON()).toEqual(error.toJSON());
    expect(DomainError.fromBody({ code: 'CONFLICT', message: 'x', key: 'no.suchKey' }).toJSON()).toEqual({
      code: 'CONFLICT',
      message: 'x',
    });
  });
});
