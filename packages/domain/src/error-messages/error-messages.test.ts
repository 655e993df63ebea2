import fc from 'fast-check';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../error-codes';
import { DomainError, renderErrorMessage, type ErrorMessageKey, type ErrorParams } from '../errors';
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

describe('hub error catalog', () => {
  // Each property restates the hub's sentence as the template literal it replaced: the catalog must say
  // exactly what the hub said before, for every value.
  const text = fc.string();
  const known = fc.option(text, { nil: null });

  it('says a till too old to sync with its version, or an unknown one', () => {
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), (minimum, clientVersion) => {
        const params: ErrorParams =
          clientVersion === undefined ? { minimum, known: 'no' } : { minimum, known: 'yes', clientVersion };
        expect(renderErrorMessage('hub.sync.tillTooOld', params)).toBe(
          `This hub serves tills from version ${minimum}; this till runs ${clientVersion ?? 'an unknown version'}. Install the update to sync again.`,
        );
      }),
    );
  });

  it('lists the missing and unknown columns of a CSV header that are there', () => {
    fc.assert(
      fc.property(fc.array(text), fc.array(text), fc.array(text), (missing, unknown, columns) => {
        const params = {
          lacks: missing.length > 0 ? 'yes' : 'no',
          missing: missing.join(', '),
          hasUnknown: unknown.length > 0 ? 'yes' : 'no',
          unknown: unknown.join(', '),
          columns: columns.join(', '),
        };
        expect(renderErrorMessage('hub.catalog.headerColumnsWrong', params)).toBe(
          [
            missing.length > 0 ? `The header lacks ${missing.join(', ')}.` : '',
            unknown.length > 0 ? `Unknown columns: ${unknown.join(', ')}.` : '',
            `Columns are: ${columns.join(', ')}.`,
          ]
            .filter(Boolean)
            .join(' '),
        );
      }),
    );
  });

  it('names the line of an unreadable CSV when there is one', () => {
    fc.assert(
      fc.property(fc.option(fc.nat(), { nil: undefined }), text, (line, reason) => {
        const params: ErrorParams = line ? { atLine: 'yes', line, reason } : { atLine: 'no', reason };
        expect(renderErrorMessage('hub.catalog.csvNotReadable', params)).toBe(
          `The CSV cannot be read${line ? ` at line ${line}` : ''}: ${reason}`,
        );
      }),
    );
  });

  it('names the price book or promotion changed meanwhile or missing', () => {
    fc.assert(
      fc.property(fc.constantFrom('priceBook', 'promotion'), text, fc.integer(), (entity, id, current) => {
        const name = entity === 'priceBook' ? 'Price book' : 'Promotion';
        expect(renderErrorMessage('hub.pricing.changedMeanwhile', { entity, id, current })).toBe(
          `${name} ${id} was changed meanwhile (now version ${current}); reload it and apply your change again.`,
        );
        expect(renderErrorMessage('hub.pricing.noneToUpdate', { entity, id })).toBe(
          `There is no ${name.toLowerCase()} ${id} to update.`,
        );
      }),
    );
  });

  it('says who decided a hold or resolved an exception, or "someone"', () => {
    fc.assert(
      fc.property(text, text, known, (id, status, by) => {
        const who: ErrorParams = by === null ? { byKnown: 'no' } : { byKnown: 'yes', by };
        expect(renderErrorMessage('hub.loyalty.pointsAlreadyDecided', { saleId: id, status, ...who })).toBe(
          `The points of sale ${id} were already ${status} by ${by ?? 'someone'}.`,
        );
        expect(renderErrorMessage('hub.loyalty.creditAlreadyDecided', { creditId: id, status, ...who })).toBe(
          `Store credit ${id} was already ${status} by ${by ?? 'someone'}.`,
        );
        expect(renderErrorMessage('hub.exceptions.alreadyResolved', { exceptionId: id, ...who })).toBe(
          `Exception ${id} was already resolved by ${by ?? 'someone'}; reload it to see the note.`,
        );
      }),
    );
  });

  it('opens a refused import with what was not done', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          ['nothingImported', 'Nothing was imported'] as const,
          ['noPriceChanged', 'No price was changed'] as const,
        ),
        fc.nat(),
        fc.option(fc.record({ line: fc.nat(), message: text }), { nil: undefined }),
        ([nothingDone, words], errorCount, first) => {
          const params = { nothingDone, errorCount, line: first?.line ?? '?', problem: first?.message ?? '' };
          expect(renderErrorMessage('hub.api.importRefused', params)).toBe(
            `${words}: ${errorCount} problem(s), first on line ${first?.line ?? '?'}: ${first?.message ?? ''}`,
          );
        },
      ),
    );
  });

  it('shows the problem of an invalid setting or feed entity, else "invalid"', () => {
    fc.assert(
      fc.property(text, text, text, known, (key, entity, path, problem) => {
        const said: ErrorParams = problem === null ? { hasProblem: 'no' } : { hasProblem: 'yes', problem };
        expect(renderErrorMessage('hub.settings.valueNotValid', { key, ...said })).toBe(
          `The value for ${key} is not valid: ${problem ?? 'invalid'}.`,
        );
        expect(renderErrorMessage('hub.feed.invalidEntity', { entity, key, path, ...said })).toBe(
          `The hub produced an invalid ${entity} ${key} for the feed (${path}: ${problem ?? 'invalid'}); nothing was saved.`,
        );
      }),
    );
  });

  it('names the scope of a setting changed meanwhile, and the kind of a missing versioned entity', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant({ kind: 'chain' as const, id: '', said: 'the chain' }),
          text.map((id) => ({ kind: 'region' as const, id, said: `region ${id}` })),
          text.map((id) => ({ kind: 'store' as const, id, said: `store ${id}` })),
        ),
        text,
        fc.nat(),
        fc.constantFrom('price_book', 'promotion'),
        (scope, key, currentVersion, entity) => {
          expect(
            renderErrorMessage('hub.settings.changedBySomeoneElse', {
              key,
              scope: scope.kind,
              scopeId: scope.id,
              currentVersion,
            }),
          ).toBe(
            `${key} for ${scope.said} was changed by someone else (now version ${currentVersion}); reload it and decide again.`,
          );
          expect(renderErrorMessage('hub.pricing.noSuchVersionedEntity', { entity, key })).toBe(
            `There is no ${entity.replace('_', ' ')} ${key}.`,
          );
        },
      ),
    );
  });
});
