import { isDeepStrictEqual } from 'node:util';
import { DomainError } from '@retail/domain';
import type { z } from 'zod';
import { SaleViewSchema } from '../shared/sale-commands';

/**
 * The answer check of every command. A command's answer is parsed with its schema before it leaves the
 * node, which also strips whatever the schema does not name. For the answers below the handlers build
 * exactly the schema (`sale-answers.property.test.ts` drives random sales through the real commands and
 * checks that parsing changes nothing), so the node sends them as built: parsing the sale view cost about as
 * much CPU as a scan's own work. Requests are always parsed: they come from lanes.
 */
const EXACT_ANSWERS: ReadonlySet<z.ZodType> = new Set<z.ZodType>([SaleViewSchema]);

/**
 * Under test (and in every node process a test starts, which inherits the variable), and with
 * POS_CHECK_ANSWERS=1, exact answers are still parsed and must come out unchanged: every sale command a test
 * runs checks the proof again.
 */
const VERIFY_EXACT_ANSWERS = process.env.VITEST !== undefined || process.env.POS_CHECK_ANSWERS === '1';

/** The first place (a dotted path) where two JSON-like values differ, for the error's details. */
export function firstDifference(a: unknown, b: unknown, path: readonly string[] = []): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path.join('.');
  if (Array.isArray(a) !== Array.isArray(b)) return path.join('.');
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    if (Object.hasOwn(left, key) !== Object.hasOwn(right, key)) return [...path, key].join('.');
    const inner = firstDifference(left[key], right[key], [...path, key]);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

function brokeContract(name: string, details: { issue: string | undefined; path: string | undefined }) {
  return new DomainError('INTERNAL', 'engine.answerBrokeCommandContract', { name }, details);
}

/**
 * The answer `name` sends for `outcome`: parsed with `schema`, or, for an answer its handlers build
 * exactly, `outcome` itself. Throws INTERNAL (the transaction rolls back) for an answer that breaks the
 * contract, and under test for an exact answer that parsing would change.
 */
export function checkedAnswer(name: string, schema: z.ZodType, outcome: unknown): unknown {
  const exact = EXACT_ANSWERS.has(schema);
  if (exact && !VERIFY_EXACT_ANSWERS) return outcome;
  const response = schema.safeParse(outcome);
  if (!response.success) {
    const issue = response.error.issues[0];
    throw brokeContract(name, { issue: issue?.message, path: issue?.path.join('.') });
  }
  if (exact && !isDeepStrictEqual(response.data, outcome)) {
    throw brokeContract(name, {
      issue: 'parsing the answer changes it: the handler answers more or other than its schema',
      path: firstDifference(response.data, outcome),
    });
  }
  // An exact answer leaves as built, under test as in production.
  return exact ? outcome : response.data;
}
