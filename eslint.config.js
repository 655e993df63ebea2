import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Each runtime lists what it may import; everything else is an error, so a new dependency is placed on
// purpose (in the spirit of Signal Desktop's per-environment file rules). Package names are matched on
// the specifier; relative imports on the resolved file, by directory.
const desktop = 'apps/pos-desktop/src';
const hub = 'apps/hub-server/src';
const runtimes = [
  {
    name: 'domain',
    files: ['packages/domain/src/**/*.ts'],
    packages: ['zod', '@retail/i18n'],
    may: ['packages/domain/src'],
    why: 'packages/domain is pure business logic: no I/O, no transport, no workspace but i18n (its error sentences).',
  },
  {
    name: 'i18n',
    files: ['packages/i18n/src/**/*.ts'],
    packages: ['intl-messageformat'],
    may: ['packages/i18n/src'],
    why: 'packages/i18n formats messages in browsers and Node alike: formatjs only, no workspace.',
  },
  {
    name: 'sync',
    files: ['packages/sync/src/**/*.ts'],
    packages: ['zod', '@retail/domain', 'socket.io-client', 'node:crypto'],
    may: ['packages/sync/src'],
    why: 'packages/sync is the protocol: the domain, zod, the client transport and the PIN hash both sides share.',
  },
  {
    name: 'renderer',
    files: [`${desktop}/renderer/**/*.{ts,tsx}`],
    packages: ['react', 'react-dom', 'zustand', 'zod', '@retail/domain', '@retail/i18n', 'socket.io-client'],
    may: [`${desktop}/renderer`, `${desktop}/shared`],
    why: 'The renderer runs in a sandboxed page: it talks to the node through src/shared only.',
  },
  {
    name: 'preload',
    files: [`${desktop}/preload/**/*.ts`],
    packages: ['electron'],
    may: [`${desktop}/preload`, `${desktop}/shared`],
    why: 'A sandboxed preload can load only electron; it shares types with src/shared.',
  },
  {
    name: 'main',
    files: [`${desktop}/main/**/*.ts`],
    packages: ['node:*', 'electron', 'zod', 'pino', '@retail/domain'],
    may: [`${desktop}/main`, `${desktop}/shared`, `${desktop}/engine`, `${desktop}/server`, `${desktop}/cli`],
    why: 'The Electron main process hosts the node; it never imports the renderer or the preload.',
  },
  {
    name: 'engine',
    files: [`${desktop}/engine/**/*.ts`],
    packages: [
      'node:*',
      'better-sqlite3',
      'zod',
      '@retail/domain',
      '@retail/sync',
      'libphonenumber-js',
      '@point-of-sale/receipt-printer-encoder',
    ],
    may: [`${desktop}/engine`, `${desktop}/shared`],
    why: 'The store engine is Node code behind the command map: no UI, no Electron, no server.',
  },
  {
    name: 'server',
    files: [
      `${desktop}/server/**/*.ts`,
      `${desktop}/lane-client/**/*.ts`,
      `${desktop}/cli/**/*.ts`,
      `${desktop}/cli.ts`,
    ],
    packages: [
      'node:*',
      'socket.io',
      'socket.io-client',
      'selfsigned',
      'sirv',
      'mrmime',
      'zod',
      'pino',
      '@retail/domain',
    ],
    may: [
      `${desktop}/server`,
      `${desktop}/lane-client`,
      `${desktop}/cli`,
      `${desktop}/engine`,
      `${desktop}/shared`,
    ],
    why: 'The node server and CLI serve the engine to lanes; they never import UI or Electron code.',
  },
  {
    name: 'hub',
    files: [`${hub}/**/*.ts`],
    ignores: [`${hub}/dashboard/**`],
    packages: [
      'node:*',
      'fastify',
      '@fastify/static',
      'prom-client',
      'kysely',
      'pg',
      'better-sqlite3',
      'zod',
      'pino',
      'socket.io',
      'socket.io-parser',
      'csv-parse',
      '@node-rs/argon2',
      'nodemailer',
      // Tests only: the real SMTP server alert and receipt e-mails are delivered to, and what reads them.
      'smtp-server',
      'mailparser',
      '@retail/domain',
      '@retail/sync',
    ],
    may: [hub],
    mayNot: [`${hub}/dashboard`],
    why: 'The hub is a Node server; the dashboard is a separate browser bundle it only serves.',
  },
  {
    name: 'dashboard',
    files: [`${hub}/dashboard/**/*.{ts,tsx}`],
    packages: [
      'react',
      'react-dom',
      'zustand',
      'zod',
      'eventsource',
      'recharts',
      '@retail/domain',
      '@retail/i18n',
    ],
    may: [`${hub}/dashboard`],
    // The one doorway to the hub's types; checked below to import types only.
    ignores: [`${hub}/dashboard/api/api-types.ts`],
    why: 'The HQ dashboard runs in the browser: it borrows the hub its types (erased), never its code.',
  },
];

// Tests and their harnesses may also use the test tools and, for the store, a real hub to sync with.
const testFiles = [
  '**/*.test.{ts,tsx}',
  '**/*.fixtures.ts',
  '**/testing/**',
  '**/test-support/**',
  '**/test-support.ts',
];
const testPackages = [
  'vitest',
  'fast-check',
  '@testing-library/*',
  'node:*',
  'fastify',
  'socket.io',
  'socket.io-client',
  '@retail/hub-server',
  'vite',
  'ws',
  'eventsource',
  // Source-scanning tests (every DomainError built from a catalog key) and ICU checks of the error catalog.
  'typescript',
  'intl-messageformat',
];

const escape = (text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
const packagePattern = (name) => (name.endsWith('*') ? `${escape(name.slice(0, -1))}[^/]*` : escape(name));
function allowList(packages, why) {
  const allowed = packages.map(packagePattern).join('|');
  return [
    'error',
    {
      patterns: [
        { regex: `^(?!\\.|(?:${allowed})(?:/|$))`, message: `Not on this runtime's allow-list. ${why}` },
      ],
    },
  ];
}

// Relative imports are checked on the resolved file: a runtime's files may import only from its own
// directories (`may`), whatever the specifier looks like. Workspace packages resolve into packages/*
// through node_modules; they are governed by the package allow-list above, not here.
const repoRoot = import.meta.dirname;
const workspaceOf = {
  '@retail/domain': 'packages/domain',
  '@retail/sync': 'packages/sync',
  '@retail/i18n': 'packages/i18n',
};
function pathAllowList({ name, files, ignores, packages, may, mayNot = [], why }) {
  const ownDirs = [...new Set(files.map((glob) => glob.replace(/\/\*\*.*$/, '')))];
  const allowed = [...may, ...packages.map((pkg) => workspaceOf[pkg]).filter(Boolean)];
  return {
    name: `boundaries/${name}/paths`,
    files,
    ignores: [...(ignores ?? []), ...testFiles],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: repoRoot,
          zones: [
            {
              target: ownDirs,
              from: '{apps,packages,e2e}/**',
              except: ['**/node_modules/**', ...allowed.map((dir) => `${repoRoot}/${dir}/**`)],
              message: why,
            },
            ...mayNot.map((dir) => ({ target: ownDirs, from: dir, message: why })),
          ],
        },
      ],
    },
  };
}

const boundaryConfigs = runtimes.flatMap((runtime) => [
  {
    name: `boundaries/${runtime.name}/packages`,
    files: runtime.files,
    ignores: [...(runtime.ignores ?? []), ...testFiles],
    rules: { '@typescript-eslint/no-restricted-imports': allowList(runtime.packages, runtime.why) },
  },
  {
    name: `boundaries/${runtime.name}/test-packages`,
    files: runtime.files.flatMap((glob) =>
      testFiles.map((test) => `${glob.replace(/\/\*\*.*$/, '')}/${test}`),
    ),
    ignores: runtime.ignores ?? [],
    rules: {
      '@typescript-eslint/no-restricted-imports': allowList(
        [...runtime.packages, ...testPackages],
        `${runtime.why} Tests add only the test tools.`,
      ),
    },
  },
  pathAllowList(runtime),
]);

const typedFiles = [
  'apps/*/src/**/*.{ts,tsx}',
  'packages/*/src/**/*.ts',
  'apps/*/test/**/*.ts',
  'e2e/**/*.ts',
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/.turbo/**', '**/test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node } },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: typedFiles,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    files: ['**/*.tsx', `${desktop}/renderer/**/*.ts`, `${hub}/dashboard/**/*.ts`],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': ['error', { additionalHooks: '^useLoad$' }],
    },
  },
  ...boundaryConfigs,
  {
    name: 'boundaries/dashboard/hub-types',
    files: [`${hub}/dashboard/api/api-types.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./(?!dashboard/)',
              allowTypeImports: true,
              message: 'The dashboard imports only types from the hub; it talks to it through the admin API.',
            },
          ],
        },
      ],
    },
  },
  {
    // The store node's tests see the hub through its one test world, never its internals: a hub refactor
    // must not break them, and a deep import would pass the package allow-list above (it names the package).
    // The core rule, so the per-runtime allow-lists (the typescript-eslint one) still apply.
    name: 'boundaries/store-tests/hub-testing-only',
    files: [`${desktop}/**/*.{ts,tsx}`, 'apps/pos-desktop/test/**/*.ts', 'apps/pos-desktop/bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@retail/hub-server(?!/testing$)|(?:^|/)hub-server/(?:src|scripts|test|bench)(?:/|$)',
              message:
                "Store node tests reach the hub through '@retail/hub-server/testing' only; export what is missing there.",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain runs anywhere: no clock reads, no randomness, no host objects.
    files: ['packages/domain/src/**/*.ts'],
    ignores: ['packages/domain/src/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'Time is a parameter in the domain.' },
        { name: 'process', message: 'No process access in the domain.' },
        { name: 'window', message: 'No DOM in the domain.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness is injected in the domain.' },
      ],
    },
  },
  {
    files: [`${desktop}/renderer/**/*.{ts,tsx}`, `${hub}/dashboard/**/*.{ts,tsx}`],
    languageOptions: { globals: { ...globals.browser } },
  },
);
