export * from './refund-lines';
export * from './refund-tenders';
export * from './no-receipt';
export * from './exchange';
