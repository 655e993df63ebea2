export * from './bopis-commands';
export * from './commands';
export * from './notifications';
export * from './result';
