export * from './status';
export * from './order';
export * from './pickup-code';
export * from './picking';
export * from './expiry';
export * from './lifecycle';
export * from './handover';
export * from './oversell-resolution';
