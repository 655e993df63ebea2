import { describe, expect, it } from 'vitest';
import { bundleContentType } from './content-type';

describe('server/content-type', () => {
  it('types what a renderer build ships, with the charset on text', () => {
    expect(bundleContentType('index.html')).toBe('text/html; charset=utf-8');
    expect(bundleContentType('assets/index-abc.JS')).toBe('text/javascript; charset=utf-8');
    expect(bundleContentType('assets/app.css')).toBe('text/css; charset=utf-8');
    expect(bundleContentType('manifest.webmanifest')).toBe('application/manifest+json; charset=utf-8');
    expect(bundleContentType('assets/font.woff2')).toBe('font/woff2');
    expect(bundleContentType('logo.png')).toBe('image/png');
  });

  it('refuses source maps and files a build never holds', () => {
    for (const name of ['assets/app.js.map', 'pos.sqlite', 'secret.pem', 'README', 'run.sh']) {
      expect(bundleContentType(name)).toBeUndefined();
    }
  });
});
