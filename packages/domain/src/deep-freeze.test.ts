import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze';

describe('deepFreeze', () => {
  it('freezes the value and everything inside it, arrays included, and answers the same value', () => {
    const value = { a: { b: [1, { c: 'x' }] }, d: 2 };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.a)).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(() => {
      (value.a.b[1] as { c: string }).c = 'y';
    }).toThrow(TypeError);
  });

  it('answers primitives and null as they are, and ends on cycles', () => {
    expect(deepFreeze(3)).toBe(3);
    expect(deepFreeze(null)).toBe(null);
    const cyclic: { self?: unknown; inner: { back?: unknown } } = { inner: {} };
    cyclic.self = cyclic;
    cyclic.inner.back = cyclic;
    deepFreeze(cyclic);
    expect(Object.isFrozen(cyclic.inner)).toBe(true);
  });
});
