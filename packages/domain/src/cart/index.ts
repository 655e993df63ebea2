export * from './price-cart';
export * from './discount-limit';
