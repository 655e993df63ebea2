export * from './geo';
export * from './route-order';
export * from './split-plan';
export * from './delivery-promise';
