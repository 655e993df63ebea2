import fc from 'fast-check';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../error-codes';
import { DomainError, renderErrorMessage, type ErrorMessageKey } from '../errors';
import { ERROR_CATALOGS, ERROR_MESSAGES, type ErrorCatalog } from '.';

const entries = Object.entries(ERROR_CATALOGS).flatMap(([area, catalog]) =>
  Object.entries(catalog as ErrorCatalog).flatMap(([code, group]) =>
    Object.entries(group ?? {}).map(([key, template]) => ({
      area,
      code,
      key: key as ErrorMessageKey,
      template,
    })),
  ),
);

type MessageFormatElement = ReturnType<IntlMessageFormat['getAst']>[number];

/** Argument names of a template and whether it picks among forms (select/plural) rather than filling in. */
function shapeOf(template: string): { names: Set<string>; choices: boolean } {
  const names = new Set<string>();
  let choices = false;
  const walk = (elements: readonly MessageFormatElement[]): void => {
    for (const element of elements) {
      if ('value' in element && element.type !== 0 && typeof element.value === 'string')
        names.add(element.value);
      if ('options' in element) {
        choices = true;
        for (const option of Object.values(element.options) as { value: MessageFormatElement[] }[])
          walk(option.value);
      }
      if ('children' in element) walk(element.children);
    }
  };
  walk(new IntlMessageFormat(template, 'en', undefined, { ignoreTag: true }).getAst());
  return { names, choices };
}

/** What a template literal with the same text would print: literal text unquoted, `{name}` filled. */
function asTemplateLiteral(template: string, params: Record<string, string | number>): string {
  let out = '';
  for (let index = 0; index < template.length; index += 1) {
    const char = template[index]!;
    if (char === "'" && template[index + 1] === "'") {
      out += "'";
      index += 1;
    } else if (char === "'" && /[{}#|]/.test(template[index + 1] ?? '')) {
      const end = template.indexOf("'", index + 1);
      out += template.slice(index + 1, end);
      index = end;
    } else if (char === '{') {
      const end = template.indexOf('}', index);
      out += String(params[template.slice(index + 1, end)]);
      index = end;
    } else out += char;
  }
  return out;
}

const tricky = ["it's {x} <b>", 'SKU-1', '12.50', "O'Brien's"];
const numbers = [0, 1, 0.123456789, -2.5, 1e21, 12500];

describe('error catalog', () => {
  it('has one stable, readable key per sentence, in a group that is an error code', () => {
    const seen = new Set<string>();
    for (const { key, code } of entries) {
      expect(key).toMatch(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/);
      expect(ERROR_CODES).toContain(code);
      expect(seen.has(key), `${key} is in the catalog twice`).toBe(false);
      seen.add(key);
    }
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...seen].sort());
  });

  it('parses every template as ICU and renders the English a template literal printed', () => {
    for (const { key, template } of entries) {
      const { names, choices } = shapeOf(template);
      if (choices) continue; // the select/plural sentences have their own cases below
      for (const sample of [...tricky, ...numbers]) {
        const params = Object.fromEntries([...names].map((name) => [name, sample]));
        expect(renderErrorMessage(key, params), key).toBe(asTemplateLiteral(template, params));
      }
    }
  });

  it('picks the form a select or plural sentence needs', () => {
    const choosing = entries.filter(({ template }) => shapeOf(template).choices).map(({ key }) => key);
    expect(choosing.length).toBeGreaterThan(0);
    expect(renderErrorMessage('cart.quantityMustPositiveWhole', { lineName: 'Apples', unit: 'kg' })).toBe(
      'The quantity of Apples must be a positive whole number of grams.',
    );
    expect(renderErrorMessage('cart.quantityMustPositiveWhole', { lineName: 'Soap', unit: 'each' })).toBe(
      'The quantity of Soap must be a positive whole number.',
    );
    expect(renderErrorMessage('bopis.onlyCanMarkOrder', { actor: 'store', action: 'ready' })).toBe(
      'Only the store fulfilling the order can mark an order ready.',
    );
    expect(
      renderErrorMessage('loyalty.insufficientPoints', {
        available: '10',
        requested: '50',
        action: 'redeemed',
        pending: '5',
        held: 'none',
      }),
    ).toBe(
      'This account has 10 points available; 50 cannot be redeemed. 5 more become usable once their return window has passed.',
    );
  });

  it('never throws while rendering, whatever the parameters', () => {
    const keys = entries.map(({ key }) => key);
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.dictionary(
          fc.oneof(
            fc.constantFrom(...new Set(entries.flatMap((e) => [...shapeOf(e.template).names]))),
            fc.string(),
          ),
          fc.oneof(fc.string(), fc.double(), fc.integer()),
        ),
        (key, params) => {
          const text = renderErrorMessage(key, params);
          return typeof text === 'string' && new DomainError('INTERNAL', key, params).message === text;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
