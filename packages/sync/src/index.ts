export * from './envelope';
export * from './events';
export * from './feed';
export * from './hlc';
