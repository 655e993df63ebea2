export * from './bopis-commands';
export * from './commands';
export * from './lane-commands';
export * from './notifications';
export * from './result';
export * from './customer-display';
