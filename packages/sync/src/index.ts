export * from './envelope';
export * from './events';
export * from './feed';
export * from './hlc';
export * from './server/index';
export * from './client/index';
export * from './loyalty-protocol';
export * from './order-return-protocol';
