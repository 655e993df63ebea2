export * from './tender';
export * from './settle-tenders';
export * from './quick-cash';
