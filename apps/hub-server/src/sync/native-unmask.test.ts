import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A till's pushes arrive as masked WebSocket frames, and ws unmasks them byte by byte in JavaScript unless
 * it can load `bufferutil` (catch-up round 2: 203 ms of a 10,000-event catch-up). ws swallows the failure
 * to load it, so this test is what notices the dependency gone or resolving elsewhere. It follows the chain
 * the hub loads at run time: socket.io → engine.io → ws → bufferutil.
 */
const fromHub = createRequire(import.meta.url);
const fromSocketIo = createRequire(fromHub.resolve('socket.io'));
const fromEngineIo = createRequire(fromSocketIo.resolve('engine.io'));
const fromWs = createRequire(fromEngineIo.resolve('ws'));

function prebuiltFor(platform: string, arch: string): boolean {
  const root = dirname(fromWs.resolve('bufferutil/package.json'));
  return existsSync(join(root, 'prebuilds', `${platform}-${arch}`));
}

describe("the hub's WebSocket frames", () => {
  it('are unmasked by the native bufferutil that ws loads, where a prebuilt binary exists', () => {
    expect(process.env.WS_NO_BUFFER_UTIL ?? '').toBe('');
    const loaded = fromWs('bufferutil') as { mask: unknown; unmask: unknown };
    expect(typeof loaded.unmask).toBe('function');
    // bufferutil falls back to its JavaScript version when its binary cannot load: only a platform it
    // ships a binary for (linux-x64 here and in CI) can prove the native one.
    if (!prebuiltFor(process.platform, process.arch)) return;
    expect(loaded).not.toBe(fromWs('bufferutil/fallback'));
  });
});
