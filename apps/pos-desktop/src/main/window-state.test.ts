import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWindowState, restoreBounds, writeWindowState } from './window-state';

const screenA = { x: 0, y: 0, width: 1920, height: 1040 };
const screenB = { x: 1920, y: 0, width: 1280, height: 1024 };

describe('window-state', () => {
  describe('restoreBounds', () => {
    it('keeps the saved place while its display is attached', () => {
      const saved = { bounds: { x: 2000, y: 10, width: 1200, height: 900 }, maximized: true };
      expect(restoreBounds(saved, [screenA, screenB])).toEqual(saved);
    });

    it('comes back onto the primary display when the saved one was unplugged', () => {
      const saved = { bounds: { x: 2000, y: 10, width: 1200, height: 900 }, maximized: false };
      expect(restoreBounds(saved, [screenA])).toEqual({
        bounds: { x: 320, y: 120, width: 1280, height: 800 },
        maximized: false,
      });
    });

    it('fits a small screen', () => {
      expect(restoreBounds(null, [{ x: 0, y: 0, width: 1024, height: 600 }]).bounds).toEqual({
        x: 0,
        y: 0,
        width: 1024,
        height: 600,
      });
    });
  });

  describe('readWindowState', () => {
    it('reads back what was written and ignores a damaged file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'window-state-'));
      const file = join(dir, 'window-state.json');
      const state = { bounds: { x: 5, y: 6, width: 900, height: 700 }, maximized: false };
      writeWindowState(file, state);
      expect(readWindowState(file)).toEqual(state);
      writeFileSync(file, '{"bounds":');
      expect(readWindowState(file)).toBeNull();
      expect(readWindowState(join(dir, 'missing.json'))).toBeNull();
    });
  });
});
