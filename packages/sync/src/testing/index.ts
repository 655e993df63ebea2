export * from './event-factory';
export * from './fault-transport';
export * from './hub-transport';
export * from './manual-scheduler';
export * from './memory-feed-store';
export * from './memory-outbox-store';
export * from './reference-hub';
export * from './seeded-random';
