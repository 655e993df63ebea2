import { describe, expect, it } from 'vitest';
import { customerScreen } from './customer-display';

const till = { id: 1, bounds: { x: 0, y: 0, width: 1280, height: 800 } };
const pole = { id: 2, bounds: { x: 1280, y: 0, width: 800, height: 480 } };

describe('customer-display', () => {
  describe('customerScreen', () => {
    it("picks a screen other than the till's, and none when there is only one", () => {
      expect(customerScreen([till, pole], 1)).toEqual(pole);
      expect(customerScreen([pole, till], 1)).toEqual(pole);
      expect(customerScreen([till], 1)).toBeNull();
      expect(customerScreen([], undefined)).toBeNull();
    });
  });
});
