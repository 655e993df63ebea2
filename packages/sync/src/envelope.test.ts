import { describe, expect, it } from 'vitest';
import { EventEnvelopeSchema, checkPayload } from './envelope';
import { CURRENT_VERSION } from './events';

const adjusted = {
  adjustmentId: 'adj-1',
  reason: 'broken in storage',
  movements: [{ movementId: 'm-1', sku: 'SKU-1', type: 'ADJUSTMENT', bucket: 'sellable', delta: -1 }],
  adjustedAt: '2026-11-23T10:00:00.000Z',
};

describe('envelope', () => {
  describe('EventEnvelopeSchema', () => {
    it('accepts a well-formed envelope and refuses a zero deviceSeq', () => {
      const envelope = {
        eventId: '0190f3a0-7b1c-7cc0-8a00-000000000001',
        type: 'stock.adjusted',
        schemaVersion: 1,
        storeId: 'S1',
        deviceId: 'D1',
        deviceSeq: 1,
        hlc: '000001732356000000:00000:D1',
        occurredAt: '2026-11-23T10:00:00.000Z',
        txId: 'tx-1',
        payload: adjusted,
      };
      expect(EventEnvelopeSchema.safeParse(envelope).success).toBe(true);
      expect(EventEnvelopeSchema.safeParse({ ...envelope, deviceSeq: 0 }).success).toBe(false);
    });

    it('refuses a schema version the hub could not log (beyond a 32-bit integer)', () => {
      const envelope = {
        eventId: '0190f3a0-7b1c-7cc0-8a00-000000000001',
        type: 'stock.adjusted',
        schemaVersion: 2_147_483_647,
        storeId: 'S1',
        deviceId: 'D1',
        deviceSeq: 1,
        hlc: '000001732356000000:00000:D1',
        occurredAt: '2026-11-23T10:00:00.000Z',
        txId: 'tx-1',
        payload: adjusted,
      };
      expect(EventEnvelopeSchema.safeParse(envelope).success).toBe(true);
      expect(EventEnvelopeSchema.safeParse({ ...envelope, schemaVersion: 2_147_483_648 }).success).toBe(
        false,
      );
    });
  });

  describe('checkPayload', () => {
    it('validates a current payload', () => {
      const result = checkPayload('stock.adjusted', 1, adjusted);
      expect(result.ok).toBe(true);
    });

    it('gives a permanent reason for unknown types, unknown versions and bad payloads', () => {
      expect(checkPayload('stock.teleported', 1, {})).toEqual({
        ok: false,
        reason: expect.stringMatching(/Unknown event type/),
      });
      expect(checkPayload('stock.adjusted', 99, adjusted)).toEqual({
        ok: false,
        reason: expect.stringMatching(/no schema version 99/),
      });
      const bad = checkPayload('stock.adjusted', 1, {
        ...adjusted,
        movements: [{ ...adjusted.movements[0], delta: 0.5 }],
      });
      expect(bad).toEqual({ ok: false, reason: expect.stringMatching(/at movements\.0\.delta/) });
    });

    it('knows the current version of every type', () => {
      expect(CURRENT_VERSION['sale.completed']).toBe(1);
    });
  });
});
