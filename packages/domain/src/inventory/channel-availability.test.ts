import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelBufferFor, channelSellable, type ChannelBuffer } from './channel-availability';

describe('inventory/channel-availability', () => {
  describe('channelBufferFor', () => {
    const buffers: ChannelBuffer[] = [
      { scope: 'category', key: 'shoes', units: 5 },
      { scope: 'category', key: 'running', units: 2 },
      { scope: 'sku', key: 'SKU-1', units: 9 },
    ];

    it("takes the SKU's own buffer over any category's", () => {
      expect(channelBufferFor('SKU-1', ['running', 'shoes'], buffers)).toEqual({
        units: 9,
        source: 'sku',
        key: 'SKU-1',
      });
    });

    it('takes the nearest category of the lineage, else none', () => {
      expect(channelBufferFor('SKU-2', ['running', 'shoes'], buffers)).toEqual({
        units: 2,
        source: 'category',
        key: 'running',
      });
      expect(channelBufferFor('SKU-3', ['trail', 'shoes'], buffers)).toMatchObject({
        units: 5,
        key: 'shoes',
      });
      expect(channelBufferFor('SKU-4', ['hats'], buffers)).toEqual({ units: 0, source: 'none' });
    });
  });

  describe('channelSellable', () => {
    it('is network ATP minus the buffer, never below zero and never above the ATP', () => {
      fc.assert(
        fc.property(fc.integer({ min: -50, max: 500 }), fc.integer({ min: 0, max: 500 }), (atp, buffer) => {
          const sellable = channelSellable(atp, buffer);
          expect(sellable).toBeGreaterThanOrEqual(0);
          expect(sellable).toBeLessThanOrEqual(Math.max(0, atp));
          expect(sellable).toBe(atp - buffer > 0 ? atp - buffer : 0);
        }),
      );
    });
  });
});
