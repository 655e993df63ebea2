import type { FastifyInstance } from 'fastify';
import { DomainError } from '@retail/domain';

/** The deepest body any route takes is a push: envelope, payload, lines, a line's adjustments. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found in one pass over the text
 * without building anything. It never fails on malformed text: the parser that runs next does that.
 *
 * Every socket.io message a till sends passes here before it is parsed (a catch-up push of 500 sales is
 * ~0.9 MB), so a string is skipped with `indexOf` to its closing quote rather than read a character at a
 * time: most of a push is string contents. A quote closes the string when an even number of backslashes
 * precedes it (the opening quote bounds that run), which is what reading forward and skipping the
 * character after each backslash decides too.
 */
export function jsonNestedDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (char === QUOTE) {
      for (;;) {
        const close = text.indexOf('"', index + 1);
        if (close === -1) return false;
        let before = close - 1;
        while (text.charCodeAt(before) === BACKSLASH) before -= 1;
        index = close;
        if ((close - 1 - before) % 2 === 0) break;
      }
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * Replaces fastify's JSON parser with the same parser (prototype-poisoning protection included) behind
 * a nesting limit: parsing a deeply nested body blocks the event loop for seconds (a 16 MB `[[[…]]]`
 * stalled every request, /healthz included), and a limit on size alone does not stop it.
 */
export function registerJsonBodyParser(app: FastifyInstance, maxDepth = DEFAULT_MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (jsonNestedDeeperThan(text, maxDepth)) {
      done(
        new DomainError('INVALID_INPUT', 'hub.api.jsonBodyNestsArrays', { maxDepth }, { maxDepth }),
        undefined,
      );
      return;
    }
    void parse(request, text, done);
  });
}
