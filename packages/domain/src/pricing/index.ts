export * from './price-book';
export * from './resolve-price';
export * from './price-index';
export * from './price-schedule';
