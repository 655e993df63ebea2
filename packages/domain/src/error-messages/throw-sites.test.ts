/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGS, ERROR_MESSAGES, type ErrorCatalog } from '.';

/**
 * The packages whose errors are all keyed: a DomainError built there with a sentence written in place
 * (the legacy overload) fails this test. Add a package here once its throw sites are converted.
 */
const CONVERTED = ['packages/domain/src'];

/** Helpers that build a DomainError from a key: name → index of the key argument (and the code). */
const BUILDERS: Record<string, { keyAt: number; codeAt?: number; code?: string }> = {
  DomainError: { keyAt: 1, codeAt: 0 },
  fail: { keyAt: 1, codeAt: 0 },
  invalid: { keyAt: 0, code: 'INVALID_INPUT' },
  invalidBarcode: { keyAt: 0, code: 'INVALID_BARCODE' },
};
/** Where the builders themselves pass a caller's key on (typed `ErrorMessageKey`). */
const PASS_THROUGH = new Set(['packages/domain/src/errors.ts', 'packages/domain/src/catalog/barcode.ts']);

const root = path.resolve(import.meta.dirname, '../../../..');
const codeOfKey = new Map<string, string>();
for (const catalog of Object.values(ERROR_CATALOGS) as ErrorCatalog[]) {
  for (const [code, group] of Object.entries(catalog))
    for (const key of Object.keys(group ?? {})) codeOfKey.set(key, code);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$|(^|\/)(testing|test-support)\//.test(file))
    .map((file) => path.join(dir, file));
}

interface Site {
  readonly where: string;
  readonly problem: string;
}

function keysOf(argument: ts.Expression): string[] | null {
  if (ts.isStringLiteral(argument)) return [argument.text];
  if (ts.isParenthesizedExpression(argument)) return keysOf(argument.expression);
  if (ts.isConditionalExpression(argument)) {
    const a = keysOf(argument.whenTrue);
    const b = keysOf(argument.whenFalse);
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

function unkeyedSites(file: string): Site[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const sites: Site[] = [];
  const visit = (node: ts.Node): void => {
    const callee = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : undefined;
    const builder = callee && ts.isIdentifier(callee) ? BUILDERS[callee.text] : undefined;
    if (
      builder &&
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      !(ts.isCallExpression(node) && callee?.getText() === 'DomainError')
    ) {
      const args = node.arguments ?? ts.factory.createNodeArray();
      const where = `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      const keyArgument = args[builder.keyAt];
      const keys = keyArgument ? keysOf(keyArgument) : null;
      const codeArgument = builder.codeAt === undefined ? undefined : args[builder.codeAt];
      const code =
        builder.code ?? (codeArgument && ts.isStringLiteral(codeArgument) ? codeArgument.text : undefined);
      if (keys === null) {
        if (!PASS_THROUGH.has(file))
          sites.push({ where, problem: `no catalog key: ${keyArgument?.getText() ?? '(none)'}` });
      } else {
        for (const key of keys) {
          if (!Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, key))
            sites.push({ where, problem: `${key} is not in the catalog` });
          else if (code !== undefined && codeOfKey.get(key) !== code)
            sites.push({ where, problem: `${key} is listed under ${codeOfKey.get(key)}, thrown as ${code}` });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

describe('error throw sites', () => {
  it.each(CONVERTED)('every DomainError in %s is built from a catalog key of its code', (dir) => {
    const files = sourceFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap(unkeyedSites)).toEqual([]);
  });

  it('notices a sentence written in place', () => {
    const probe = ts.createSourceFile(
      'probe.ts',
      "throw new DomainError('CONFLICT', `Sale ${id} twice.`);",
      ts.ScriptTarget.Latest,
      true,
    );
    let found = 0;
    ts.forEachChild(probe, function visit(node): void {
      if (ts.isNewExpression(node) && node.arguments && keysOf(node.arguments[1]!) === null) found += 1;
      ts.forEachChild(node, visit);
    });
    expect(found).toBe(1);
  });
});
