export * from './protocol';
export * from './batch-plan';
export * from './ingest';
