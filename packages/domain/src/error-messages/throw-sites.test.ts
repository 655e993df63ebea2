/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { TRANSPORT_MESSAGES } from '../../../sync/src/client/sync-error';
import { ERROR_CATALOGS, ERROR_MESSAGES, type ErrorCatalog } from '.';

/**
 * The packages whose errors are all keyed: a DomainError built there with a sentence written in place
 * (the legacy overload) fails this test. Add a package here once its throw sites are converted.
 */
const CONVERTED = [
  'packages/domain/src',
  'packages/sync/src',
  'apps/pos-desktop/src/engine',
  'apps/pos-desktop/src/server',
  'apps/hub-server/src',
];

/**
 * Not part of their package's area: the hub's dashboard says its own checks through its own messages
 * (`t(…)`, already in the screen's language) and shows the hub's errors with `errorText`.
 */
const NOT_IN_AREA = ['apps/hub-server/src/dashboard/'];

/** Helpers that build a DomainError from a key: name → index of the key argument (and the code). */
const BUILDERS: Record<string, { keyAt: number; codeAt?: number; code?: string }> = {
  DomainError: { keyAt: 1, codeAt: 0 },
  fail: { keyAt: 1, codeAt: 0 },
  invalid: { keyAt: 0, code: 'INVALID_INPUT' },
  invalidBarcode: { keyAt: 0, code: 'INVALID_BARCODE' },
  SyncTransportError: { keyAt: 1 },
};
/** Where the builders themselves pass a caller's key on (typed `ErrorMessageKey`). */
const PASS_THROUGH = new Set([
  'packages/domain/src/errors.ts',
  'packages/domain/src/catalog/barcode.ts',
  // A hub's answer keeps the hub's sentence, key and params (transportErrorFromBody).
  'packages/sync/src/client/sync-error.ts',
]);
/** Constant maps of keys (`satisfies Record<string, ErrorMessageKey>`), read as `MAP.name`. */
const KEY_MAPS: Record<string, Record<string, string>> = { TRANSPORT_MESSAGES };

const root = path.resolve(import.meta.dirname, '../../../..');
const codeOfKey = new Map<string, string>();
for (const catalog of Object.values(ERROR_CATALOGS) as ErrorCatalog[]) {
  for (const [code, group] of Object.entries(catalog))
    for (const key of Object.keys(group ?? {})) codeOfKey.set(key, code);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$|(^|\/)(testing|test-support)\//.test(file))
    .map((file) => path.join(dir, file))
    .filter((file) => !NOT_IN_AREA.some((excluded) => file.startsWith(excluded)));
}

interface Site {
  readonly where: string;
  readonly problem: string;
}

function keysOf(argument: ts.Expression): string[] | null {
  if (ts.isStringLiteral(argument)) return [argument.text];
  if (ts.isPropertyAccessExpression(argument) && ts.isIdentifier(argument.expression)) {
    const key = KEY_MAPS[argument.expression.text]?.[argument.name.text];
    return key === undefined ? null : [key];
  }
  if (ts.isParenthesizedExpression(argument)) return keysOf(argument.expression);
  if (ts.isConditionalExpression(argument)) {
    const a = keysOf(argument.whenTrue);
    const b = keysOf(argument.whenFalse);
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

function unkeyedSites(file: string, text = readFileSync(path.join(root, file), 'utf8')): Site[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sites: Site[] = [];
  // `fail` and `invalid` are common names: only the domain's own count (imported, or errors.ts itself).
  const fromDomain = new Set(file.endsWith('/errors.ts') ? ['fail', 'invalid'] : []);
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/^@retail\/domain$|\/errors$/.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings))
      for (const item of bindings.elements) fromDomain.add(item.name.text);
  }
  const visit = (node: ts.Node): void => {
    const callee = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : undefined;
    const name = callee && ts.isIdentifier(callee) ? callee.text : undefined;
    const builder =
      name === undefined || ((name === 'fail' || name === 'invalid') && !fromDomain.has(name))
        ? undefined
        : BUILDERS[name];
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

/** The catalog of each converted area, and where its keys are used. */
const AREAS: Record<string, readonly string[]> = {
  domain: ['packages/domain/src'],
  sync: ['packages/sync/src'],
  store: ['apps/pos-desktop/src/engine', 'apps/pos-desktop/src/server'],
  hub: ['apps/hub-server/src'],
};

function stringLiterals(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('error throw sites', () => {
  it.each(Object.keys(AREAS))('every key of the %s catalog is thrown somewhere', (area) => {
    const used = new Set([
      ...AREAS[area]!.flatMap(sourceFiles).flatMap(stringLiterals),
      ...Object.values(KEY_MAPS).flatMap((map) => Object.values(map)),
    ]);
    const catalog = ERROR_CATALOGS[area as keyof typeof ERROR_CATALOGS] as ErrorCatalog;
    const keys = Object.values(catalog).flatMap((group) => Object.keys(group ?? {}));
    expect(keys.filter((key) => !used.has(key))).toEqual([]);
  });

  it.each(CONVERTED)('every DomainError in %s is built from a catalog key of its code', (dir) => {
    const files = sourceFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((file) => unkeyedSites(file))).toEqual([]);
  });

  it('notices a sentence written in place, an unknown key and a key of another code', () => {
    const probe = [
      "import { DomainError, invalid } from '@retail/domain';",
      "throw new DomainError('CONFLICT', `Sale ${id} twice.`);",
      "throw new DomainError('CONFLICT', 'sale.noSuchKey');",
      "throw invalid('sync.hubBusy');",
      "throw new DomainError('RATE_LIMITED', 'sync.hubBusy');",
    ].join('\n');
    expect(unkeyedSites('probe.ts', probe).map(({ problem }) => problem)).toEqual([
      'no catalog key: `Sale ${id} twice.`',
      'sale.noSuchKey is not in the catalog',
      'sync.hubBusy is listed under RATE_LIMITED, thrown as INVALID_INPUT',
    ]);
  });
});
