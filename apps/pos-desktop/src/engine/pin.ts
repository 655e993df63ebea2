/** The PIN hash format is shared with the hub, which hashes the PINs of staff HQ creates. */
export { DEFAULT_PIN_COST, hashPin, verifyPin, type PinHashCost } from '@retail/sync/pin-hash';
