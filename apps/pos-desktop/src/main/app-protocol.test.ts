import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleHeaders, resolveBundleRequest } from './app-protocol';

const root = mkdtempSync(join(tmpdir(), 'bundle-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html>');
writeFileSync(join(root, 'assets', 'index-abc.js'), '');

describe('app-protocol', () => {
  describe('resolveBundleRequest', () => {
    it('serves the entry page and the built assets', () => {
      expect(resolveBundleRequest('pos-app://bundle/index.html', root)).toEqual({
        kind: 'file',
        path: join(root, 'index.html'),
        contentType: 'text/html; charset=utf-8',
      });
      expect(resolveBundleRequest('pos-app://bundle/assets/index-abc.js', root)).toMatchObject({
        kind: 'file',
        path: join(root, 'assets', 'index-abc.js'),
      });
      expect(resolveBundleRequest('pos-app://bundle/returns', root)).toMatchObject({
        path: join(root, 'index.html'),
      });
    });

    it('never leaves the bundle folder nor serves another host', () => {
      for (const url of [
        'pos-app://bundle/../../etc/passwd.js',
        'pos-app://bundle/%2e%2e/%2e%2e/etc/passwd.js',
        'pos-app://bundle/assets/..%2f..%2f..%2fsecret.js',
        'pos-app://bundle/%00.js',
        'pos-app://other/index.html',
        'not a url',
      ]) {
        const target = resolveBundleRequest(url, root);
        if (target.kind === 'file') expect(target.path.startsWith(`${root}/`)).toBe(true);
      }
      expect(resolveBundleRequest('pos-app://other/index.html', root)).toEqual({ kind: 'not-found' });
      expect(resolveBundleRequest('pos-app://bundle/data.sqlite', root)).toEqual({ kind: 'not-found' });
    });
  });

  describe('bundleHeaders', () => {
    it('puts the CSP on every response', () => {
      expect(bundleHeaders('text/html', "default-src 'self'")).toMatchObject({
        'Content-Security-Policy': "default-src 'self'",
        'X-Content-Type-Options': 'nosniff',
      });
    });
  });
});
