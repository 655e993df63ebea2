#!/usr/bin/env -S npx tsx
// Moves the sentences of `new DomainError(code, 'sentence' | `template ${x}`, details)`, `invalid(…)`,
// `fail(…)` and `new SyncTransportError(…)` into the error catalog (packages/domain/src/error-messages/
// <area>.ts) and rewrites the throw site to `(code, 'area.key', { params }, details)`. Every area is
// converted (domain, sync, store, hub); kept for a new package, which needs its catalog file, a line in
// AREAS below and its prefix in prefixOf. See docs/conventions.md, "Errors: keyed sentences". The hub's run:
//   npx tsx scripts/codemods/key-errors.mjs hub apps/hub-server/tsconfig.json apps/hub-server/src
// Then: prettier on the touched files, hand-convert what it reports (SKIP: a sentence it cannot read;
// COND: a `?:` inside a sentence, to become ICU select/plural), add the area to CONVERTED in
// throw-sites.test.ts. WRAPPERS=name:argIndex:CODE converts a helper that takes a sentence.
import ts from 'typescript';
import { ERROR_CODES } from '../../packages/domain/src/error-codes.ts';
import { ERROR_CATALOGS } from '../../packages/domain/src/error-messages/index.ts';
import fs from 'node:fs';
import path from 'node:path';
const [area, tsconfig, ...dirs] = process.argv.slice(2);
const root = process.cwd();
const WRAPPERS = Object.fromEntries(
  (process.env.WRAPPERS ?? '')
    .split(',')
    .filter(Boolean)
    .map((w) => {
      const [n, i, c] = w.split(':');
      return [n, { index: Number(i), code: c }];
    }),
);
const CODES = ERROR_CODES;
const AREAS = { domain: 'DOMAIN', sync: 'SYNC', store: 'STORE', hub: 'HUB' };
const state = {}; // area -> { key: { code, template } }, read from the catalog as it is
for (const a of Object.keys(AREAS)) {
  state[a] = {};
  for (const [code, group] of Object.entries(ERROR_CATALOGS[a]))
    for (const [key, template] of Object.entries(group)) state[a][key] = { code, template };
}
const allKeys = () => new Set(Object.values(state).flatMap((s) => Object.keys(s)));
const byTemplate = new Map(); // area|code|template -> key
for (const [k, v] of Object.entries(state[area])) byTemplate.set(`${v.code}|${v.template}`, k);

const cfg = ts.getParsedCommandLineOfConfigFile(
  tsconfig,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(String(d.messageText));
    },
  },
);
const program = ts.createProgram(cfg.fileNames, cfg.options);
const checker = program.getTypeChecker();
const inDirs = (f) =>
  dirs.some((d) => path.resolve(f).startsWith(path.resolve(d) + '/')) &&
  !/\.test\.tsx?$|\/test-support\/|\/testing\/|\.bench\.ts$/.test(f);
const errorsFile = path.resolve('packages/domain/src/errors.ts');
const fromErrors = (id) => {
  let sym = checker.getSymbolAtLocation(id);
  if (!sym) return false;
  if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  return (sym.declarations ?? []).some((d) => path.resolve(d.getSourceFile().fileName) === errorsFile);
};
const STOP = new Set(
  'a an the is are was were be been being has have had of to for in on at by with this that these those it its and or as so from than then which who will would should there their they them one any into our your you we i if but do does did got'.split(
    ' ',
  ),
);
function prefixOf(file) {
  const rel = path.relative(root, file).split(path.sep);
  const base = rel[rel.length - 1].replace(/\.tsx?$/, '');
  if (area === 'domain') {
    const i = rel.indexOf('src');
    return rel.length - i > 2 ? camel(rel[i + 1].split('-')) : camel(base.split('-'));
  }
  if (area === 'sync') return 'sync';
  if (area === 'store') {
    const i = rel.indexOf('src');
    const top = rel[i + 1];
    if (top === 'server') return 'lane';
    const sub = rel.slice(i + 2, -1); // dirs under engine
    if (sub.length === 0 || sub[0] === 'commands') return camel(base.replace(/-commands?$/, '').split('-'));
    return camel(sub[0].split('-'));
  }
  const i = rel.indexOf('src');
  return 'hub.' + (rel.length - i > 2 ? camel(rel[i + 1].split('-')) : camel(base.split('-')));
}
function camel(words) {
  return words
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w[0].toLowerCase() + w.slice(1) : w[0].toUpperCase() + w.slice(1)))
    .join('');
}
function nameWords(text) {
  const words = text
    .replace(/\{(\w+)\}/g, ' ')
    .replace(/['’]s\b/g, '')
    .replace(/n['’]t\b/g, 'nt')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w && !STOP.has(w.toLowerCase()) && !/^\d+$/.test(w));
  let out = [];
  let len = 0;
  for (const w of words) {
    if (out.length >= 4 || len + w.length > 32) break;
    out.push(
      w.toLowerCase() === w.toUpperCase() ? w : w.length > 1 && w === w.toUpperCase() ? w.toLowerCase() : w,
    );
    len += w.length;
  }
  if (out.length === 0) out = ['error'];
  return camel(out.map((w) => (w.toLowerCase() === w ? w : w)));
}
function paramName(e) {
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e))
    return paramName(e.expression);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    const n = e.name.text;
    if (n === 'length' || n === 'size') return paramName(e.expression) + 'Count';
    if (
      ['message', 'id', 'name', 'kind', 'type', 'status', 'code', 'value'].includes(n) &&
      !ts.isThisTypeNode(e.expression)
    ) {
      const p = paramName(e.expression);
      return p === 'value' || p === 'error' ? n : p + n[0].toUpperCase() + n.slice(1);
    }
    return n;
  }
  if (ts.isCallExpression(e)) {
    const callee = e.expression;
    if (
      ts.isPropertyAccessExpression(callee) &&
      ['join', 'trim', 'toString', 'toFixed', 'toISOString', 'toUpperCase', 'toLowerCase', 'slice'].includes(
        callee.name.text,
      )
    )
      return paramName(callee.expression);
    if (e.arguments.length >= 1) return paramName(e.arguments[0]);
    if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
    return 'value';
  }
  if (ts.isElementAccessExpression(e)) return paramName(e.expression);
  if (ts.isBinaryExpression(e)) return paramName(e.left);
  if (ts.isConditionalExpression(e)) return paramName(e.whenTrue);
  return 'value';
}
const isStringOrNumber = (t) => {
  if (t.isUnion()) return t.types.every(isStringOrNumber);
  return (t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike)) !== 0;
};
function escapeText(s, nextIsPlaceholder) {
  let out = s.replace(/'/g, (m, i) =>
    /['{}#|]/.test(s[i + 1] ?? '') || (i === s.length - 1 && nextIsPlaceholder) ? "''" : "'",
  );
  out = out.replace(/[{}]/g, (c) => `'${c}'`);
  return out;
}
// message expression -> [{text}|{expr}] or null
function parts(e) {
  if (ts.isParenthesizedExpression(e)) return parts(e.expression);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [{ text: e.text }];
  if (ts.isTemplateExpression(e)) {
    const out = [{ text: e.head.text }];
    for (const s of e.templateSpans) {
      out.push({ expr: s.expression });
      out.push({ text: s.literal.text });
    }
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = parts(e.left),
      r = parts(e.right);
    if (l && r) return [...l, ...r];
  }
  return null;
}
const report = [];
function build(code, msgParts, prefix, file) {
  const params = []; // {name, text}
  let template = '';
  msgParts.forEach((p, i) => {
    if ('text' in p) {
      template += escapeText(p.text, msgParts[i + 1] && 'expr' in msgParts[i + 1]);
      return;
    }
    const text = p.expr.getText();
    let existing = params.find((q) => q.src === text);
    if (!existing) {
      let name = paramName(p.expr).replace(/[^A-Za-z0-9_]/g, '') || 'value';
      let n = name,
        k = 2;
      while (params.some((q) => q.name === n)) n = name + k++;
      const t = checker.getTypeAtLocation(p.expr);
      const value = isStringOrNumber(t) ? text : `String(${text})`;
      existing = { name: n, src: text, value };
      params.push(existing);
      if (ts.isConditionalExpression(p.expr) || /\?/.test(text)) report.push(`COND ${file}: ${text}`);
    }
    template += `{${existing.name}}`;
  });
  const id = `${code}|${template}`;
  let key = byTemplate.get(id);
  if (!key) {
    const base = `${prefix}.${nameWords(msgParts.map((p) => ('text' in p ? p.text : ' {x} ')).join(''))}`;
    const taken = allKeys();
    key = base;
    let k = 2;
    while (taken.has(key)) key = base + k++;
    state[area][key] = { code, template };
    byTemplate.set(id, key);
  }
  const obj =
    params.length === 0
      ? null
      : `{ ${params.map((q) => (q.name === q.value ? q.name : `${q.name}: ${q.value}`)).join(', ')} }`;
  return { key, obj };
}
let converted = 0;
for (const sf of program.getSourceFiles()) {
  if (!inDirs(sf.fileName)) continue;
  const edits = [];
  const visit = (n) => {
    let codeArg,
      msgArg,
      hasDetails = false;
    if (
      ts.isNewExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'DomainError' &&
      fromErrors(n.expression)
    ) {
      codeArg = n.arguments[0];
      msgArg = n.arguments[1];
      hasDetails = n.arguments.length > 2;
    } else if (
      ts.isCallExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'invalid' &&
      fromErrors(n.expression)
    ) {
      codeArg = null;
      msgArg = n.arguments[0];
      hasDetails = n.arguments.length > 1;
    } else if (
      ts.isCallExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'fail' &&
      fromErrors(n.expression)
    ) {
      codeArg = n.arguments[0];
      msgArg = n.arguments[1];
      hasDetails = n.arguments.length > 2;
    } else if (
      ts.isNewExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'SyncTransportError' &&
      n.arguments?.[1]
    ) {
      const f = n.arguments[0];
      const M = {
        unreachable: 'HUB_UNAVAILABLE',
        timeout: 'HUB_UNAVAILABLE',
        busy: 'RATE_LIMITED',
        unauthorized: 'UNAUTHORIZED',
        too_old: 'SCHEMA_VERSION',
        rejected: 'INVALID_INPUT',
        protocol: 'INTERNAL',
      };
      codeArg = ts.isStringLiteral(f) ? M[f.text] : undefined;
      msgArg = n.arguments[1];
      hasDetails = n.arguments.length > 2;
      if (!codeArg) codeArg = ts.factory.createIdentifier('x');
    } else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && WRAPPERS[n.expression.text]) {
      const w = WRAPPERS[n.expression.text];
      codeArg = w.code;
      msgArg = n.arguments[w.index];
      hasDetails = n.arguments.length > w.index + 1;
    }
    if (msgArg) {
      const line = sf.getLineAndCharacterOfPosition(n.getStart()).line + 1;
      const where = `${path.relative(root, sf.fileName)}:${line}`;
      const code =
        codeArg === null
          ? 'INVALID_INPUT'
          : typeof codeArg === 'string'
            ? codeArg
            : ts.isStringLiteral(codeArg)
              ? codeArg.text
              : null;
      if (!code) {
        report.push(`SKIP(code) ${where}: ${n.getText().slice(0, 120)}`);
      } else {
        const prefix = prefixOf(sf.fileName);
        let e = msgArg;
        while (ts.isParenthesizedExpression(e)) e = e.expression;
        if (
          (ts.isStringLiteral(e) && allKeys().has(e.text)) ||
          (ts.isConditionalExpression(e) && ts.isStringLiteral(e.whenTrue) && allKeys().has(e.whenTrue.text))
        ) {
          ts.forEachChild(n, visit);
          return;
        }
        const p = parts(e);
        if (p) {
          const { key, obj } = build(code, p, prefix, where);
          const replacement = `'${key}'${obj ? `, ${obj}` : hasDetails ? ', {}' : ''}`;
          edits.push({ start: msgArg.getStart(), end: msgArg.end, text: replacement });
          converted++;
        } else if (ts.isConditionalExpression(e) && parts(e.whenTrue) && parts(e.whenFalse)) {
          const a = build(code, parts(e.whenTrue), prefix, where),
            b = build(code, parts(e.whenFalse), prefix, where);
          const cond = e.condition.getText();
          const pa = a.obj ?? '{}',
            pb = b.obj ?? '{}';
          const replacement = `${cond} ? '${a.key}' : '${b.key}', ${cond} ? ${pa} : ${pb}`;
          edits.push({ start: msgArg.getStart(), end: msgArg.end, text: replacement });
          converted++;
          report.push(`TERNARY ${where}`);
        } else report.push(`SKIP ${where}: ${msgArg.getText().slice(0, 120)}`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  if (edits.length) {
    let text = sf.getFullText();
    edits.sort((x, y) => y.start - x.start);
    // nested edits: skip an edit contained in a later-applied outer one
    let lastStart = Infinity;
    for (const ed of edits) {
      if (ed.end > lastStart) {
        report.push(`NESTED ${sf.fileName}`);
        continue;
      }
      text = text.slice(0, ed.start) + ed.text + text.slice(ed.end);
      lastStart = ed.start;
    }
    fs.writeFileSync(sf.fileName, text);
  }
}
// write the catalog
const groups = {};
for (const [k, v] of Object.entries(state[area])) (groups[v.code] ??= []).push([k, v.template]);
const header = fs
  .readFileSync(`packages/domain/src/error-messages/${area}.ts`, 'utf8')
  .split('export const')[0];
let out = header + `export const ${AREAS[area]}_ERROR_MESSAGES = {\n`;
for (const c of CODES) {
  if (!groups[c]) continue;
  out += `  ${c}: {\n`;
  for (const [k, t] of groups[c].sort((x, y) => x[0].localeCompare(y[0])))
    out += `    ${JSON.stringify(k)}: ${JSON.stringify(t)},\n`;
  out += '  },\n';
}
out += '} as const;\n';
fs.writeFileSync(`packages/domain/src/error-messages/${area}.ts`, out);
console.log(`converted ${converted}`);
console.log(report.join('\n'));
