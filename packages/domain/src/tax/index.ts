export * from './tax-rate';
export * from './line-tax';
export * from './tax-summary';
export * from './legal-header';
