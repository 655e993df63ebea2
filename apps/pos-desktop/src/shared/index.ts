export * from './commands';
export * from './notifications';
export * from './result';
