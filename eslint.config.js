import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeOnly = ['node:*', 'better-sqlite3', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http'];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/.turbo/**', '**/test-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The domain runs anywhere: no I/O, no Node or DOM APIs, no clock reads.
    files: ['packages/domain/src/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: nodeOnly, message: 'packages/domain is pure.' }] },
      ],
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
    files: ['packages/domain/src/**/*.test.ts'],
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' },
  },
  {
    // Renderer code runs in the DOM and only talks to the store node through the command client.
    files: ['apps/pos-desktop/src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnly, message: 'The renderer runs in the DOM.' },
            {
              group: ['**/engine/**', '**/server/**', '**/main/**', '**/preload/**'],
              message: 'Renderer imports only src/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // The HQ dashboard runs in the browser: it may borrow the hub's types (erased at build), never its code.
    files: ['apps/hub-server/src/dashboard/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnly, message: 'The dashboard runs in the browser.' },
            {
              regex:
                '^(\\.\\./){2,}(audit|auth|catalog|exceptions|feed|ingest|integration|inventory|loyalty|nodes|orders|pricing|staff|storage|sync|test-support|hub-context|hub-tx|cli)(/|$)',
              allowTypeImports: true,
              message: 'The dashboard imports only types from the hub; it talks to it through the admin API.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/pos-desktop/src/engine/**/*.ts', 'apps/pos-desktop/src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', '**/main/**', '**/preload/**'],
              message: 'Node code never imports UI or Electron code.',
            },
          ],
        },
      ],
    },
  },
);
