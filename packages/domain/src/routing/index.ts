export * from './geo';
export * from './route-order';
